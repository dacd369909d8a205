/**
 * The one signature-verification interface.
 *
 * A batch is packed as `count` fixed-size items in one byte array, so it crosses threads as a
 * single transferable buffer instead of an object graph. The item size depends on the suite's
 * key length (`itemLayout`):
 *
 *   Ed25519, item i at i * 128:  publicKey[32] | message[32] | signature[64]
 *   SM2,     item i at i * 129:  publicKey[33] | message[32] | signature[64] (r || s)
 *
 * The message is always a 32-byte transaction id. Verdicts come back as one byte per item:
 * 1 = valid, 0 = invalid. Invalid input never throws; only caller misuse (a buffer shorter than
 * count items) does.
 */
export const ITEM_SIZE = 128;
export const KEY_OFFSET = 0;
export const MESSAGE_OFFSET = 32;
export const SIGNATURE_OFFSET = 64;

export const SUITE_NAMES = ['ed25519', 'sm2'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];
export type BackendName = 'native' | 'noble';

/** Where the parts of one packed item sit, per suite. */
export interface ItemLayout {
  readonly keyLength: number;
  readonly messageOffset: number;
  readonly signatureOffset: number;
  readonly itemSize: number;
}

const LAYOUTS: Record<SuiteName, ItemLayout> = {
  ed25519: { keyLength: 32, messageOffset: 32, signatureOffset: 64, itemSize: ITEM_SIZE },
  // The engine's SM2 key identity is the 33-byte compressed SEC1 form.
  sm2: { keyLength: 33, messageOffset: 33, signatureOffset: 65, itemSize: 129 },
};

export function itemLayout(suite: SuiteName): ItemLayout {
  const layout = LAYOUTS[suite];
  if (layout === undefined) throw new RangeError(`unknown suite ${suite}`);
  return layout;
}

export function isSuiteName(value: unknown): value is SuiteName {
  return (SUITE_NAMES as readonly unknown[]).includes(value);
}

/** In-process verification (tests, micro-benchmarks, and the body of every pool worker). */
export interface Verifier {
  readonly suite: SuiteName;
  readonly backend: BackendName;
  /** One verdict byte per item, in order. */
  verifyBatch(items: Uint8Array, count: number): Uint8Array;
}

/**
 * Writes one item into a batch buffer (Ed25519 layout unless given). A key shorter than the
 * layout's (never from a decoded transaction) leaves zero bytes behind it: an invalid key.
 */
export function packItem(
  into: Uint8Array,
  index: number,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  layout: ItemLayout = LAYOUTS.ed25519,
): void {
  const at = index * layout.itemSize;
  const k = layout.keyLength;
  // Exact-length inputs (the usual case) are copied without allocating a view first.
  if (publicKey.length !== k) into.fill(0, at, at + k);
  into.set(publicKey.length <= k ? publicKey : publicKey.subarray(0, k), at);
  into.set(message.length === 32 ? message : message.subarray(0, 32), at + layout.messageOffset);
  into.set(
    signature.length === 64 ? signature : signature.subarray(0, 64),
    at + layout.signatureOffset,
  );
}
