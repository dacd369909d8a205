/**
 * What every SM2 backend shares: the per-key cache (point, uncompressed bytes, Z_A), the walk
 * over packed items, and rules 1 and 4 (r, s in [1, n-1], t = r + s mod n not 0). A backend
 * supplies only how it decides rule 5 for scalars that passed those checks.
 */
import { BoundedCache } from '../bounded-cache.js';
import { itemsView } from '../bytes.js';
import { itemLayout } from '../verifier.js';
import { DEFAULT_SM2_ID, Fn } from './curve.js';
import { prepareSm2Key, type Sm2Key, type Sm2Verifier, scalarAt } from './rule.js';

const LAYOUT = itemLayout('sm2');
const MSG = LAYOUT.messageOffset;
const SIG = LAYOUT.signatureOffset;

/** Options every SM2 backend takes. */
export interface Sm2BackendOptions {
  /** Bound on cached per-key state (default 100 000). */
  readonly keyCacheSize?: number;
  /** Distinguishing ID (default 1234567812345678). */
  readonly id?: Uint8Array;
}

/**
 * Rule 5 for a prepared key and in-range scalars r, s with t = (r + s) mod n != 0; `sig` and
 * `sigAt` locate the signature for a fall-back to the reference.
 */
export type Sm2Decide = (
  key: Sm2Key,
  message: Uint8Array,
  r: bigint,
  s: bigint,
  t: bigint,
  sig: Uint8Array,
  sigAt: number,
) => boolean;

export function sm2Backend(
  backend: Sm2Verifier['backend'],
  options: Sm2BackendOptions,
  decide: Sm2Decide,
): Sm2Verifier {
  const id = options.id ?? DEFAULT_SM2_ID;
  const keys = new BoundedCache<Sm2Key | null>(options.keyCacheSize ?? 100_000);

  function keyFor(buf: Buffer, at: number): Sm2Key | null {
    const cacheId = buf.toString('latin1', at, at + LAYOUT.keyLength);
    const cached = keys.get(cacheId);
    if (cached !== undefined) return cached;
    const entry = prepareSm2Key(buf.subarray(at, at + LAYOUT.keyLength), id);
    keys.set(cacheId, entry);
    return entry;
  }

  function verifyWith(key: Sm2Key, message: Uint8Array, sig: Uint8Array, sigAt: number): boolean {
    const r = scalarAt(sig, sigAt);
    const s = scalarAt(sig, sigAt + 32);
    if (r === 0n || s === 0n) return false;
    const t = Fn.add(r, s);
    if (t === 0n) return false;
    return decide(key, message, r, s, t, sig, sigAt);
  }

  return {
    suite: 'sm2',
    backend,
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const buf = itemsView(items, count, LAYOUT.itemSize);
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const at = i * LAYOUT.itemSize;
        const key = keyFor(buf, at);
        out[i] =
          key !== null && verifyWith(key, buf.subarray(at + MSG, at + MSG + 32), buf, at + SIG)
            ? 1
            : 0;
      }
      return out;
    },
    verifyMessage(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
      const key = sig.length === 64 ? prepareSm2Key(publicKey, id) : null;
      return key !== null && verifyWith(key, message, sig, 0);
    },
  };
}
