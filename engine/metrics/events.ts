/**
 * The engine's events on node:diagnostics_channel, for tests and tracing (undici's habit): a
 * subscriber sees each event as it happens, with no hook in the engine's code and nothing to pay
 * when no one listens (every publisher checks `hasSubscribers` before building a message).
 *
 * Times are performance.now() milliseconds of the engine process, durations milliseconds.
 */
import { type Channel, channel } from 'node:diagnostics_channel';

/** Channel names: stable, documented in docs/api.md ("Engine events"). */
export const CHANNEL_NAMES = {
  answer: 'ecny-bench:engine:answer',
  request: 'ecny-bench:engine:request',
  shed: 'ecny-bench:engine:shed',
  verifyBatch: 'ecny-bench:engine:verify-batch',
  journalCommit: 'ecny-bench:engine:journal-commit',
} as const;

/** An admitted transaction answered by the pipeline (before the answer is written). */
export interface AnswerEvent {
  readonly txid: string;
  readonly status: 'settled' | 'rejected' | 'overloaded' | 'unavailable';
  /** The rejection code, or null. */
  readonly code: string | null;
  /** Handed to the pipeline; its verdict released (NaN when it never reached one). */
  readonly submittedAt: number;
  readonly verifiedAt: number;
  /** Applied to the registry and staged in the journal (NaN when it never was). */
  readonly committedAt: number;
  readonly answeredAt: number;
}

/** One HTTP answer written. */
export interface RequestEvent {
  readonly route: string;
  readonly status: number;
  /** Transactions the request carried (0 for a read, the batch's length for a batch). */
  readonly transactions: number;
  /** Request arrival (headers read) to answer written. */
  readonly ms: number;
}

/** A transaction request refused at admission, before its body was read. */
export interface ShedEvent {
  readonly route: string;
  readonly code: 'OVERLOADED' | 'UNAVAILABLE';
  readonly reason: string;
}

/** One verification batch done (its successful attempt). */
export interface VerifyBatchEvent {
  /** Signatures and registration-key checks. */
  readonly items: number;
  /** Of which registration-key checks. */
  readonly keyChecks: number;
  /** Inside the worker. */
  readonly verifyMs: number;
  /** Its oldest item's wait for a worker. */
  readonly oldestWaitMs: number;
}

/** One journal group commit durable. */
export interface JournalCommitEvent {
  readonly records: number;
  readonly bytes: number;
  /** From the start of its write to the end of its fdatasync. */
  readonly ms: number;
}

export const answerChannel: Channel = channel(CHANNEL_NAMES.answer);
export const requestChannel: Channel = channel(CHANNEL_NAMES.request);
export const shedChannel: Channel = channel(CHANNEL_NAMES.shed);
export const verifyBatchChannel: Channel = channel(CHANNEL_NAMES.verifyBatch);
export const journalCommitChannel: Channel = channel(CHANNEL_NAMES.journalCommit);
