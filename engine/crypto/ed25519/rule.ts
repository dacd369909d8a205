/**
 * The engine's one Ed25519 verification rule (docs/signatures.md), as constants, cheap byte-level
 * checks, and the reference verdict every backend and path must reproduce:
 *
 *   1. S canonical: S < L.
 *   2. A and R canonical encodings (y < p, and no "negative zero" x = 0 with the sign bit set)
 *      that decode to curve points.
 *   3. A not of small order.
 *   4. Cofactored equation: [8](S·B − R − k·A) = 0, k = SHA-512(R || A || M) mod L.
 *
 * This is exactly noble's `ed25519.verify(sig, msg, pub, { zip215: false })` in @noble/curves
 * 2.4.0 (src/abstract/edwards.ts: strict `Point.fromBytes`, `BASE.multiplyUnsafe(s)` rejecting
 * s >= L, `A.isSmallOrder()` rejection, `clearCofactor().is0()`), so that call is the reference.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';

/** Order of the prime subgroup, L = 2^252 + 27742317777372353535851937790883648493. */
export const ED25519_L: bigint = ed25519.Point.Fn.ORDER;

/** Little-endian bytes of L, for rule 1 without a bigint conversion. */
const L_LE = leBytes(ED25519_L);
/** Little-endian bytes of p = 2^255 − 19, for rule 2 without a bigint conversion. */
const P_LE = leBytes(ed25519.Point.Fp.ORDER);
/** Little-endian bytes of p − 1 (y of the order-2 point), the other "negative zero" candidate. */
const P_MINUS_1_LE = leBytes(ed25519.Point.Fp.ORDER - 1n);

/**
 * The canonical encodings of the 8 points of small order (the torsion subgroup). A canonical
 * encoding of a small-order point is one of these; non-canonical variants fail rule 2 first.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = ED25519_TORSION_SUBGROUP.map((hex) =>
  Uint8Array.from(Buffer.from(hex, 'hex')),
);

function leBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Compares the 32-byte little-endian integer at `at` (top bit masked if asked) with `limit`. */
function compareLe(buf: Uint8Array, at: number, limit: Uint8Array, maskTopBit: boolean): number {
  for (let i = 31; i >= 0; i--) {
    const b = i === 31 && maskTopBit ? buf[at + i] & 0x7f : buf[at + i];
    const l = limit[i];
    if (b !== l) return b < l ? -1 : 1;
  }
  return 0;
}

/** Rule 1: the 32-byte little-endian scalar at `at` is < L. */
export function isCanonicalScalarAt(buf: Uint8Array, at: number): boolean {
  return compareLe(buf, at, L_LE, false) < 0;
}

/**
 * Rule 2, encoding half: y < p, and not x = 0 with the sign bit set (y = 1 or y = p − 1 are the
 * only points with x = 0; noble's strict decoder rejects their sign-bit-set forms). Whether the
 * point decodes at all still needs a square root; callers do that once per key or per R.
 */
export function isCanonicalPointAt(buf: Uint8Array, at: number): boolean {
  if (compareLe(buf, at, P_LE, true) >= 0) return false;
  if ((buf[at + 31] & 0x80) === 0) return true;
  return !isOneAt(buf, at) && compareLe(buf, at, P_MINUS_1_LE, true) !== 0;
}

function isOneAt(buf: Uint8Array, at: number): boolean {
  if (buf[at] !== 1 || (buf[at + 31] & 0x7f) !== 0) return false;
  for (let i = 1; i < 31; i++) if (buf[at + i] !== 0) return false;
  return true;
}

/** Rule 3 for a canonical encoding: is it one of the 8 small-order points? */
export function isSmallOrderEncodingAt(buf: Uint8Array, at: number): boolean {
  outer: for (const enc of SMALL_ORDER_ENCODINGS) {
    for (let i = 0; i < 32; i++) if (buf[at + i] !== enc[i]) continue outer;
    return true;
  }
  return false;
}

/**
 * The reference verdict for one packed item (publicKey | message | signature at `at`): noble's
 * strict verify. Slow (~1 ms) but authoritative; the fast paths only ever decide what it would.
 */
export function verifyStrictAt(buf: Uint8Array, at: number): boolean {
  try {
    return ed25519.verify(
      buf.subarray(at + 64, at + 128),
      buf.subarray(at + 32, at + 64),
      buf.subarray(at, at + 32),
      { zip215: false },
    );
  } catch {
    return false;
  }
}

/**
 * The byte-level half of the registration check: 32 bytes, a canonical encoding (y < p, no
 * negative zero), and not one of the 8 small-order encodings. No field or curve arithmetic, so
 * it does NOT establish that the key decodes to a curve point or is torsion-free: it is implied
 * by `isAcceptableEd25519PublicKey`, never a substitute for it on a key seen for the first time.
 */
export function isWellFormedEd25519PublicKey(key: Uint8Array): boolean {
  return key.length === 32 && isCanonicalPointAt(key, 0) && !isSmallOrderEncodingAt(key, 0);
}

/**
 * Registration-time key check: 32 bytes, canonical, decodes, not of small order, and torsion-free
 * ([L]A = identity). Stricter than the per-signature rule (which tolerates mixed-order keys) so
 * that registered wallets never carry a torsion component; too slow for the hot path.
 */
export function isAcceptableEd25519PublicKey(key: Uint8Array): boolean {
  if (!isWellFormedEd25519PublicKey(key)) return false;
  try {
    const point = ed25519.Point.fromBytes(key, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}
