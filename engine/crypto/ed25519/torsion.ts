/**
 * Is a canonical Ed25519 encoding a point of the prime-order subgroup? One X25519 call (OpenSSL)
 * per point instead of a scalar multiplication by L in JavaScript (~1 ms). The native backend
 * uses it to accept OpenSSL's cofactorless "invalid" as the rule's verdict (docs/signatures.md).
 *
 * Why it works. E(F_p) is cyclic of order 8L; every point is P = P_L + P_t, a prime-order part
 * and a torsion part. X25519 multiplies the point with Montgomery coordinate u by a clamped
 * scalar c (a multiple of 8, which kills P_t) and returns the u of the result. We fix c ≡ −1
 * (mod L), so X25519(c, u(P)) = u(−P_L) = u(P_L), and
 *   u(P_L) = u(P)  ⇔  P_L = ±P  ⇔  P_t = 0 (P_L = −P would need 2P_L = −P_t, so P = 0).
 * A y that does not decode gives a u on the quadratic twist (order 4·L', L' prime), where
 * [c]Q = ±Q would need ord(Q) | c ∓ 1: checked false for this c when the module loads. So
 * "X25519 returns the same u" ⇔ the encoding decodes to a torsion-free point.
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ED25519_L } from './rule.js';

const Fp = ed25519.Point.Fp;
const P = Fp.ORDER;

/** c = 8·t with t ≡ ±8⁻¹ (mod L) chosen in [2^251, 2^252), so clamping leaves c unchanged. */
const CLAMPED_MINUS_ONE = ((): bigint => {
  const inv8 = (3n * ED25519_L + 1n) / 8n; // 8·inv8 = 3L + 1 ≡ 1 (mod L)
  const t = inv8 >= 1n << 251n ? inv8 : ED25519_L - inv8;
  const c = 8n * t;
  if (c < 1n << 254n || c >= 1n << 255n) throw new Error('torsion: scalar outside clamp range');
  // c ≡ −1 (mod L) is what the argument above needs; c ≡ +1 would serve as well (u(−Q) = u(Q)).
  if ((c + 1n) % ED25519_L !== 0n && (c - 1n) % ED25519_L !== 0n)
    throw new Error('torsion: scalar is not ±1 mod L');
  // The twist: 2(p + 1) − 8L points, four times a prime. No twist point of odd order may satisfy
  // [c]Q = ±Q, i.e. the twist's prime must divide neither c − 1 nor c + 1.
  const twistPrime = (2n * (P + 1n) - 8n * ED25519_L) / 4n;
  if ((c - 1n) % twistPrime === 0n || (c + 1n) % twistPrime === 0n)
    throw new Error('torsion: scalar also fixes twist points');
  return c;
})();

/** PKCS#8 wrapping of a raw X25519 private scalar (RFC 8410). */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

const SCALAR_KEY: KeyObject = createPrivateKey({
  key: Buffer.concat([PKCS8_X25519_PREFIX, bigToLe(CLAMPED_MINUS_ONE)]),
  format: 'der',
  type: 'pkcs8',
});

export function bigToLe(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++)
    out.writeBigUInt64LE((n >> BigInt(64 * i)) & 0xffff_ffff_ffff_ffffn, 8 * i);
  return out;
}

/** y of the encoding at `at` (sign bit dropped); callers have checked y < p. */
function yAt(buf: Uint8Array, at: number): bigint {
  const view = new DataView(buf.buffer, buf.byteOffset + at, 32);
  let y = 0n;
  for (let i = 3; i >= 0; i--) y = (y << 64n) | view.getBigUint64(8 * i, true);
  return y & ((1n << 255n) - 1n);
}

/** What one X25519 call tells about a canonical encoding (see the top of this file). */
export interface TorsionProbe {
  /** It decodes to a point of the prime-order subgroup (the identity included). */
  readonly torsionFree: boolean;
  /** Its Montgomery u (32 bytes, little-endian), or null for the identity (y = 1). */
  readonly u: Buffer | null;
  /**
   * u of its prime-order part when it decodes (X25519's answer), or null when that part is the
   * identity (a small-order point) or it is the identity itself.
   */
  readonly primeU: bigint | null;
}

/**
 * Probes each canonical encoding (32 bytes of `buf` at each offset, y < p already checked). One
 * field inversion for all of them (Montgomery's trick) and one X25519 each.
 */
export function probeAt(buf: Uint8Array, offsets: readonly number[]): TorsionProbe[] {
  const n = offsets.length;
  const result = new Array<TorsionProbe>(n);
  // u = (1 + y) / (1 − y): the birational map to the Montgomery curve X25519 works on.
  const ys: bigint[] = [];
  const dens: bigint[] = [];
  const which: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = yAt(buf, offsets[i]!);
    if (y === 1n) {
      result[i] = { torsionFree: true, u: null, primeU: null }; // the identity
      continue;
    }
    ys.push(y);
    dens.push(Fp.sub(1n, y));
    which.push(i);
  }
  if (which.length === 0) return result;
  const inverses = Fp.invertBatch(dens);
  for (let j = 0; j < which.length; j++) {
    const y = ys[j]!;
    const u = bigToLe(Fp.mul(Fp.add(1n, y), inverses[j]!));
    const out = x25519(u);
    result[which[j]!] = {
      torsionFree: out?.equals(u) ?? false,
      u,
      primeU: out === null ? null : leToBig(out),
    };
  }
  return result;
}

/** `probeAt`, the verdicts only: true when the encoding is a torsion-free curve point. */
export function torsionFreeAt(buf: Uint8Array, offsets: readonly number[]): boolean[] {
  return probeAt(buf, offsets).map((p) => p.torsionFree);
}

function leToBig(b: Buffer): bigint {
  let n = 0n;
  for (let i = 3; i >= 0; i--) n = (n << 64n) | b.readBigUInt64LE(8 * i);
  return n;
}

/** X25519(c, u), or null when OpenSSL refuses the all-zero result ([c]P = O: small order). */
function x25519(u: Buffer): Buffer | null {
  try {
    return diffieHellman({ privateKey: SCALAR_KEY, publicKey: x25519PublicKey(u) });
  } catch {
    return null;
  }
}

/** An X25519 public key for a Montgomery u (32 bytes): any u is accepted. */
export function x25519PublicKey(u: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: u.toString('base64url') },
    format: 'jwk',
  });
}
