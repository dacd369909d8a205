/**
 * The one signature-verification interface.
 *
 * A batch is packed as `count` fixed-size items in one byte array, so it crosses threads as a
 * single transferable buffer instead of an object graph:
 *
 *   item i at offset i * ITEM_SIZE:  publicKey[32] | message[32] | signature[64]
 *
 * The message is always a 32-byte transaction id. Verdicts come back as one byte per item:
 * 1 = valid, 0 = invalid. Invalid input never throws; only caller misuse (a buffer shorter than
 * count items) does.
 */
export const ITEM_SIZE = 128;
export const KEY_OFFSET = 0;
export const MESSAGE_OFFSET = 32;
export const SIGNATURE_OFFSET = 64;

export type SuiteName = 'ed25519';
export type BackendName = 'native' | 'noble';

/** In-process verification (tests, micro-benchmarks, and the body of every pool worker). */
export interface Verifier {
  readonly suite: SuiteName;
  readonly backend: BackendName;
  /** One verdict byte per item, in order. */
  verifyBatch(items: Uint8Array, count: number): Uint8Array;
}

/** Writes one item into a batch buffer. */
export function packItem(
  into: Uint8Array,
  index: number,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): void {
  const at = index * ITEM_SIZE;
  // Exact-length inputs (the usual case) are copied without allocating a view first.
  into.set(publicKey.length === 32 ? publicKey : publicKey.subarray(0, 32), at + KEY_OFFSET);
  into.set(message.length === 32 ? message : message.subarray(0, 32), at + MESSAGE_OFFSET);
  into.set(signature.length === 64 ? signature : signature.subarray(0, 64), at + SIGNATURE_OFFSET);
}
