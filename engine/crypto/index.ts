/**
 * The crypto folder's one public door: the rest of the engine imports only from here.
 *
 * Every backend of every suite applies the same verification rule (docs/signatures.md); a new
 * suite (SM2, secp256k1 Schnorr, P-256) is one more folder beside ed25519/ and one more entry
 * in FACTORIES.
 */
import { createNativeVerifier } from './ed25519/native.js';
import { createNobleVerifier } from './ed25519/noble.js';
import { isAcceptableEd25519PublicKey, isWellFormedEd25519PublicKey } from './ed25519/rule.js';
import type { BackendName, SuiteName, Verifier } from './verifier.js';

export * from './verifier.js';

const FACTORIES: Record<SuiteName, Record<BackendName, () => Verifier>> = {
  ed25519: {
    native: () => createNativeVerifier(),
    noble: () => createNobleVerifier(),
  },
};

/**
 * An Ed25519 verifier for `backend`. Each verifier owns its key cache, so create one per thread
 * and reuse it.
 *
 * - `native`: node:crypto (OpenSSL) per item, wrapped to the engine rule.
 * - `noble`: @noble/curves; a batch of more than one item is verified as a true batch.
 */
export function createVerifier(backend: BackendName): Verifier {
  return createSuiteVerifier('ed25519', backend);
}

/** A verifier for any suite (only Ed25519 so far). */
export function createSuiteVerifier(suite: SuiteName, backend: BackendName): Verifier {
  const factory = FACTORIES[suite]?.[backend];
  if (factory === undefined) throw new RangeError(`unknown verifier ${suite}/${backend}`);
  return factory();
}

/**
 * Registration-time public-key check (Ed25519): 32 bytes, canonical, decodes to a curve point,
 * not of small order, and torsion-free. Not for the hot path (one scalar multiplication by L).
 */
export function isAcceptablePublicKey(key: Uint8Array): boolean {
  return isAcceptableEd25519PublicKey(key);
}

/**
 * The byte-level half of `isAcceptablePublicKey` (Ed25519): 32 bytes, canonical encoding, not one
 * of the 8 small-order encodings. No curve arithmetic (well under a microsecond), so it does not
 * prove the key decodes or is torsion-free: only for keys that already passed
 * `isAcceptablePublicKey` before being journaled (recovery, engine/service/service.ts).
 */
export function isWellFormedPublicKey(key: Uint8Array): boolean {
  return isWellFormedEd25519PublicKey(key);
}
