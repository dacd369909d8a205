/**
 * The append-only journal with group commit. One writer per file.
 *
 * Hot path: `append` copies the framed record into a staging buffer and returns the promise of
 * the group it joined. While a group's write + fdatasync is in flight, later appends accumulate
 * in the other staging buffer; when the disk is done, that whole buffer goes out in ONE write and
 * ONE fdatasync and its single shared promise resolves. Two buffers swap roles, so steady state
 * allocates one promise per group and nothing per record.
 */
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type JournalCommitEvent, journalCommitChannel } from '../metrics/index.js';
import { JournalError } from './errors.js';
import { checksum, encodeHeader, HEADER_SIZE, RECORD_OVERHEAD } from './format.js';
import {
  type OnRecord,
  openPaths,
  type ReplayOptions,
  type ReplayReport,
  recover,
  resolveMaxRecordBytes,
} from './replay.js';
import { faultySink, fileSink, type JournalFaults, type Sink } from './sink.js';

/** Options for `Journal.open`. Recovery always runs and always repairs (`repair` is ignored). */
export interface JournalOptions extends ReplayOptions {
  /**
   * Most bytes (framing included) allowed to wait for the disk behind the group in flight.
   * Beyond it `append` rejects with JOURNAL_BACKPRESSURE. Default 16 MiB; must hold at least
   * one maximal record.
   */
  readonly maxPendingBytes?: number;
  /** Receives every record already in the file, in order, before `open` resolves. */
  readonly onRecord?: OnRecord;
  /** Test-only disk failures. */
  readonly faults?: JournalFaults;
}

/** Counters since `open` (records recovered at open are in `journal.recovery`, not here). */
export interface JournalStats {
  /** Records made durable. */
  readonly records: number;
  /** Bytes made durable, framing included. */
  readonly bytes: number;
  /** Successful fdatasyncs; one per group. */
  readonly fsyncs: number;
  /** Records per group: count of groups, total records, largest group. */
  readonly groups: {
    readonly count: number;
    readonly sum: number;
    readonly max: number;
    /** buckets[i] counts groups of 2^i to 2^(i+1)-1 records (the last bucket is open-ended). */
    readonly buckets: readonly number[];
  };
  /** Time spent in fdatasync, milliseconds. */
  readonly fsyncMs: { readonly total: number; readonly max: number; readonly last: number };
  /** Bytes accepted and waiting behind the group in flight. */
  readonly pendingBytes: number;
  /** Bytes of the group being written right now. */
  readonly inFlightBytes: number;
  readonly failed: boolean;
}

const DEFAULT_MAX_PENDING_BYTES = 16 << 20;
const INITIAL_STAGING = 64 << 10;
const GROUP_BUCKETS = 21;

interface Group {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function newGroup(): Group {
  let resolveGroup!: () => void;
  let rejectGroup!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolveGroup = res;
    rejectGroup = rej;
  });
  return { promise, resolve: resolveGroup, reject: rejectGroup };
}

/** Makes a new file's directory entry durable; a no-op where directories cannot be fsynced. */
async function syncDirectory(path: string): Promise<void> {
  let dir: Awaited<ReturnType<typeof open>> | undefined;
  try {
    dir = await open(dirname(path), 'r');
    await dir.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw error;
  } finally {
    await dir?.close();
  }
}

/**
 * A durable, append-only log of opaque records.
 *
 * Guarantees: a promise from `append` resolves only after the record (and every record appended
 * before it) has been written and fdatasync'd; records land and resolve in call order. After any
 * write or sync failure the journal is failed for good: nothing more is acknowledged.
 */
export class Journal {
  /** The file this journal writes. */
  readonly path: string;
  /** What recovery found when the journal was opened. */
  readonly recovery: ReplayReport;

  readonly #key: string;
  readonly #sink: Sink;
  readonly #maxPending: number;
  readonly #maxRecord: number;
  /** File offset where the next group is written: the end of durable data whenever idle. */
  #end: number;
  #staging = Buffer.allocUnsafe(0);
  #spare = Buffer.allocUnsafe(0);
  #staged = 0;
  #stagedRecords = 0;
  #group: Group | null = null;
  #inFlight = 0;
  #flushing: Promise<void> | null = null;
  #failure: JournalError | null = null;
  #closing: Promise<void> | null = null;

  #records = 0;
  #bytes = 0;
  #fsyncs = 0;
  #groupMax = 0;
  readonly #buckets: number[] = new Array<number>(GROUP_BUCKETS).fill(0);
  #fsyncTotal = 0;
  #fsyncMax = 0;
  #fsyncLast = 0;

  /**
   * Called once per group commit made durable, with its records, bytes, and milliseconds from the
   * start of its write to the end of its fdatasync (engine metrics set it). Also published on
   * diagnostics_channel `ecny-bench:engine:journal-commit`.
   */
  onCommit: ((records: number, bytes: number, ms: number) => void) | null = null;

  private constructor(
    path: string,
    key: string,
    sink: Sink,
    end: number,
    recovery: ReplayReport,
    maxPending: number,
    maxRecord: number,
  ) {
    this.path = path;
    this.#key = key;
    this.#sink = sink;
    this.#end = end;
    this.recovery = recovery;
    this.#maxPending = maxPending;
    this.#maxRecord = maxRecord;
    const initial = Math.min(INITIAL_STAGING, maxPending);
    this.#staging = Buffer.allocUnsafe(initial);
    this.#spare = Buffer.allocUnsafe(initial);
  }

  /**
   * Opens (creating if missing) the journal at `path`. An existing file is replayed through
   * `options.onRecord` and truncated to its good prefix before anything can be appended, so new
   * records never follow a torn tail. Throws JOURNAL_BAD_HEADER / JOURNAL_UNSUPPORTED_VERSION for
   * a foreign file and JOURNAL_LOCKED if this process already has it open.
   */
  static async open(path: string, options: JournalOptions = {}): Promise<Journal> {
    const maxRecord = resolveMaxRecordBytes(options.maxRecordBytes);
    const maxPending = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    if (!Number.isSafeInteger(maxPending) || maxPending < maxRecord + RECORD_OVERHEAD) {
      throw new JournalError(
        'JOURNAL_BAD_OPTIONS',
        `maxPendingBytes (${maxPending}) must hold one maximal record (${maxRecord + RECORD_OVERHEAD} bytes)`,
      );
    }
    const key = resolve(path);
    if (openPaths.has(key)) {
      throw new JournalError('JOURNAL_LOCKED', `${path} is already open in this process`);
    }
    openPaths.add(key);
    try {
      let fh: Awaited<ReturnType<typeof open>>;
      let created = false;
      try {
        fh = await open(path, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        fh = await open(path, 'wx+');
        created = true;
      }
      try {
        let recovery: ReplayReport;
        if (created) {
          await fh.write(encodeHeader(), 0, HEADER_SIZE, 0);
          await fh.sync();
          await syncDirectory(key);
          recovery = {
            records: 0,
            bytes: HEADER_SIZE,
            droppedBytes: 0,
            reason: null,
            message: `${path}: created`,
            recordsAfterCorruption: 0,
            droppedPath: null,
            repaired: false,
          };
        } else {
          recovery = await recover(fh, path, options.onRecord, { ...options, repair: true });
        }
        const base = fileSink(fh);
        const sink = options.faults === undefined ? base : faultySink(base, options.faults);
        return new Journal(path, key, sink, recovery.bytes, recovery, maxPending, maxRecord);
      } catch (error) {
        await fh.close();
        throw error;
      }
    } catch (error) {
      openPaths.delete(key);
      throw error;
    }
  }

  /**
   * Appends one record. Resolves once it is durable (write + fdatasync), in call order. Rejects
   * with JournalError: JOURNAL_FAILED (the journal is failed; nothing of this record is
   * acknowledged), JOURNAL_BACKPRESSURE (over `maxPendingBytes`; nothing was written, shed load),
   * JOURNAL_RECORD_SIZE (empty or too large), JOURNAL_CLOSED. The payload is copied before this
   * returns, so the caller may reuse its buffer.
   */
  append(payload: Uint8Array): Promise<void> {
    return this.#append(payload, null);
  }

  /**
   * `append(head ‖ tail)` without building the concatenation first: the record's payload is the
   * two parts back to back (the engine journals a transaction's body and signature this way).
   * Same checks, framing, checksum and promise as `append`.
   */
  appendParts(head: Uint8Array, tail: Uint8Array): Promise<void> {
    return this.#append(head, tail);
  }

  #append(head: Uint8Array, tail: Uint8Array | null): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#closing !== null) {
      return Promise.reject(new JournalError('JOURNAL_CLOSED', `${this.path} is closed`));
    }
    const length = head.byteLength + (tail === null ? 0 : tail.byteLength);
    if (length === 0 || length > this.#maxRecord) {
      return Promise.reject(
        new JournalError(
          'JOURNAL_RECORD_SIZE',
          `record of ${length} bytes; payloads must be 1..${this.#maxRecord} bytes`,
        ),
      );
    }
    const frame = RECORD_OVERHEAD + length;
    const at = this.#staged;
    if (at + frame > this.#maxPending) {
      return Promise.reject(
        new JournalError(
          'JOURNAL_BACKPRESSURE',
          `${at} bytes already wait for the disk (limit ${this.#maxPending})`,
        ),
      );
    }
    if (at + frame > this.#staging.length) this.#grow(at + frame);
    const staging = this.#staging;
    staging.writeUInt32LE(length, at);
    staging.set(head, at + RECORD_OVERHEAD);
    if (tail === null) {
      staging.writeUInt32LE(checksum(head), at + 4);
    } else {
      staging.set(tail, at + RECORD_OVERHEAD + head.byteLength);
      staging.writeUInt32LE(checksum(tail, checksum(head)), at + 4);
    }
    this.#staged = at + frame;
    this.#stagedRecords++;
    this.#group ??= newGroup();
    const promise = this.#group.promise; // read first: starting a flush hands the group over
    // No timer: if the disk is idle this record goes out now, alone; otherwise it rides with
    // everything else that arrives while the current group is in flight. (#flush always awaits
    // before it finishes, since something is staged, so this assignment cannot go stale.)
    this.#flushing ??= this.#flush();
    return promise;
  }

  /** Bytes accepted but not yet handed to the disk. Compare with your own limit to refuse early. */
  get pendingBytes(): number {
    return this.#staged;
  }

  /** The limit `pendingBytes` must stay under. */
  get maxPendingBytes(): number {
    return this.#maxPending;
  }

  /** The error that failed the journal (code JOURNAL_FAILED, OS error as `cause`), or null. */
  get failure(): JournalError | null {
    return this.#failure;
  }

  /** Length of the durable part of the file, header included. */
  get size(): number {
    return this.#end;
  }

  /** A snapshot of the counters. */
  stats(): JournalStats {
    return {
      records: this.#records,
      bytes: this.#bytes,
      fsyncs: this.#fsyncs,
      groups: {
        count: this.#fsyncs,
        sum: this.#records,
        max: this.#groupMax,
        buckets: this.#buckets.slice(),
      },
      fsyncMs: { total: this.#fsyncTotal, max: this.#fsyncMax, last: this.#fsyncLast },
      pendingBytes: this.#staged,
      inFlightBytes: this.#inFlight,
      failed: this.#failure !== null,
    };
  }

  /**
   * Stops accepting appends, waits for everything accepted to become durable, closes the file.
   * Rejects with the JOURNAL_FAILED error if the journal failed (so a resolved close means every
   * accepted record is durable). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#flushing;
      await this.#sink.close();
    } finally {
      openPaths.delete(this.#key);
    }
    if (this.#failure !== null) throw this.#failure;
  }

  /** Grows the staging buffer (never the one in flight), keeping what is already staged. */
  #grow(needed: number): void {
    let size = Math.max(this.#staging.length * 2, INITIAL_STAGING);
    while (size < needed) size *= 2;
    const bigger = Buffer.allocUnsafe(Math.min(size, this.#maxPending));
    this.#staging.copy(bigger, 0, 0, this.#staged);
    this.#staging = bigger;
  }

  /** The single flusher: one group at a time, in order, until nothing is staged. Never rejects. */
  async #flush(): Promise<void> {
    while (this.#staged > 0 && this.#failure === null) {
      const buffer = this.#staging;
      const data = buffer.subarray(0, this.#staged);
      const records = this.#stagedRecords;
      const group = this.#group!;
      // Swap buffers: appends arriving during the write go to the other one, so the bytes in
      // flight are never touched. The spare is free because the previous write has finished.
      this.#staging = this.#spare;
      this.#spare = buffer;
      this.#staged = 0;
      this.#stagedRecords = 0;
      this.#group = null;
      this.#inFlight = data.length;
      const writeStart = performance.now();
      let commitMs = 0;
      try {
        await this.#sink.write(data, this.#end);
        const start = performance.now();
        await this.#sink.sync();
        const end = performance.now();
        const ms = end - start;
        commitMs = end - writeStart;
        this.#fsyncTotal += ms;
        this.#fsyncLast = ms;
        if (ms > this.#fsyncMax) this.#fsyncMax = ms;
      } catch (cause) {
        this.#inFlight = 0;
        await this.#fail(cause, group);
        break;
      }
      this.#inFlight = 0;
      this.#end += data.length;
      this.#records += records;
      this.#bytes += data.length;
      this.#fsyncs++;
      if (records > this.#groupMax) this.#groupMax = records;
      this.#buckets[Math.min(31 - Math.clz32(records), GROUP_BUCKETS - 1)]!++;
      this.onCommit?.(records, data.length, commitMs);
      if (journalCommitChannel.hasSubscribers) {
        journalCommitChannel.publish({
          records,
          bytes: data.length,
          ms: commitMs,
        } satisfies JournalCommitEvent);
      }
      group.resolve();
    }
    this.#flushing = null;
  }

  /**
   * Fail-closed. After a failed write or fdatasync we cannot know what reached the disk, and
   * retrying fsync is unsafe (Linux may drop the dirty pages and report success next time), so
   * the journal refuses everything from now on. Before rejecting we try to cut the file back to
   * the last acknowledged record, so a restart does not resurrect records whose callers were
   * told they failed; if even that fails, the message says so.
   */
  async #fail(cause: unknown, inFlight: Group): Promise<void> {
    const why = cause instanceof Error ? cause.message : String(cause);
    const error = new JournalError(
      'JOURNAL_FAILED',
      `journal ${this.path} failed and accepts no more records: ${why}`,
      { cause },
    );
    this.#failure = error; // from here on, append rejects at once
    try {
      await this.#sink.truncate(this.#end);
    } catch (rollback) {
      const reason = rollback instanceof Error ? rollback.message : String(rollback);
      error.message +=
        `; rolling back to the last durable record also failed (${reason}), ` +
        'so records of the failed group may reappear on replay';
    }
    inFlight.reject(error);
    this.#group?.reject(error);
    this.#group = null;
    this.#staged = 0;
    this.#stagedRecords = 0;
  }
}
