/**
 * The main <-> verify-worker contract, declared once and only as types (both sides import it with
 * `import type`, so it adds no code to the worker).
 *
 * There is exactly one request and one reply, so no tagged union is needed; if a second message
 * kind is ever added, turn `VerifyTask` into a union discriminated by a `kind` field.
 */
import type { BackendName, SuiteName } from '../crypto/index.js';

/** Set once per thread through piscina's `workerData`. */
export interface VerifyWorkerData {
  readonly backend: BackendName;
  readonly suite: SuiteName;
  /** SM2 distinguishing ID (ASCII); absent: the GM/T 0009 default. */
  readonly sm2Id?: string;
  /**
   * Test knob: extra SHA-256 rounds per verified item, counted in `verifyMicros`. Lets a CI gate
   * prove it notices a slower verifier. 0 = off.
   */
  readonly extraWorkPerItem: number;
  /**
   * Test knob: each worker thread exits (`process.exit(1)`, which ends only that thread) at the
   * start of its Nth batch, before producing any verdict. Replacement threads count again from 0.
   * 0 = off.
   */
  readonly crashAfterBatches: number;
}

/** Main -> worker: `count` packed items (engine/crypto layout). `items` is transferred. */
export interface VerifyTask {
  readonly items: ArrayBuffer;
  readonly count: number;
  /** 1 for a batch's first run, 2 for its first retry, ... (read by the crash test knob). */
  readonly attempt: number;
  /**
   * Only when the batch holds registration-key checks: one byte per item, 1 = the item is a key
   * check (its verdict: the key is acceptable for registration; its message and signature are
   * unused), 0 = a signature to verify. Transferred.
   */
  keyChecks?: ArrayBuffer;
}

/**
 * Worker -> main: one verdict byte per item (1 valid or acceptable, 0 not). `verdicts` is
 * transferred.
 */
export interface VerifyResult {
  readonly verdicts: Uint8Array;
  /** Wall time of the verification inside the worker, µs (excludes queueing and messaging). */
  readonly verifyMicros: number;
  /**
   * The worker's OS thread id (Linux, from /proc/thread-self; 0 elsewhere), so the engine can
   * read each verification thread's CPU from /proc/self/task/<tid>.
   */
  readonly tid: number;
}
