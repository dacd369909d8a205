/**
 * The on-disk format of the journal.
 *
 *   file   := header record*
 *   header := magic "ECNYJNL1" (8 bytes) | u32 formatVersion | u32 reserved (0)
 *   record := u32 length | u32 crc32(payload) | payload[length]
 *
 * All integers little-endian. The header lets us refuse a file that is not a journal (or is a
 * journal from a future format) with a clear error instead of "replaying" garbage.
 */
import { crc32 } from 'node:zlib';
import { JournalError } from './errors.js';

/** First 8 bytes of every journal file. */
export const MAGIC = Buffer.from('ECNYJNL1', 'latin1');
/** Bumped on any incompatible change; older builds refuse newer files. */
export const FORMAT_VERSION = 1;
/** Bytes of the file header: magic, version, reserved. */
export const HEADER_SIZE = 16;
/** Bytes before each payload: length and checksum. */
export const RECORD_OVERHEAD = 8;
/**
 * Default and hard upper bound on one payload. A length field above it is treated as corruption
 * during replay, so a flipped high bit never makes us allocate gigabytes.
 */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;
export const MAX_RECORD_BYTES_LIMIT = 64 << 20;

/** The exact 16 header bytes this version writes. */
export function encodeHeader(): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(0, 12);
  return header;
}

/**
 * Validates a complete header. Throws JOURNAL_BAD_HEADER for a file that is not a journal and
 * JOURNAL_UNSUPPORTED_VERSION for one written by another format version.
 */
export function checkHeader(bytes: Uint8Array, path: string): void {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header.length < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new JournalError(
      'JOURNAL_BAD_HEADER',
      `${path} is not an ecny-bench journal (missing ${MAGIC.toString('latin1')} magic)`,
    );
  }
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw new JournalError(
      'JOURNAL_UNSUPPORTED_VERSION',
      `${path} is journal format version ${version}; this build reads version ${FORMAT_VERSION}`,
    );
  }
}

/**
 * True when `bytes` (shorter than a header) is a prefix of the header we would write: the file
 * was created and the process died before the header was complete. Such a file holds no records,
 * so it is safe to rewrite; anything else short is refused as foreign.
 */
export function isTornHeader(bytes: Uint8Array): boolean {
  const expected = encodeHeader();
  return bytes.length < HEADER_SIZE && expected.subarray(0, bytes.length).equals(bytes);
}

/**
 * CRC-32 (IEEE, as zlib) of a payload. `previous` continues a running checksum, so
 * `checksum(b, checksum(a))` is the checksum of a ‖ b.
 */
export function checksum(payload: Uint8Array, previous = 0): number {
  return crc32(payload, previous);
}
