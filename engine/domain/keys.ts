/**
 * Key pairs for signers (workload generation, tests, tools), per suite: Ed25519 with node:crypto,
 * SM2 with the standard distinguishing ID (engine/crypto/sm2/sign.ts). Verification lives in
 * engine/crypto; this is the signing side.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { type Sm2SigningKey, type SuiteName, sm2KeyFromSecret, sm2Sign } from '../crypto/index.js';
import { makeTx, sha256, type TxFields } from './encoding.js';
import { txSuite } from './suite.js';
import type { Tx } from './types.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key pair (the default suite). */
export interface Ed25519KeyPair {
  readonly suite?: 'ed25519';
  /** Public key, hex (the identity used everywhere in the engine). */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** An SM2 key pair: the public key is the compressed form (66 hex digits). */
export interface Sm2KeyPair {
  readonly suite: 'sm2';
  readonly publicKey: string;
  readonly sm2: Sm2SigningKey;
}

export type KeyPair = Ed25519KeyPair | Sm2KeyPair;

/** Deterministic key pair from a seed string and a label: same inputs, same key, every run. */
export function deriveKeyPair(seed: string, label: string, suite: SuiteName = 'ed25519'): KeyPair {
  const secret = sha256(Buffer.from(`ecny-bench/key/v1\0${seed}\0${label}`, 'utf8'));
  return keyPairFromSecret(secret, suite);
}

export function keyPairFromSecret(secret: Uint8Array, suite: SuiteName = 'ed25519'): KeyPair {
  if (suite === 'sm2') {
    const sm2 = sm2KeyFromSecret(secret);
    return { suite, publicKey: sm2.publicKey.toString('hex'), sm2 };
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: spki.subarray(spki.length - 32).toString('hex'), privateKey };
}

export function signMessage(pair: KeyPair, message: Uint8Array): Buffer {
  return pair.suite === 'sm2' ? sm2Sign(pair.sm2, message) : sign(null, message, pair.privateKey);
}

/** The suite a key pair belongs to. */
export function suiteOf(pair: KeyPair): SuiteName {
  return pair.suite ?? 'ed25519';
}

/**
 * Seed of the development central-bank key: anyone can derive it from this source, so an engine
 * trusts it only when told to with a flag that names the risk (`--insecure-dev-central-bank-key`).
 * Tests and benchmarks sign with it and pass its public key explicitly.
 */
export const DEV_CENTRAL_BANK_SEED = 'ecny-bench-central-bank';

/** Encodes, hashes and signs: the one way a workload or test produces a signed transaction. */
export function signTx(fields: TxFields, pair: KeyPair): Tx {
  const suite = txSuite(suiteOf(pair));
  const unsigned = makeTx(fields, new Uint8Array(64), suite);
  return makeTx(fields, signMessage(pair, unsigned.txid), suite);
}
