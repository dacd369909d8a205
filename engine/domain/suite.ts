/**
 * Signature suites as the encodings see them: how long a key is in a body, how a key is written
 * on the wire, and which hash makes a transaction id. An engine speaks one suite
 * (`serve --suite`); every key in its transactions belongs to it.
 *
 * - `ed25519`: 32-byte keys (64 hex digits), ids by SHA-256.
 * - `sm2`: keys are 33-byte compressed SEC1 points (66 hex digits, 02/03 prefix); the wire also
 *   takes the 65-byte uncompressed form (130 hex digits, 04 prefix), checked to be on the curve
 *   and compressed before the body is formed, so a key has one identity. Ids by SM3.
 */
import { compressSm2Key, type SuiteName } from '../crypto/index.js';

export interface TxSuite {
  readonly name: SuiteName;
  /** Bytes of a public key in the canonical body: the identity form. */
  readonly keyLength: number;
  /** Hash of TX_DOMAIN || body, the signed message. */
  readonly txHash: 'sha256' | 'sm3';
  /** What a wire key must be, for error messages. */
  readonly keyDescription: string;
  /** A wire key (hex) to its identity form (hex), or null when it is not a key of this suite. */
  keyFromWire(value: unknown): string | null;
}

const HEX32 = /^[0-9a-f]{64}$/;
const SM2_COMPRESSED = /^0[23][0-9a-f]{64}$/;
const SM2_UNCOMPRESSED = /^04[0-9a-f]{128}$/;

export const ED25519_SUITE: TxSuite = {
  name: 'ed25519',
  keyLength: 32,
  txHash: 'sha256',
  keyDescription: '64 lowercase hex digits',
  keyFromWire: (value) => (typeof value === 'string' && HEX32.test(value) ? value : null),
};

export const SM2_SUITE: TxSuite = {
  name: 'sm2',
  keyLength: 33,
  txHash: 'sm3',
  keyDescription:
    'an SM2 public key: 66 (compressed, 02/03) or 130 (uncompressed, 04) lowercase hex digits of a curve point',
  keyFromWire(value) {
    if (typeof value !== 'string') return null;
    if (SM2_COMPRESSED.test(value)) return value;
    if (!SM2_UNCOMPRESSED.test(value)) return null;
    return compressSm2Key(Buffer.from(value, 'hex'))?.toString('hex') ?? null;
  },
};

export function txSuite(name: SuiteName): TxSuite {
  return name === 'sm2' ? SM2_SUITE : ED25519_SUITE;
}
