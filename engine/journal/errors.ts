import { CodedError } from '../domain/index.js';

/** Every way the journal refuses. Stable strings: callers and health checks switch on them. */
export type JournalErrorCode =
  /** A write or fsync failed; the journal is closed for good (fail-closed). */
  | 'JOURNAL_FAILED'
  /** Too many bytes are waiting for the disk; the caller should shed load. Nothing was written. */
  | 'JOURNAL_BACKPRESSURE'
  /** `append` after `close()`. */
  | 'JOURNAL_CLOSED'
  /** The payload is empty or longer than `maxRecordBytes`. */
  | 'JOURNAL_RECORD_SIZE'
  /** The file is not a journal. */
  | 'JOURNAL_BAD_HEADER'
  /** The file is a journal of another format version. */
  | 'JOURNAL_UNSUPPORTED_VERSION'
  /** This process already has a Journal open on that path (a second writer would interleave). */
  | 'JOURNAL_LOCKED'
  /** Options that cannot work together. */
  | 'JOURNAL_BAD_OPTIONS'
  /**
   * A record in the journal is damaged and is not a torn tail: acknowledged records may be lost.
   * Replay refused to go on and left the file as it was (see `JournalCorruptError`).
   */
  | 'JOURNAL_CORRUPT';

/** The only error type the journal produces for its own conditions; OS errors ride as `cause`. */
export class JournalError extends CodedError {
  readonly code: JournalErrorCode;
  readonly kind = 'failure';

  constructor(code: JournalErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Narrowing helper for catch blocks and promise rejections. */
export function isJournalError(value: unknown, code?: JournalErrorCode): value is JournalError {
  return value instanceof JournalError && (code === undefined || value.code === code);
}

/**
 * Replay found a damaged record that is not a torn tail (docs/journal.md, "Recovery"). Nothing
 * was truncated. `offset` is where the damaged record starts; `recordsAfter` counts the intact
 * records found behind it, which recovery would lose if told to truncate there.
 */
export class JournalCorruptError extends JournalError {
  readonly offset: number;
  /** Index of the damaged record (= intact records before it). */
  readonly record: number;
  readonly recordsAfter: number;

  constructor(message: string, offset: number, record: number, recordsAfter: number) {
    super('JOURNAL_CORRUPT', message);
    this.offset = offset;
    this.record = record;
    this.recordsAfter = recordsAfter;
  }
}
