/**
 * The engine's one SM2 verification rule (GB/T 32918.2 §7, docs/signatures.md), as cheap checks
 * and the reference verdict every backend must reproduce. For public key P_A, message M (the
 * 32-byte transaction id) and signature r || s (two 32-byte big-endian integers):
 *
 *   1. r and s are in [1, n-1] (no reduction mod n: r >= n or s >= n is invalid).
 *   2. P_A is a valid point: a SEC1 encoding of a point on the curve, not infinity (the cofactor
 *      is 1, so every such point has order n).
 *   3. e = SM3(Z_A || M), Z_A with the distinguishing ID (default 1234567812345678).
 *   4. t = (r + s) mod n is not 0.
 *   5. (x1, y1) = [s]G + [t]P_A is not infinity, and (e + x1) mod n = r.
 */
import type { Verifier } from '../verifier.js';
import {
  beToBigInt,
  DEFAULT_SM2_ID,
  decodeSm2Key,
  Fn,
  Sm2Point,
  type Sm2Pt,
  sm3,
  userDigest,
} from './curve.js';

/** An SM2 backend: packed items (32-byte messages), or one message of any length. */
export interface Sm2Verifier extends Verifier {
  /** One verdict for a SEC1 key (33 or 65 bytes), any message, and r || s. Never throws. */
  verifyMessage(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Per-key state every backend caches: the point, its uncompressed bytes and Z_A. */
export interface Sm2Key {
  readonly point: Sm2Pt;
  readonly uncompressed: Buffer;
  readonly za: Buffer;
}

/** Rules 2 and the Z_A of rule 3 for one key, or null when the key is not acceptable. */
export function prepareSm2Key(bytes: Uint8Array, id: Uint8Array = DEFAULT_SM2_ID): Sm2Key | null {
  const point = decodeSm2Key(bytes);
  if (point === null) return null;
  const uncompressed = Buffer.from(point.toBytes(false));
  return { point, uncompressed, za: userDigest(uncompressed, id) };
}

/** Rule 1 for the 32-byte integer at `at`: returns it, or 0n when outside [1, n-1]. */
export function scalarAt(buf: Uint8Array, at: number): bigint {
  const v = beToBigInt(buf, at, 32);
  return Fn.isValidNot0(v) ? v : 0n;
}

/** e of rule 3, as an integer (used mod n). */
export function challenge(za: Uint8Array, message: Uint8Array): bigint {
  const e = sm3(za, message);
  return beToBigInt(e, 0, 32);
}

/**
 * The reference verdict (rules 1, 3-5) for a prepared key: noble's Strauss–Shamir double-scalar
 * multiplication, a different path from the noble backend's (base-point tables plus wNAF), so
 * the two check each other. Slow (a few ms) but authoritative; the native backend falls back to
 * it.
 */
export function verifySm2Reference(
  key: Sm2Key,
  message: Uint8Array,
  sig: Uint8Array,
  sigAt = 0,
): boolean {
  const r = scalarAt(sig, sigAt);
  const s = scalarAt(sig, sigAt + 32);
  if (r === 0n || s === 0n) return false;
  const t = Fn.add(r, s);
  if (t === 0n) return false;
  const e = challenge(key.za, message);
  const sum = Sm2Point.BASE.mulAddUnsafe(s, key.point, t);
  if (sum.is0()) return false;
  return Fn.add(Fn.create(e), Fn.create(sum.toAffine().x)) === r;
}

/** Registration check: a valid point in SEC1 form (rule 2). One square root for a compressed key. */
export function isAcceptableSm2PublicKey(key: Uint8Array): boolean {
  return decodeSm2Key(key) !== null;
}

/**
 * The byte-level half of the registration check for the engine's compressed identity form: 33
 * bytes, prefix 02 or 03, x below p. Does not prove x is on the curve (that needs a square root):
 * only for keys that already passed `isAcceptableSm2PublicKey` before being journaled.
 */
export function isWellFormedSm2PublicKey(key: Uint8Array): boolean {
  if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3)) return false;
  return beToBigInt(key, 1, 32) < Sm2Point.Fp.ORDER;
}
