/**
 * CPU per valid and per invalid signature, for each backend: what an unauthenticated client can
 * make the engine spend by sending bad signatures. Measured in-process on one core with the
 * backend's `verifyBatch`, keys warm (as in a running engine), alone (a batch of one: light
 * load) and in batches of 64 (the pool under load). Invalid kinds:
 *
 * - tampered: one bit of S flipped (R and the key stay torsion-free: any honest signature
 *   altered, replayed under another message, or sent under another key behaves the same);
 * - random R: R replaced by a random canonical encoding (about half decode, and 7 in 8 of those
 *   have a torsion component);
 * - torsion R: the signer's R plus a point of order 8, S unchanged (crafted on purpose).
 *
 * For noble, "1 bad in 64" is one invalid signature among 63 valid ones in a batch: the CPU the
 * batch spends beyond an all-valid batch, charged to that one signature (bisection).
 */
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { type BackendName, createVerifier, ITEM_SIZE, packItem } from '../engine/crypto/index.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const P = ed25519.Point.Fp.ORDER;
const ORDER_8 = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!);

interface Item {
  readonly pub: Uint8Array;
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

export type InvalidKind = 'tampered' | 'random R' | 'torsion R';
export const INVALID_KINDS: readonly InvalidKind[] = ['tampered', 'random R', 'torsion R'];

/** `count` honest signatures over `keys` keys (reused, as wallets are). */
function honest(count: number, keys: number): Item[] {
  const pairs = Array.from({ length: keys }, () => {
    const privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, randomBytes(32)]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return { privateKey, pub: new Uint8Array(spki.subarray(spki.length - 32)) };
  });
  return Array.from({ length: count }, (_, i) => {
    const { privateKey, pub } = pairs[i % keys]!;
    const msg = new Uint8Array(randomBytes(32));
    return { pub, msg, sig: new Uint8Array(sign(null, msg, privateKey)) };
  });
}

function invalid(item: Item, kind: InvalidKind): Item {
  const sig = Uint8Array.from(item.sig);
  if (kind === 'tampered') {
    sig[40] = sig[40]! ^ 1;
  } else if (kind === 'random R') {
    let y = 0n;
    for (const b of randomBytes(32).reverse()) y = (y << 8n) | BigInt(b);
    y = (y & ((1n << 255n) - 1n)) % P;
    for (let i = 0; i < 32; i++) sig[i] = Number((y >> BigInt(8 * i)) & 0xffn);
    sig[31] = sig[31]! | (randomBytes(1)[0]! & 0x80);
  } else {
    sig.set(ed25519.Point.fromBytes(item.sig.subarray(0, 32)).add(ORDER_8).toBytes(), 0);
  }
  return { ...item, sig };
}

function pack(items: readonly Item[]): Uint8Array {
  const buf = new Uint8Array(items.length * ITEM_SIZE);
  items.forEach((it, i) => {
    packItem(buf, i, it.pub, it.msg, it.sig);
  });
  return buf;
}

/** CPU µs per item of `verifyBatch` over `items` cut in batches of `size`, for ~`seconds`. */
function cpuPerItem(backend: BackendName, items: readonly Item[], size: number, seconds: number) {
  const verifier = createVerifier(backend);
  const batches: Uint8Array[] = [];
  for (let i = 0; i + size <= items.length; i += size) batches.push(pack(items.slice(i, i + size)));
  for (const b of batches) verifier.verifyBatch(b, size); // warm: key caches, JIT
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) {
    for (const b of batches) verifier.verifyBatch(b, size);
    n += batches.length * size;
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

export interface SignatureCost {
  readonly backend: BackendName;
  /** Items per verifyBatch call. */
  readonly batch: number;
  readonly validMicros: number;
  readonly invalidMicros: Readonly<Record<InvalidKind, number>>;
}

/**
 * CPU per valid and per invalid signature for `backend`, alone and in batches of 64.
 * `seconds` per figure (noble needs longer: each item costs ~1 ms).
 */
export function measureSignatureCost(backend: BackendName, seconds = 1): SignatureCost[] {
  const keys = 64;
  const count = backend === 'native' ? 512 : 128;
  const valid = honest(count, keys);
  const out: SignatureCost[] = [];
  for (const batch of [1, 64]) {
    const invalidMicros = {} as Record<InvalidKind, number>;
    for (const kind of INVALID_KINDS) {
      invalidMicros[kind] = cpuPerItem(
        backend,
        valid.map((it) => invalid(it, kind)),
        batch,
        seconds,
      );
    }
    out.push({
      backend,
      batch,
      validMicros: cpuPerItem(backend, valid, batch, seconds),
      invalidMicros,
    });
  }
  return out;
}

/**
 * Noble only: CPU charged to one invalid signature (of `kind`) in a batch of 64 otherwise valid
 * ones, = CPU of that batch − CPU of an all-valid batch.
 */
export function measureOneBadInBatch(kind: InvalidKind, seconds = 2): number {
  const valid = honest(128, 64);
  const allValid = cpuPerItem('noble', valid, 64, seconds) * 64;
  const mixed = valid.map((it, i) => (i % 64 === 17 ? invalid(it, kind) : it));
  const withBad = cpuPerItem('noble', mixed, 64, seconds) * 64;
  return withBad - allValid;
}
