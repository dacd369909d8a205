/**
 * node:crypto (OpenSSL) SM2 backend, standard distinguishing ID included.
 *
 * OpenSSL 3.0 through node:crypto cannot verify standard SM2 directly: an SM2 key imported from
 * DER verifies with an empty ID (Node cannot set one), and no digest can be handed over
 * pre-hashed (docs/signatures.md). What it can do exactly is ECDSA on a curve given by explicit
 * parameters, and that is enough: ECDSA verification computes [u1]G' + [u2]P and compares its x
 * mod n with the signature's first half. Choose, per signature,
 *
 *   X  = (r - e) mod n          the x1 mod n that makes (e + x1) mod n = r
 *   s' = X / t                  so that u2 = X / s' = t
 *   G' = [γ]G, γ = s·X / (h·t)  so that [u1]G' = [h/s'][γ]G = [s]G
 *
 * with h the (constant) SHA-256 of an empty message. OpenSSL then accepts (X, s') under the
 * key P on the curve with generator G' exactly when x([s]G + [t]P) mod n = X, which is rule 5.
 * Per signature that is one native fixed-base multiplication (ECDH `setPrivateKey(γ)` yields
 * [γ]G), one key import (explicit parameters with generator G') and one native ECDSA verify;
 * JavaScript only does scalar arithmetic mod n and SM3 through node:crypto.
 *
 * The rare cases the construction cannot express (X = 0, or OpenSSL refusing the input, e.g. G'
 * happening to be G, which OpenSSL maps back to the named SM2 curve) go to the reference.
 */
import { createECDH, createHash, createPublicKey, verify } from 'node:crypto';
import { type Sm2BackendOptions, sm2Backend } from './backend.js';
import { be32, Fn, SM2_CURVE, SM2_N, Sm2Point } from './curve.js';
import { challenge, type Sm2Verifier, verifySm2Reference } from './rule.js';

/** The ECDSA message: empty, so its digest h is one constant. */
const ECDSA_MESSAGE = Buffer.alloc(0);
const H = Fn.create(BigInt(`0x${createHash('sha256').update(ECDSA_MESSAGE).digest('hex')}`));
const H_INV = Fn.inv(H);

/** Options for the native SM2 backend. */
export type Sm2NativeOptions = Sm2BackendOptions;

export function createSm2NativeVerifier(options: Sm2NativeOptions = {}): Sm2Verifier {
  const ecdh = createECDH('SM2');
  const spki = explicitSpki();
  const signature = Buffer.alloc(64);

  return sm2Backend('native', options, (key, message, r, s, t, sig, sigAt) => {
    const x = Fn.sub(r, Fn.create(challenge(key.za, message)));
    if (x === 0n) return verifySm2Reference(key, message, sig, sigAt);
    const tInv = Fn.inv(t);
    const gamma = Fn.mul(Fn.mul(s, x), Fn.mul(H_INV, tInv));
    try {
      ecdh.setPrivateKey(be32(gamma));
      spki.der.set(ecdh.getPublicKey(), spki.generatorAt);
      spki.der.set(key.uncompressed, spki.keyAt);
      const curveKey = createPublicKey({ key: spki.der, format: 'der', type: 'spki' });
      signature.set(be32(x), 0);
      signature.set(be32(Fn.mul(x, tInv)), 32);
      return verify(
        'sha256',
        ECDSA_MESSAGE,
        { key: curveKey, dsaEncoding: 'ieee-p1363' },
        signature,
      );
    } catch {
      return verifySm2Reference(key, message, sig, sigAt);
    }
  });
}

/**
 * A SubjectPublicKeyInfo for an EC key on the SM2 curve given by explicit parameters (RFC 3279
 * ECParameters), with room for a generator and a public point written per signature.
 */
function explicitSpki(): { der: Buffer; generatorAt: number; keyAt: number } {
  const placeholder = Buffer.from(Sm2Point.BASE.double().toBytes(false));
  const params = seq(
    integer(1n),
    seq(oid('2a8648ce3d0101'), integer(SM2_CURVE.p)), // prime-field
    seq(tlv(0x04, be32(SM2_CURVE.a)), tlv(0x04, be32(SM2_CURVE.b))),
    tlv(0x04, placeholder),
    integer(SM2_N),
    integer(1n),
  );
  const der = seq(
    seq(oid('2a8648ce3d0201'), params), // id-ecPublicKey
    tlv(0x03, Buffer.concat([Uint8Array.of(0), placeholder])),
  );
  return { der, generatorAt: der.indexOf(placeholder), keyAt: der.length - 65 };
}

function tlv(tag: number, body: Uint8Array): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Uint8Array.of(tag, ...len), body]);
}

function seq(...parts: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function oid(hex: string): Buffer {
  return tlv(0x06, Buffer.from(hex, 'hex'));
}

function integer(n: bigint): Buffer {
  let bytes = be32(n);
  let start = 0;
  while (start < 31 && bytes[start] === 0 && (bytes[start + 1]! & 0x80) === 0) start++;
  bytes = bytes.subarray(start);
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Uint8Array.of(0), bytes]) : bytes);
}
