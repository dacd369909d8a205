/**
 * The crypto folder's one public door: the rest of the engine imports only from here.
 *
 * Two suites, Ed25519 (ed25519/) and SM2 with SM3 (sm2/); every backend of a suite applies that
 * suite's one verification rule (docs/signatures.md). A new suite (secp256k1 Schnorr, P-256) is
 * one more folder and one more entry in FACTORIES.
 */
import { createNativeVerifier } from './ed25519/native.js';
import { createNobleVerifier } from './ed25519/noble.js';
import { isAcceptableEd25519PublicKey, isWellFormedEd25519PublicKey } from './ed25519/rule.js';
import { createSm2NativeVerifier } from './sm2/native.js';
import { createSm2NobleVerifier } from './sm2/noble.js';
import { isAcceptableSm2PublicKey, isWellFormedSm2PublicKey } from './sm2/rule.js';
import type { BackendName, SuiteName, Verifier } from './verifier.js';

export {
  compressSm2Key,
  DEFAULT_SM2_ID,
  decodeSm2Key,
  SM2_KEY_LENGTH,
  sm3,
  userDigest,
} from './sm2/curve.js';
export {
  type Sm2SigningKey,
  sm2KeyFromSecret,
  sm2Sign,
  sm2SignWithNonce,
} from './sm2/sign.js';
export * from './verifier.js';

/** Per-verifier options every suite understands. */
export interface VerifierOptions {
  /** SM2 only: the distinguishing ID (default 1234567812345678, GM/T 0009). */
  readonly sm2Id?: Uint8Array;
}

const FACTORIES: Record<SuiteName, Record<BackendName, (o: VerifierOptions) => Verifier>> = {
  ed25519: {
    native: () => createNativeVerifier(),
    noble: () => createNobleVerifier(),
  },
  sm2: {
    native: (o) => createSm2NativeVerifier(o.sm2Id ? { id: o.sm2Id } : {}),
    noble: (o) => createSm2NobleVerifier(o.sm2Id ? { id: o.sm2Id } : {}),
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

/**
 * A verifier for any suite.
 *
 * - `sm2/native`: OpenSSL arithmetic for the standard SM2 rule (ECDSA on explicit parameters,
 *   docs/signatures.md), SM3 through node:crypto.
 * - `sm2/noble`: @noble/curves, item by item (SM2 has no sound batch equation).
 */
export function createSuiteVerifier(
  suite: SuiteName,
  backend: BackendName,
  options: VerifierOptions = {},
): Verifier {
  const factory = FACTORIES[suite]?.[backend];
  if (factory === undefined) throw new RangeError(`unknown verifier ${suite}/${backend}`);
  return factory(options);
}

/**
 * Registration-time public-key check. Ed25519: 32 bytes, canonical, decodes to a curve point,
 * not of small order, and torsion-free (one scalar multiplication by L). SM2: a SEC1 point on the
 * curve, not infinity, coordinates below p (one square root for a compressed key). Not for the
 * hot path.
 */
export function isAcceptablePublicKey(key: Uint8Array, suite: SuiteName = 'ed25519'): boolean {
  return suite === 'sm2' ? isAcceptableSm2PublicKey(key) : isAcceptableEd25519PublicKey(key);
}

/**
 * The byte-level half of `isAcceptablePublicKey` (Ed25519): 32 bytes, canonical encoding, not one
 * of the 8 small-order encodings. No curve arithmetic (well under a microsecond), so it does not
 * prove the key decodes or is torsion-free: only for keys that already passed
 * `isAcceptablePublicKey` before being journaled (recovery, engine/service/service.ts).
 */
export function isWellFormedPublicKey(key: Uint8Array, suite: SuiteName = 'ed25519'): boolean {
  return suite === 'sm2' ? isWellFormedSm2PublicKey(key) : isWellFormedEd25519PublicKey(key);
}
