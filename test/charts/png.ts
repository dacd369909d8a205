/** Minimal PNG inspection for the tests: signature and the IHDR size, no decoder needed. */
import assert from 'node:assert/strict';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Asserts `bytes` is a PNG and returns its width and height from the IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.ok(bytes.length > 33, 'too short for a PNG');
  assert.deepEqual(bytes.subarray(0, 8), SIGNATURE, 'PNG signature');
  // The first chunk must be IHDR: length (4) "IHDR" (4) width (4, BE) height (4, BE).
  assert.equal(bytes.readUInt32BE(8), 13, 'IHDR length');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
