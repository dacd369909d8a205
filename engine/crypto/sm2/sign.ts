/**
 * SM2 signing (GB/T 32918.2 §6) for workloads, tests and tools; the engine only verifies. The
 * nonce is deterministic (HMAC-SM3 of the private key over e and a counter, in the spirit of
 * RFC 6979) so a seeded workload signs to the same bytes every run; [k]G comes from OpenSSL
 * (ECDH `setPrivateKey` returns it), the rest is scalar arithmetic mod n.
 */
import { createECDH, createHmac } from 'node:crypto';
import { be32, beToBigInt, DEFAULT_SM2_ID, Fn, SM2_N, Sm2Point, userDigest } from './curve.js';
import { challenge } from './rule.js';

/** A private key with everything signing needs precomputed. */
export interface Sm2SigningKey {
  readonly privateKey: bigint;
  /** Compressed SEC1 (33 bytes): the engine's identity form. */
  readonly publicKey: Buffer;
  readonly uncompressed: Buffer;
  readonly za: Buffer;
  /** (1 + d)^-1 mod n. */
  readonly dPlusOneInv: bigint;
}

const ecdh = createECDH('SM2');

/** A signing key from 32 secret bytes: d = secret mod (n - 1) + 1, so d is in [1, n-1]. */
export function sm2KeyFromSecret(
  secret: Uint8Array,
  id: Uint8Array = DEFAULT_SM2_ID,
): Sm2SigningKey {
  let d = (beToBigInt(secret, 0, secret.length) % (SM2_N - 1n)) + 1n;
  // d = n - 1 has no (1 + d)^-1; shift it (one key in 2^256).
  if (d === SM2_N - 1n) d = 1n;
  const point = Sm2Point.BASE.multiply(d);
  const uncompressed = Buffer.from(point.toBytes(false));
  return {
    privateKey: d,
    publicKey: Buffer.from(point.toBytes(true)),
    uncompressed,
    za: userDigest(uncompressed, id),
    dPlusOneInv: Fn.inv(d + 1n),
  };
}

/** Signs a message (the 32-byte transaction id): r || s, 64 bytes. */
export function sm2Sign(key: Sm2SigningKey, message: Uint8Array): Buffer {
  const e = Fn.create(challenge(key.za, message));
  const d = key.privateKey;
  const dBytes = be32(d);
  for (let counter = 0; ; counter++) {
    const mac = createHmac('sm3', dBytes).update(be32(e)).update(Uint8Array.of(counter)).digest();
    const k = (beToBigInt(mac, 0, 32) % (SM2_N - 1n)) + 1n;
    ecdh.setPrivateKey(be32(k));
    const x1 = beToBigInt(ecdh.getPublicKey(), 1, 32);
    const r = Fn.add(e, Fn.create(x1));
    if (r === 0n || Fn.add(r, k) === 0n) continue;
    const s = Fn.mul(key.dPlusOneInv, Fn.sub(k, Fn.mul(r, d)));
    if (s === 0n) continue;
    return Buffer.concat([be32(r), be32(s)]);
  }
}

/** The standard's signing equations with a given nonce k (test vectors only). */
export function sm2SignWithNonce(key: Sm2SigningKey, message: Uint8Array, k: bigint): Buffer {
  const e = Fn.create(challenge(key.za, message));
  const x1 = Sm2Point.BASE.multiply(k).toAffine().x;
  const r = Fn.add(e, Fn.create(x1));
  const s = Fn.mul(key.dPlusOneInv, Fn.sub(k, Fn.mul(r, key.privateKey)));
  return Buffer.concat([be32(r), be32(s)]);
}
