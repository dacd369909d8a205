/**
 * Recovery: read the records back in order; cut a torn tail, refuse on corruption.
 *
 * Rules (see docs/journal.md):
 * - A record is good when its length is sane, all its bytes are present and its CRC matches.
 *   Nothing is half-applied: a record reaches `onRecord` only after it has been validated in full.
 * - A torn tail is the one thing recovery cuts on its own: the file ends inside a record (a crash
 *   mid-append), or in zeros (a write whose pages never reached the disk), and no intact record
 *   lies behind it. Such bytes were never synced, so they were never acknowledged.
 * - Any other damaged record is corruption: an acknowledged record may be lost, and cutting there
 *   would silently drop every record behind it (a spent coin would come back unspent). Replay
 *   refuses (JournalCorruptError naming the offset) and leaves the file alone, unless the caller
 *   chose `onCorruption: 'truncate'`: then the file is cut there, the dropped bytes are kept in a
 *   side file, and the report counts the intact records discarded.
 * - Telling the two apart: behind a damaged record, replay looks for any intact record, byte by
 *   byte (a corrupted length field hides where the next record starts). A torn write leaves only
 *   the rest of one incomplete record behind it, so an intact record there means corruption.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JournalCorruptError, JournalError } from './errors.js';
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
  /** The file ends inside a record (a crash mid-append), or in zeros, with nothing intact behind. */
  | 'torn-tail'
  /** The file ends inside the file header (a crash while creating it); the header is rewritten. */
  | 'torn-header'
  /**
   * A record's length field is 0, above `maxRecordBytes`, or runs past the end of the file while
   * the bytes there are a whole record or intact records follow: corruption.
   */
  | 'bad-length'
  /** A record's bytes are all there but its CRC does not match: corruption. */
  | 'bad-checksum';

/** What recovery does with corruption (a damaged record that is not a torn tail). */
export type CorruptionPolicy =
  /** Throw JournalCorruptError; the file is left untouched (the default). */
  | 'refuse'
  /** Cut the journal at the damaged record, discarding it and every record behind it. */
  | 'truncate';

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
   * Intact records found behind a corrupt one (0 for a torn tail): records that were most likely
   * acknowledged, and that a truncation discards.
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
  /**
   * Corruption (not a torn tail): 'refuse' (default) throws JournalCorruptError and modifies
   * nothing; 'truncate' cuts the file there. Only applies when repairing: an inspection
   * (`repair: false`) reports what it found either way.
   */
  readonly onCorruption?: CorruptionPolicy;
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
 * Reads a journal, calling `onRecord` for each good record in order, and (by default) cuts a torn
 * tail. Throws JOURNAL_CORRUPT (JournalCorruptError) for corruption unless `onCorruption` is
 * 'truncate', JOURNAL_BAD_HEADER / JOURNAL_UNSUPPORTED_VERSION for a file that is not a journal
 * of this format, and refuses a path a Journal in this process has open. If `onRecord` throws,
 * replay stops with that error and the file is left untouched.
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

/** Bytes of a disk page: a write torn by a crash loses whole pages. */
const PAGE = 4096;

/**
 * Offset of the first intact record starting in [from, size), found byte by byte (a damaged
 * length field hides where the next record starts), or -1. Reads in windows of one chunk plus
 * one maximal record, so every candidate's payload is in memory when its header is.
 */
async function nextIntactRecord(
  reader: Reader,
  from: number,
  size: number,
  maxRecordBytes: number,
): Promise<number> {
  let window: Buffer | null = null;
  let windowStart = 0;
  for (let q = from; q + RECORD_OVERHEAD < size; q++) {
    if (window === null || q >= windowStart + READ_CHUNK) {
      windowStart = q;
      window = await reader.view(
        q,
        Math.min(READ_CHUNK + RECORD_OVERHEAD + maxRecordBytes, size - q),
      );
    }
    const at = q - windowStart;
    const length = window.readUInt32LE(at);
    if (length === 0 || length > maxRecordBytes || q + RECORD_OVERHEAD + length > size) continue;
    const payload = window.subarray(at + RECORD_OVERHEAD, at + RECORD_OVERHEAD + length);
    if (checksum(payload) === window.readUInt32LE(at + 4)) return q;
  }
  return -1;
}

/** Intact records behind a damaged one at `pos`: each run followed to its end, then resynced. */
async function countIntactAfter(
  reader: Reader,
  pos: number,
  size: number,
  maxRecordBytes: number,
): Promise<number> {
  let count = 0;
  let at = await nextIntactRecord(reader, pos + 1, size, maxRecordBytes);
  while (at !== -1) {
    for (;;) {
      const verdict = await readRecord(reader, at, size, maxRecordBytes);
      if (!verdict.ok) break;
      count++;
      at += RECORD_OVERHEAD + verdict.length;
    }
    at = at >= size ? -1 : await nextIntactRecord(reader, at + 1, size, maxRecordBytes);
  }
  return count;
}

/** Start of the run of zero bytes that ends the file (`size` if the last byte is not zero). */
async function trailingZerosFrom(reader: Reader, from: number, size: number): Promise<number> {
  let start = size;
  while (start > from) {
    const n = Math.min(READ_CHUNK, start - from);
    const chunk = await reader.view(start - n, n);
    let i = n;
    while (i > 0 && chunk[i - 1] === 0) i--;
    start -= n - i;
    if (i > 0) break;
  }
  return start;
}

interface Judgement {
  readonly reason: DropReason;
  readonly detail: string;
  /** True for a torn tail (cut routinely); false for corruption. */
  readonly torn: boolean;
}

/**
 * Torn tail or corruption, for the record at `pos` that failed `verdict`. Torn: the file ends
 * inside the record, or the record's last pages (to the end of the file) are zeros, and no intact
 * record lies behind it. Everything else is corruption.
 */
async function judge(
  reader: Reader,
  pos: number,
  size: number,
  maxRecordBytes: number,
  verdict: Extract<Verdict, { ok: false }>,
): Promise<Judgement> {
  if (verdict.reason === 'torn-tail') {
    if (size - pos >= RECORD_OVERHEAD) {
      const head = await reader.view(pos, RECORD_OVERHEAD);
      const length = head.readUInt32LE(0);
      const crc = head.readUInt32LE(4);
      const rest = size - pos - RECORD_OVERHEAD;
      // A length field damaged upwards makes the last record look cut short: if the bytes that
      // are there are the whole payload (its CRC matches), the record was complete.
      if (
        length !== 0 &&
        rest > 0 &&
        checksum(await reader.view(pos + RECORD_OVERHEAD, rest)) === crc
      ) {
        return {
          reason: 'bad-length',
          detail: `length field ${length}, but the ${rest} bytes left are a whole record`,
          torn: false,
        };
      }
    }
    if ((await nextIntactRecord(reader, pos + 1, size, maxRecordBytes)) !== -1) {
      return {
        reason: 'bad-length',
        detail: `the record runs past the end of the file, yet intact records follow it (${verdict.detail})`,
        torn: false,
      };
    }
    return { ...verdict, torn: true };
  }
  if (verdict.reason === 'bad-checksum') {
    // A crash can leave a write's last pages as zeros (the file was extended, the data never
    // landed): a record that ends in whole zero pages up to the end of the file is torn.
    const zeros = await trailingZerosFrom(reader, pos, size);
    const firstZeroPage = Math.ceil(zeros / PAGE) * PAGE;
    const end = pos + RECORD_OVERHEAD + (await reader.view(pos, RECORD_OVERHEAD)).readUInt32LE(0);
    if (firstZeroPage > pos + RECORD_OVERHEAD && firstZeroPage < end) {
      return {
        reason: 'torn-tail',
        detail: `the record's pages from offset ${firstZeroPage} to the end of the file are zeros`,
        torn: true,
      };
    }
  }
  return { ...verdict, torn: false };
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
  let stop: Judgement | null = null;
  let after = 0;
  while (pos < size) {
    const verdict =
      bufferedGoodRecord(reader, pos, size, maxRecordBytes) ??
      (await readRecord(reader, pos, size, maxRecordBytes));
    if (!verdict.ok) {
      stop = await judge(reader, pos, size, maxRecordBytes, verdict);
      if (!stop.torn) after = await countIntactAfter(reader, pos, size, maxRecordBytes);
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
  const corrupt = !stop.torn;
  const where = `record ${records} at offset ${pos}`;
  if (corrupt && repair && (options.onCorruption ?? 'refuse') === 'refuse') {
    throw new JournalCorruptError(
      `${path}: ${where} is corrupt (${stop.reason}: ${stop.detail}), not a torn write: ` +
        `${records} good records before it, ${after} intact records after it, which were most ` +
        'likely acknowledged. Nothing was changed. Restore the journal from a copy, or truncate ' +
        `it at offset ${pos} on purpose (discarding ${after} intact records, ${droppedBytes} bytes).`,
      pos,
      records,
      after,
    );
  }
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
    (corrupt
      ? `; corruption, not a torn write: ${after} intact records after it ` +
        `${repair ? 'were discarded' : 'would be discarded'}`
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
