/**
 * The rule's cofactored equation, decided exactly for a signature whose R or key has a torsion
 * component (OpenSSL's cofactorless "invalid" is then not the rule's verdict) with OpenSSL X25519
 * calls instead of noble's variable-base k·A (~1 ms).
 *
 * Write R = R_L + R_t and A = A_L + A_t (prime-order and torsion parts). [8] clears R_t and A_t,
 * so the rule's [8](S·B − R − k·A) = 0 holds exactly when S·B = R_L + k·A_L.
 *
 * First a filter on Montgomery u's alone: u(R_L) from the torsion probe, u(k·A_L) from X25519
 * for a clamped scalar c ≡ ±k (mod L) on u(A) (its factor 8 clears A_t), u(S·B) from X25519's
 * public-key derivation. Given u(P) and u(Q), the u's of P + Q and P − Q are the two roots of
 *   (u_P − u_Q)²·x² − 2((u_P·u_Q + 1)(u_P + u_Q) + 2·486662·u_P·u_Q)·x + (u_P·u_Q − 1)² = 0,
 * so when u(S·B) is not a root, S·B ≠ ±R_L ± k·A_L: invalid. That settles an invalid signature,
 * torsion or not, without decoding anything. Only when it is a root (the signer's own crafted
 * signatures, valid or with a sign flipped) is the exact check below needed:
 *
 * D = S·B − R_L is computed exactly (noble), and compared with k·A_L through its u:
 *   u(k·A_L) ≠ u(D)  ⇒  k·A_L ≠ ±D  ⇒  invalid;
 *   u(k·A_L) = u(D)  ⇒  k·A_L = ±D; then (k+1)·A_L = D + A_L exactly when k·A_L = D (the other
 *   sign would need 2D = O or 2A_L = O, and neither is possible for nonzero points of odd order),
 *   so one more X25519 for k + 1 settles it.
 * R_L itself comes from the torsion probe (torsion.ts): X25519 gave u(R_L), and R_L is the one
 * R − T (T among the 8 torsion points) with that u.
 * Anything outside these cases (a scalar X25519 cannot take, D = O) returns null: the caller
 * asks the reference.
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { ED25519_L } from './rule.js';
import { bigToLe } from './torsion.js';

const Point = ed25519.Point;
const Fp = Point.Fp;
const TORSION: readonly EdwardsPoint[] = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex));
const INV8 = (3n * ED25519_L + 1n) / 8n; // 8·INV8 ≡ 1 (mod L)
const T_MIN = 1n << 251n;
const T_MAX = 1n << 252n;
const ZERO_X = Buffer.alloc(32).toString('base64url');

/** Is `u` the Montgomery u of P? u = (Z + Y) / (Z − Y) in extended coordinates; none for O. */
export function hasU(p: EdwardsPoint, u: bigint): boolean {
  const den = Fp.sub(p.Z, p.Y);
  return den !== 0n && Fp.mul(u, den) === Fp.add(p.Z, p.Y);
}

/**
 * The prime-order part of a decoded point, from the u of that part (the torsion probe's X25519
 * answer; null when the part is O). Null only if no candidate matches, which a decoded point
 * and a right probe never give.
 */
export function primePart(p: EdwardsPoint, primeU: bigint | null): EdwardsPoint | null {
  if (primeU === null) return Point.ZERO;
  for (const t of TORSION) {
    const q = p.subtract(t);
    if (hasU(q, primeU)) return q;
  }
  return null;
}

/**
 * u([n]·A_L) from X25519 on u(A) (OpenSSL): the scalar 8t with 8t ≡ ±n (mod L) and t in
 * [2^251, 2^252), so X25519's clamping leaves it as it is and its factor 8 clears A_t. Null when
 * no such t exists (n within ~2^125 of 0 or L: never for a hash output) or the result is O.
 */
function uTimes(n: bigint, a: KeyObject): bigint | null {
  const d = clampedScalar(n);
  if (d === null) return null;
  try {
    const privateKey = createPrivateKey({
      // JWK import wants x as well; OpenSSL derives its own from d, so any 32 bytes do.
      key: { kty: 'OKP', crv: 'X25519', d, x: ZERO_X },
      format: 'jwk',
    });
    return leBytesToBig(diffieHellman({ privateKey, publicKey: a }));
  } catch {
    return null;
  }
}

/** The clamped X25519 scalar 8t ≡ ±n (mod L), t in [2^251, 2^252); null if there is none. */
function clampedScalar(n: bigint): string | null {
  let t = (n * INV8) % ED25519_L;
  if (t < T_MIN || t >= T_MAX) t = ED25519_L - t; // −n: same u
  if (t < T_MIN || t >= T_MAX) return null;
  return bigToLe(8n * t).toString('base64url');
}

/** u([n]·B) from OpenSSL's X25519 public-key derivation; null when no scalar fits. */
function uBaseTimes(n: bigint): bigint | null {
  const d = clampedScalar(n);
  if (d === null) return null;
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d, x: ZERO_X },
    format: 'jwk',
  });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  return x === undefined ? null : leBytesToBig(Buffer.from(x, 'base64url'));
}

function leBytesToBig(b: Buffer): bigint {
  let u = 0n;
  for (let i = 3; i >= 0; i--) u = (u << 64n) | b.readBigUInt64LE(8 * i);
  return u;
}

const MONTGOMERY_A = 486_662n;

/**
 * Could S·B = ±R_L ± W hold, judging by u's alone (null u: the point is O)? True when u(S·B) is
 * a root of the sum/difference quadratic of u(R_L) and u(W), or in a degenerate case.
 */
function mayRelate(uR: bigint | null, uW: bigint, uS: bigint | null): boolean {
  if (uS === null) return uR === uW; // S·B = O: R_L = ±W
  if (uR === null) return uS === uW; // R_L = O: S·B = ±W
  if (uR === uW) return true; // R_L = ±W: no quadratic; the exact check decides
  const prod = Fp.mul(uR, uW);
  const a = Fp.sqr(Fp.sub(uR, uW));
  const b = Fp.mul(
    2n,
    Fp.add(Fp.mul(Fp.add(prod, 1n), Fp.add(uR, uW)), Fp.mul(2n * MONTGOMERY_A, prod)),
  );
  const c = Fp.sqr(Fp.sub(prod, 1n));
  return Fp.add(Fp.sub(Fp.mul(a, Fp.sqr(uS)), Fp.mul(b, uS)), c) === 0n;
}

/** What the exact route needs about one refused signature. */
export interface RefusedSignature {
  /** u(R_L) from the torsion probe (null: R_L = O; for an R that does not decode, junk). */
  readonly rPrimeU: bigint | null;
  /** R_L exactly: null when R does not decode, undefined when it cannot be found. */
  readonly rPrime: () => EdwardsPoint | null | undefined;
  /** A_L (not O) and the X25519 public key of u(A). */
  readonly aPrime: EdwardsPoint;
  readonly aMontgomery: KeyObject;
  /** S (< L) and k = SHA-512(R ‖ A ‖ M) mod L. */
  readonly s: bigint;
  readonly k: bigint;
}

/** Does [8](S·B − R − k·A) = 0 hold? Null when this route cannot tell (the reference decides). */
export function cofactoredHolds(sig: RefusedSignature): boolean | null {
  const { s, k, aMontgomery } = sig;
  const uk = uTimes(k, aMontgomery);
  if (uk === null) return null;
  const uS = s === 0n ? null : uBaseTimes(s);
  if (s !== 0n && uS === null) return null;
  if (!mayRelate(sig.rPrimeU, uk, uS)) return false;
  const rPrime = sig.rPrime();
  if (rPrime === null) return false; // R does not decode: rule 2
  if (rPrime === undefined) return null;
  const d = Point.BASE.multiplyUnsafe(s).subtract(rPrime);
  if (d.is0()) return null; // holds only if k·A_L = O, i.e. k = 0: let the reference say
  if (!hasU(d, uk)) return false;
  const uk1 = uTimes((k + 1n) % ED25519_L, aMontgomery);
  if (uk1 === null) return null;
  return hasU(d.add(sig.aPrime), uk1);
}
