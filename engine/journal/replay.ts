/**
 * Recovery: read the records back in order and cut the file at the first one that is not whole.
 *
 * Rules (see docs/journal.md):
 * - A record is good when its length is sane, all its bytes are present and its CRC matches.
 * - The first bad record ends the journal: it and everything after it are dropped and the file is
 *   truncated to the good prefix, so new appends follow good data. Nothing is half-applied: a
 *   record reaches `onRecord` only after it has been validated in full.
 * - A bad record in the MIDDLE followed by good records is still treated as the end. We cannot
 *   safely tell mid-file corruption from a torn tail (after a torn write, whatever follows is
 *   garbage that may look valid by chance; after bit rot, the records behind it were genuinely
 *   acknowledged). Resuming past a hole would also apply later transactions without the earlier
 *   ones they may depend on. So we stop, and report it loudly instead: `recordsAfterCorruption`
 *   counts the valid-looking records we dropped, a warning is raised, and the dropped bytes are
 *   kept in a side file for forensics.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JournalError } from './errors.js';
import {
  checkHeader,
  checksum,
  DEFAULT_MAX_RECORD_BYTES,
  encodeHeader,
  HEADER_SIZE,
  isTornHeader,
  MAX_RECORD_BYTES_LIMIT,
  RECORD_OVERHEAD,
} from './format.js';

/** Why replay stopped before the end of the file. */
export type DropReason =
  /** The file ends inside a record (a crash mid-append), or in a zero-filled tail. */
  | 'torn-tail'
  /** The file ends inside the file header (a crash while creating it); the header is rewritten. */
  | 'torn-header'
  /** A record's length field is 0 or above `maxRecordBytes`: corruption. */
  | 'bad-length'
  /** A record's bytes are all there but its CRC does not match: corruption. */
  | 'bad-checksum';

/** What replay found and did. */
export interface ReplayReport {
  /** Good records, delivered to `onRecord` in file order. */
  readonly records: number;
  /** Length of the good prefix, header included: the file's length after recovery. */
  readonly bytes: number;
  /** Bytes after the good prefix that were (or, without `repair`, would be) cut off. */
  readonly droppedBytes: number;
  /** Why the file was cut, or null when it was whole. */
  readonly reason: DropReason | null;
  /** One line for the operator's log. */
  readonly message: string;
  /**
   * Records with a valid CRC found right behind the bad one (by following its length field).
   * Above 0 means this was most likely mid-file corruption, not a torn write, and acknowledged
   * records were lost: page someone.
   */
  readonly recordsAfterCorruption: number;
  /** Side file holding the dropped bytes (kept for corruption, not for torn tails), or null. */
  readonly droppedPath: string | null;
  /** True when the file was modified (truncated or header rewritten). */
  readonly repaired: boolean;
}

/** Called once per good record, in order. The payload is a fresh copy the callee may keep. */
export type OnRecord = (payload: Uint8Array, index: number) => void;

/** Options shared by `replay` and `Journal.open`. */
export interface ReplayOptions {
  /** Largest payload accepted (and believed during replay). Default 1 MiB, at most 64 MiB. */
  readonly maxRecordBytes?: number;
  /**
   * Truncate the file to its good prefix (default true). False is a read-only inspection: the
   * report says what would be dropped. `Journal.open` always repairs.
   */
  readonly repair?: boolean;
  /** Copy bytes dropped for corruption to `<path>.dropped-<offset>-<time>` first (default true). */
  readonly preserveDropped?: boolean;
  /** Where the corruption warning goes; default `process.emitWarning`. */
  readonly warn?: (message: string) => void;
}

/** Paths (resolved) a Journal in this process currently has open for writing. */
export const openPaths = new Set<string>();

const READ_CHUNK = 1 << 20;

export function resolveMaxRecordBytes(value: number | undefined): number {
  const max = value ?? DEFAULT_MAX_RECORD_BYTES;
  if (!Number.isSafeInteger(max) || max < 1 || max > MAX_RECORD_BYTES_LIMIT) {
    throw new JournalError(
      'JOURNAL_BAD_OPTIONS',
      `maxRecordBytes must be an integer in [1, ${MAX_RECORD_BYTES_LIMIT}], got ${value}`,
    );
  }
  return max;
}

/**
 * Reads a journal, calling `onRecord` for each good record in order, and (by default) truncates
 * it to its good prefix. Throws JOURNAL_BAD_HEADER / JOURNAL_UNSUPPORTED_VERSION for a file that
 * is not a journal of this format, and refuses a path a Journal in this process has open.
 * If `onRecord` throws, replay stops with that error and the file is left untouched.
 */
export async function replay(
  path: string,
  onRecord: OnRecord,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  if (openPaths.has(resolve(path))) {
    throw new JournalError('JOURNAL_LOCKED', `${path} is open for writing in this process`);
  }
  const repair = options.repair ?? true;
  const fh = await open(path, repair ? 'r+' : 'r');
  try {
    return await recover(fh, path, onRecord, options);
  } finally {
    await fh.close();
  }
}

/** Buffered positional reader: one big read serves many small records. */
class Reader {
  #buf = Buffer.allocUnsafe(READ_CHUNK);
  #start = 0;
  #len = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
  ) {}

  /** File bytes [pos, pos + n) if already buffered (no I/O), else undefined. Valid until the next read. */
  buffered(pos: number, n: number): Buffer | undefined {
    if (pos < this.#start || pos + n > this.#start + this.#len) return undefined;
    const at = pos - this.#start;
    return this.#buf.subarray(at, at + n);
  }

  /** File bytes [pos, pos + n), which the caller has checked lie before EOF. Valid until the next call. */
  async view(pos: number, n: number): Promise<Buffer> {
    if (pos < this.#start || pos + n > this.#start + this.#len) {
      const want = Math.min(Math.max(n, READ_CHUNK), this.size - pos);
      if (this.#buf.length < want) this.#buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await this.fh.read(this.#buf, got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      this.#start = pos;
      this.#len = got;
      if (got < n) throw new Error(`journal shrank while being replayed (at offset ${pos})`);
    }
    const at = pos - this.#start;
    return this.#buf.subarray(at, at + n);
  }
}

type Verdict =
  | { readonly ok: true; readonly length: number; readonly payload: Buffer }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

/**
 * A whole, good record that is already buffered, without a promise per record (most records;
 * replay of a city-scale journal is a few hundred thousand of them). Undefined means "ask
 * readRecord", which decides every case, this one included, the same way.
 */
function bufferedGoodRecord(
  reader: Reader,
  pos: number,
  size: number,
  maxRecordBytes: number,
): Verdict | undefined {
  if (size - pos < RECORD_OVERHEAD) return undefined;
  const head = reader.buffered(pos, RECORD_OVERHEAD);
  if (head === undefined) return undefined;
  const length = head.readUInt32LE(0);
  if (length === 0 || length > maxRecordBytes || pos + RECORD_OVERHEAD + length > size) {
    return undefined;
  }
  const payload = reader.buffered(pos + RECORD_OVERHEAD, length);
  if (payload === undefined || checksum(payload) !== head.readUInt32LE(4)) return undefined;
  return { ok: true, length, payload };
}

async function readRecord(
  reader: Reader,
  pos: number,
  size: number,
  maxRecordBytes: number,
): Promise<Verdict> {
  if (size - pos < RECORD_OVERHEAD) {
    return { ok: false, reason: 'torn-tail', detail: `${size - pos} bytes of a record header` };
  }
  const head = await reader.view(pos, RECORD_OVERHEAD);
  const length = head.readUInt32LE(0);
  const crc = head.readUInt32LE(4);
  if (length === 0 || length > maxRecordBytes) {
    // Some filesystems extend a file before its data lands, so a crash can leave zeros at the
    // end. That is a torn tail, not corruption; it is also why empty payloads are not allowed:
    // a zero length with a zero CRC would read as a valid empty record.
    if (length === 0 && crc === 0 && (await zerosFrom(reader, pos, size))) {
      return { ok: false, reason: 'torn-tail', detail: `${size - pos} zero bytes` };
    }
    return { ok: false, reason: 'bad-length', detail: `length field ${length}` };
  }
  if (pos + RECORD_OVERHEAD + length > size) {
    const have = size - pos - RECORD_OVERHEAD;
    return { ok: false, reason: 'torn-tail', detail: `${have} of ${length} payload bytes` };
  }
  const payload = await reader.view(pos + RECORD_OVERHEAD, length);
  if (checksum(payload) !== crc) {
    return { ok: false, reason: 'bad-checksum', detail: `CRC mismatch in a ${length}-byte record` };
  }
  return { ok: true, length, payload };
}

async function zerosFrom(reader: Reader, pos: number, size: number): Promise<boolean> {
  for (let at = pos; at < size; ) {
    const n = Math.min(READ_CHUNK, size - at);
    const chunk = await reader.view(at, n);
    for (let i = 0; i < n; i++) if (chunk[i] !== 0) return false;
    at += n;
  }
  return true;
}

/** Counts consecutive valid records from `pos`: evidence that a bad record was mid-file. */
async function countValid(reader: Reader, pos: number, size: number, max: number): Promise<number> {
  let count = 0;
  for (let at = pos; at < size; count++) {
    const verdict = await readRecord(reader, at, size, max);
    if (!verdict.ok) break;
    at += RECORD_OVERHEAD + verdict.length;
  }
  return count;
}

/**
 * The recovery core, on a handle opened 'r+' (or 'r' when not repairing). Used by `replay` and
 * by `Journal.open`, which is why a Journal can never append behind a torn tail.
 */
export async function recover(
  fh: FileHandle,
  path: string,
  onRecord: OnRecord | undefined,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const repair = options.repair ?? true;
  const maxRecordBytes = resolveMaxRecordBytes(options.maxRecordBytes);
  const size = (await fh.stat()).size;

  if (size < HEADER_SIZE) {
    const head = Buffer.alloc(size);
    if (size > 0) await fh.read(head, 0, size, 0);
    if (!isTornHeader(head)) checkHeader(head, path); // throws the precise error
    if (repair) {
      // No record can exist yet, so rewriting the header loses nothing.
      await fh.truncate(0);
      await fh.write(encodeHeader(), 0, HEADER_SIZE, 0);
      await fh.sync();
    }
    return {
      records: 0,
      bytes: repair ? HEADER_SIZE : 0,
      droppedBytes: size,
      reason: 'torn-header',
      message: `${path}: header incomplete (${size} bytes), ${repair ? 'rewritten' : 'not repaired'}`,
      recordsAfterCorruption: 0,
      droppedPath: null,
      repaired: repair,
    };
  }

  const reader = new Reader(fh, size);
  checkHeader(await reader.view(0, HEADER_SIZE), path);

  let pos = HEADER_SIZE;
  let records = 0;
  let stop: { reason: DropReason; detail: string } | null = null;
  let after = 0;
  while (pos < size) {
    const verdict =
      bufferedGoodRecord(reader, pos, size, maxRecordBytes) ??
      (await readRecord(reader, pos, size, maxRecordBytes));
    if (!verdict.ok) {
      stop = verdict;
      if (verdict.reason === 'bad-checksum') {
        const length = (await reader.view(pos, RECORD_OVERHEAD)).readUInt32LE(0);
        after = await countValid(reader, pos + RECORD_OVERHEAD + length, size, maxRecordBytes);
      }
      break;
    }
    // Copy: the view is reused by the next read, and the callee may keep the payload.
    onRecord?.(new Uint8Array(verdict.payload), records);
    records++;
    pos += RECORD_OVERHEAD + verdict.length;
  }

  if (stop === null) {
    return {
      records,
      bytes: pos,
      droppedBytes: 0,
      reason: null,
      message: `${path}: ${records} records, clean`,
      recordsAfterCorruption: 0,
      droppedPath: null,
      repaired: false,
    };
  }

  const droppedBytes = size - pos;
  const corrupt = stop.reason !== 'torn-tail';
  let droppedPath: string | null = null;
  if (repair) {
    // A torn tail only ever holds records that were never acknowledged (they were not synced),
    // so it is not worth keeping. Corruption may have eaten acknowledged data: keep the evidence.
    if (corrupt && (options.preserveDropped ?? true)) {
      droppedPath = `${path}.dropped-${pos}-${Date.now()}`;
      await copyRange(fh, pos, size, droppedPath);
    }
    await fh.truncate(pos);
    await fh.sync();
  }
  const message =
    `${path}: ${records} good records; ${stop.reason} at offset ${pos} (${stop.detail}); ` +
    `${droppedBytes} bytes ${repair ? 'dropped' : 'would be dropped'}` +
    (after > 0
      ? `; ${after} valid-looking records after it were dropped too (mid-file corruption?)`
      : '') +
    (droppedPath === null ? '' : `; kept in ${droppedPath}`);
  if (corrupt) {
    const warn =
      options.warn ??
      ((text: string) => process.emitWarning(text, { code: 'ECNY_JOURNAL_CORRUPTION' }));
    warn(message);
  }
  return {
    records,
    bytes: pos,
    droppedBytes,
    reason: stop.reason,
    message,
    recordsAfterCorruption: after,
    droppedPath,
    repaired: repair,
  };
}

async function copyRange(fh: FileHandle, from: number, to: number, dest: string): Promise<void> {
  const out = await open(dest, 'wx');
  try {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, to - from));
    for (let at = from; at < to; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - at), at);
      if (bytesRead === 0) break;
      for (let done = 0; done < bytesRead; ) {
        done += (await out.write(buf, done, bytesRead - done)).bytesWritten;
      }
      at += bytesRead;
    }
    await out.sync();
  } finally {
    await out.close();
  }
}
