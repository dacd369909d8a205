/**
 * Key pairs for a workload: exactly `deriveKeyPair(seed, label)` from engine/domain, made fast.
 *
 * deriveKeyPair imports the secret as PKCS#8 DER, and OpenSSL 3's decoder makes that ~3,000 keys/s
 * on one core: the largest cost of a city-scale workload (50,000+ wallets). Importing the same
 * 32-byte secret as a JWK goes through EVP_PKEY_new_raw_private_key, which derives the public
 * key itself and is 5-10x faster; the placeholder `x` is ignored and the real public key is read
 * back. A probe compares the fast path with deriveKeyPair before it is trusted, and falls back to
 * deriveKeyPair if they ever disagree (or if a future Node.js rejects the placeholder).
 */
import { createPrivateKey } from 'node:crypto';
import type { SuiteName } from '../../engine/crypto/index.js';
import {
  deriveKeyPair,
  type Ed25519KeyPair,
  type KeyPair,
  sha256,
} from '../../engine/domain/index.js';

/** The label a workload's central-bank key is derived with. */
export const CENTRAL_BANK_LABEL = 'central-bank';

const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');
const CACHE_LIMIT = 300_000;
const cache = new Map<string, KeyPair>();
let fastPathOk: boolean | null = null;

function fastDerive(seed: string, label: string): Ed25519KeyPair {
  // Same secret as deriveKeyPair (engine/domain/keys.ts); the probe below guards the coupling.
  const secret = sha256(Buffer.from(`ecny-bench/key/v1\0${seed}\0${label}`, 'utf8'));
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: secret.toString('base64url'), x: PLACEHOLDER_X },
    format: 'jwk',
  });
  const x = privateKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('no public key in the exported JWK');
  return { publicKey: Buffer.from(x, 'base64url').toString('hex'), privateKey };
}

function probeFastPath(): boolean {
  try {
    for (const label of ['probe/a', 'probe/b']) {
      const fast = fastDerive('ecny-bench/probe', label);
      const slow = deriveKeyPair('ecny-bench/probe', label);
      if (slow.suite === 'sm2' || fast.publicKey !== slow.publicKey) return false;
      const a = fast.privateKey.export({ format: 'jwk' }).d;
      const b = slow.privateKey.export({ format: 'jwk' }).d;
      if (a !== b) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** True when the fast derivation is in use (it always yields deriveKeyPair's keys). */
export function fastKeysEnabled(): boolean {
  if (fastPathOk === null) fastPathOk = probeFastPath();
  return fastPathOk;
}

/**
 * `deriveKeyPair(seed, label, suite)`, memoised across workloads in this process (bounded), so
 * regenerating with the same seed does not re-derive. SM2 keys take the plain derivation (one
 * base-point multiplication and one inversion each; no import to speed up).
 */
export function workloadKeyPair(
  seed: string,
  label: string,
  suite: SuiteName = 'ed25519',
): KeyPair {
  const id = `${suite}\0${seed}\0${label}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const pair =
    suite === 'ed25519' && fastKeysEnabled()
      ? fastDerive(seed, label)
      : deriveKeyPair(seed, label, suite);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(id, pair);
  return pair;
}

/**
 * A workload's own central-bank key pair, derived from its generation key (`workloadKey`): the
 * same workload always signs its issuance with the same key (so it can be cached and sharded
 * across hosts), different workloads with different keys, and none with the development key an
 * engine trusts only under `--insecure-dev-central-bank-key`. The engine that runs it is told to
 * trust its public half (`meta.centralBankKey`). Anyone with the workload's inputs can derive it:
 * fine for a benchmark ledger, never for one that holds value.
 */
export function workloadCentralBankPair(
  workloadKey: string,
  suite: SuiteName = 'ed25519',
): KeyPair {
  return deriveKeyPair(`ecny-bench/workload/${workloadKey}`, CENTRAL_BANK_LABEL, suite);
}
