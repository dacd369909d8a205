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

import { type Sm2BackendOptions, sm2Backend } from './backend.js';
import { Fn, Sm2Point } from './curve.js';
import type { Sm2Verifier } from './rule.js';
import { challenge } from './rule.js';

/** Base-point tables, window 8: built once per thread (tens of ms), ~4x faster [s]G. */
let baseReady = false;
function precomputeBase(): void {
  if (baseReady) return;
  Sm2Point.BASE.precompute(8, false);
  baseReady = true;
}

/** Options for the noble SM2 backend. */
export type Sm2NobleOptions = Sm2BackendOptions;

export function createSm2NobleVerifier(options: Sm2NobleOptions = {}): Sm2Verifier {
  precomputeBase();
  return sm2Backend('noble', options, (key, message, r, s, t) => {
    const e = challenge(key.za, message);
    const sum = Sm2Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t));
    if (sum.is0()) return false;
    return Fn.add(Fn.create(e), Fn.create(sum.toAffine().x)) === r;
  });
}
