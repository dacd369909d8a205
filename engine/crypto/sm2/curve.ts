/**
 * The SM2 recommended curve (GB/T 32918.5), SM3 (GB/T 32905) through node:crypto, the user-ID
 * digest Z_A (GB/T 32918.2 §5.5), and SEC1 key encodings. Shared by the rule, both backends and
 * the signer; curve arithmetic is @noble/curves' short-Weierstrass code, nothing re-implemented.
 */
import { createHash, hash } from 'node:crypto';
import { type WeierstrassPoint, weierstrass } from '@noble/curves/abstract/weierstrass.js';

/** The recommended 256-bit prime-field curve y² = x³ + ax + b (cofactor 1). */
export const Sm2Point = weierstrass({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

export type Sm2Pt = WeierstrassPoint<bigint>;
export const SM2_CURVE = Sm2Point.CURVE();
/** Order n of the base point (the whole group: the cofactor is 1). */
export const SM2_N: bigint = SM2_CURVE.n;
export const SM2_P: bigint = SM2_CURVE.p;
/** Arithmetic mod n. */
export const Fn = Sm2Point.Fn;
export const Fp = Sm2Point.Fp;

/** GM/T 0009 default distinguishing identifier, "1234567812345678". */
export const DEFAULT_SM2_ID: Uint8Array = Buffer.from('1234567812345678', 'latin1');

/** A compressed SEC1 key (02/03 || x): the engine's one identity form of an SM2 key. */
export const SM2_KEY_LENGTH = 33;

/** 32-byte big-endian encoding of a field element or scalar. */
export function be32(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
}

/** Big-endian bytes to bigint. */
export function beToBigInt(buf: Uint8Array, at: number, len: number): bigint {
  return BigInt(`0x${Buffer.from(buf.buffer, buf.byteOffset + at, len).toString('hex')}`);
}

/** SM3 of the concatenation of `parts`. */
export function sm3(...parts: Uint8Array[]): Buffer {
  if (parts.length === 1) return hash('sm3', parts[0]!, 'buffer');
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** a || b || xG || yG: the constant middle of every Z_A input. */
const CURVE_BYTES = Buffer.concat([
  be32(SM2_CURVE.a),
  be32(SM2_CURVE.b),
  be32(SM2_CURVE.Gx),
  be32(SM2_CURVE.Gy),
]);

/**
 * Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA), ENTL_A the ID's length in bits as
 * two big-endian bytes. `uncompressed` is the key as 04 || xA || yA.
 */
export function userDigest(uncompressed: Uint8Array, id: Uint8Array = DEFAULT_SM2_ID): Buffer {
  if (id.length > 8191) throw new RangeError('an SM2 distinguishing ID is at most 8191 bytes');
  const bits = id.length * 8;
  return sm3(
    Buffer.concat([
      Uint8Array.of(bits >> 8, bits & 0xff),
      id,
      CURVE_BYTES,
      uncompressed.subarray(1, 65),
    ]),
  );
}

/**
 * A public key in SEC1 form (33-byte compressed or 65-byte uncompressed) to a curve point, or
 * null: wrong length or prefix, a coordinate not below p, not on the curve, or infinity. noble's
 * decoder checks each of these (`fromBytes` then `assertValidity`).
 */
export function decodeSm2Key(bytes: Uint8Array): Sm2Pt | null {
  const ok =
    (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) ||
    (bytes.length === 65 && bytes[0] === 4);
  if (!ok) return null;
  try {
    const point = Sm2Point.fromBytes(bytes);
    return point.is0() ? null : point;
  } catch {
    return null;
  }
}

/**
 * An uncompressed key's compressed form, after checking the point is on the curve (a square root
 * is not needed for that, so this is cheap: a few field multiplications). Null when it is not a
 * valid uncompressed key.
 */
export function compressSm2Key(uncompressed: Uint8Array): Buffer | null {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) return null;
  const x = beToBigInt(uncompressed, 1, 32);
  const y = beToBigInt(uncompressed, 33, 32);
  if (x >= SM2_P || y >= SM2_P) return null;
  const rhs = Fp.add(Fp.mul(Fp.add(Fp.sqr(x), SM2_CURVE.a), x), SM2_CURVE.b);
  if (Fp.sqr(y) !== rhs) return null;
  const out = Buffer.alloc(33);
  out[0] = 2 + Number(y & 1n);
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}
