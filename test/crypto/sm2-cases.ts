/**
 * Shared SM2 test helpers: items as (key, message, signature), and the verdict of every backend
 * and path on them: native and noble single, each inside a batch of honest items at a random
 * position, and the rule's reference arithmetic.
 */

import {
  createSuiteVerifier,
  itemLayout,
  packItem,
  type Sm2SigningKey,
  sm2KeyFromSecret,
  sm2Sign,
  type Verifier,
} from '../../engine/crypto/index.js';
import { Fn, SM2_N } from '../../engine/crypto/sm2/curve.js';
import { prepareSm2Key, verifySm2Reference } from '../../engine/crypto/sm2/rule.js';

export const LAYOUT = itemLayout('sm2');
export const N = SM2_N;
export { Fn };

export interface Sm2Item {
  /** As packed: normally 33 bytes compressed; other lengths are packed as given (invalid). */
  readonly key: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

const native = createSuiteVerifier('sm2', 'native');
const noble = createSuiteVerifier('sm2', 'noble');

export function keyOf(seed: number): Sm2SigningKey {
  const secret = Buffer.alloc(32);
  secret.writeUInt32BE(seed + 1, 28);
  secret.writeUInt32BE(0x5a5a5a5a, 0);
  return sm2KeyFromSecret(secret);
}

export function messageOf(seed: number): Buffer {
  const m = Buffer.alloc(32);
  m.writeUInt32LE(seed, 0);
  m.writeUInt32LE(0xc0ffee, 28);
  return m;
}

export function honest(seed: number): Sm2Item {
  const key = keyOf(seed % 17);
  const message = messageOf(seed);
  return { key: key.publicKey, message, signature: sm2Sign(key, message) };
}

export function pack(items: readonly Sm2Item[]): Uint8Array {
  const buf = new Uint8Array(items.length * LAYOUT.itemSize);
  items.forEach((it, i) => {
    packItem(buf, i, it.key, it.message, it.signature, LAYOUT);
  });
  return buf;
}

function single(v: Verifier, item: Sm2Item): boolean {
  return v.verifyBatch(pack([item]), 1)[0] === 1;
}

/** The rule's reference arithmetic (Strauss–Shamir), from the key bytes as packed. */
export function reference(item: Sm2Item): boolean {
  const packed = pack([item]);
  const key = prepareSm2Key(packed.subarray(0, LAYOUT.keyLength));
  if (key === null) return false;
  return verifySm2Reference(key, item.message, item.signature);
}

/** Every path's verdict on one item: all must be equal. */
export function verdicts(item: Sm2Item, position = 3): Record<string, boolean> {
  const batch = [honest(900), honest(901), honest(902), honest(903), honest(904)];
  const at = position % (batch.length + 1);
  batch.splice(at, 0, item);
  const packed = pack(batch);
  const nativeBatch = native.verifyBatch(packed, batch.length);
  const nobleBatch = noble.verifyBatch(packed, batch.length);
  for (let i = 0; i < batch.length; i++) {
    if (i !== at && (nativeBatch[i] !== 1 || nobleBatch[i] !== 1))
      throw new Error(`an honest neighbour at ${i} was rejected`);
  }
  return {
    reference: reference(item),
    native: single(native, item),
    noble: single(noble, item),
    nativeBatch: nativeBatch[at] === 1,
    nobleBatch: nobleBatch[at] === 1,
  };
}

/** The one verdict every path gave; throws (naming the paths) when they disagree. */
export function agreedVerdict(item: Sm2Item, position = 3): boolean {
  const v = verdicts(item, position);
  const values = new Set(Object.values(v));
  if (values.size !== 1) throw new Error(`paths disagree: ${JSON.stringify(v)}`);
  return v.reference;
}

export function be32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
}

export function sigOf(r: bigint, s: bigint): Buffer {
  return Buffer.concat([be32(r), be32(s)]);
}

export function rsOf(sig: Uint8Array): { r: bigint; s: bigint } {
  const b = Buffer.from(sig);
  return {
    r: BigInt(`0x${b.toString('hex', 0, 32)}`),
    s: BigInt(`0x${b.toString('hex', 32, 64)}`),
  };
}
