/**
 * Pure-JavaScript SM2 backend on @noble/curves: per item, [s]G from noble's precomputed base-point
 * tables plus [t]P_A by width-4 wNAF, x1 compared as the rule says. This is the reference
 * arithmetic (rule.ts) with a warm per-key cache (point and Z_A).
 *
 * There is no batch equation: r carries only x1 mod n, not the point R = [s]G + [t]P_A, so a
 * random linear combination of the items' equations cannot be formed without recovering each R
 * (a square root and a sign guess per item; docs/signatures.md). A batch is verified item by
 * item; the pool spreads batches over threads instead.
 *
 * noble's Strauss–Shamir `mulAddUnsafe([s], P_A, [t])` shares one doubling chain but cannot use
 * the base-point tables; it measured ~1.3x slower than the two multiplications here.
 */
import { BoundedCache } from '../bounded-cache.js';
import { itemsView } from '../bytes.js';
import { itemLayout } from '../verifier.js';
import { DEFAULT_SM2_ID, Fn, Sm2Point } from './curve.js';
import { challenge, prepareSm2Key, type Sm2Key, type Sm2Verifier, scalarAt } from './rule.js';

const LAYOUT = itemLayout('sm2');
const MSG = LAYOUT.messageOffset;
const SIG = LAYOUT.signatureOffset;

/** Base-point tables, window 8: built once per thread (tens of ms), ~4x faster [s]G. */
let baseReady = false;
function precomputeBase(): void {
  if (baseReady) return;
  Sm2Point.BASE.precompute(8, false);
  baseReady = true;
}

/** Options for the noble SM2 backend. */
export interface Sm2NobleOptions {
  /** Bound on cached per-key state (default 100 000). */
  readonly keyCacheSize?: number;
  /** Distinguishing ID (default 1234567812345678). */
  readonly id?: Uint8Array;
}

export function createSm2NobleVerifier(options: Sm2NobleOptions = {}): Sm2Verifier {
  precomputeBase();
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

  function verifyItem(buf: Buffer, at: number): boolean {
    const key = keyFor(buf, at);
    return key !== null && verifyWith(key, buf.subarray(at + MSG, at + MSG + 32), buf, at + SIG);
  }

  function verifyWith(key: Sm2Key, message: Uint8Array, sig: Uint8Array, sigAt: number): boolean {
    const r = scalarAt(sig, sigAt);
    const s = scalarAt(sig, sigAt + 32);
    if (r === 0n || s === 0n) return false;
    const t = Fn.add(r, s);
    if (t === 0n) return false;
    const e = challenge(key.za, message);
    const sum = Sm2Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t));
    if (sum.is0()) return false;
    return Fn.add(Fn.create(e), Fn.create(sum.toAffine().x)) === r;
  }

  return {
    suite: 'sm2',
    backend: 'noble',
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const buf = itemsView(items, count, LAYOUT.itemSize);
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = verifyItem(buf, i * LAYOUT.itemSize) ? 1 : 0;
      return out;
    },
    verifyMessage(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
      const key = sig.length === 64 ? prepareSm2Key(publicKey, id) : null;
      return key !== null && verifyWith(key, message, sig, 0);
    },
  };
}
