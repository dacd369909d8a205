/**
 * The keys of the worked examples in docs/api.md: fixed, documented test seeds, so every example
 * can be reproduced byte for byte. Never use them for anything that holds value: they are public.
 */
import { type SuiteName, userDigest } from '../../engine/crypto/index.js';
import { type KeyPair, keyPairFromSecret, sha256, walletIdOf } from '../../engine/domain/index.js';

export interface ExampleKey {
  /** Short name used in the examples (`central-bank`, `bank`, `alice`, ...). */
  readonly name: string;
  readonly role: 'central-bank' | 'bank' | 'wallet';
  readonly suite: SuiteName;
  /**
   * The private key as an integrator loads it, hex: Ed25519, the 32-byte seed (RFC 8032's
   * private key); SM2, the scalar d, 32 bytes big-endian.
   */
  readonly privateHex: string;
  readonly pair: KeyPair;
  /** Public key, hex: 32 bytes (Ed25519) or the 33-byte compressed point (SM2). */
  readonly publicKey: string;
  /** SM2 only: the uncompressed point 04 || x || y, hex. */
  readonly uncompressed?: string;
  /** SM2 only: Z_A under the default distinguishing ID, hex. */
  readonly za?: string;
  readonly walletId: string;
}

/** The 32 secret bytes of an example key: SHA-256 of its label (documented in docs/api.md). */
export function exampleSecret(suite: SuiteName, name: string): Buffer {
  return sha256(Buffer.from(`ecny-bench api example ${suite} ${name}`, 'utf8'));
}

export function exampleKey(suite: SuiteName, name: string, role: ExampleKey['role']): ExampleKey {
  const secret = exampleSecret(suite, name);
  const pair = keyPairFromSecret(secret, suite);
  if (pair.suite === 'sm2') {
    const { sm2 } = pair;
    return {
      name,
      role,
      suite,
      privateHex: sm2.privateKey.toString(16).padStart(64, '0'),
      pair,
      publicKey: pair.publicKey,
      uncompressed: sm2.uncompressed.toString('hex'),
      za: userDigest(sm2.uncompressed).toString('hex'),
      walletId: walletIdOf(pair.publicKey),
    };
  }
  return {
    name,
    role,
    suite,
    privateHex: secret.toString('hex'),
    pair,
    publicKey: pair.publicKey,
    walletId: walletIdOf(pair.publicKey),
  };
}
