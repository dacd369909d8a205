/** Byte helpers shared by the verification backends. */
import { ITEM_SIZE } from './verifier.js';

/**
 * A zero-copy Buffer view over `count` packed items (Buffer gives fast copy/compare/latin1 keys).
 * Throws only on caller misuse: a bad count or a buffer shorter than `count` items.
 */
export function itemsView(items: Uint8Array, count: number, itemSize = ITEM_SIZE): Buffer {
  if (!Number.isInteger(count) || count < 0 || items.length < count * itemSize) {
    throw new RangeError(
      `verifyBatch: need ${count} items of ${itemSize} bytes, got ${items.length} bytes`,
    );
  }
  return Buffer.from(items.buffer, items.byteOffset, count * itemSize);
}

/** Little-endian bytes to bigint, 64 bits at a time (`len` a multiple of 8). */
export function leToBigInt(buf: Buffer, at: number, len: number): bigint {
  let n = 0n;
  for (let j = at + len - 8; j >= at; j -= 8) n = (n << 64n) | buf.readBigUInt64LE(j);
  return n;
}
