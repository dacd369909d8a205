/**
 * Ed25519 keys with node:crypto, for signers (workload generation, tests, tools).
 * Verification lives in engine/crypto; this is the signing side.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { makeTx, sha256, type TxFields } from './encoding.js';
import type { Tx } from './types.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface KeyPair {
  /** Public key, hex (the identity used everywhere in the engine). */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Deterministic key pair from a seed string and a label: same inputs, same key, every run. */
export function deriveKeyPair(seed: string, label: string): KeyPair {
  const secret = sha256(Buffer.from(`ecny-bench/key/v1\0${seed}\0${label}`, 'utf8'));
  return keyPairFromSecret(secret);
}

export function keyPairFromSecret(secret: Uint8Array): KeyPair {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: spki.subarray(spki.length - 32).toString('hex'), privateKey };
}

export function signMessage(pair: KeyPair, message: Uint8Array): Buffer {
  return sign(null, message, pair.privateKey);
}

/**
 * Seed of the development central-bank key: anyone can derive it from this source, so an engine
 * trusts it only when told to with a flag that names the risk (`--insecure-dev-central-bank-key`).
 * Tests and benchmarks sign with it and pass its public key explicitly.
 */
export const DEV_CENTRAL_BANK_SEED = 'ecny-bench-central-bank';

/** Encodes, hashes and signs: the one way a workload or test produces a signed transaction. */
export function signTx(fields: TxFields, pair: KeyPair): Tx {
  const unsigned = makeTx(fields, new Uint8Array(64));
  return makeTx(fields, signMessage(pair, unsigned.txid));
}
