/**
 * The two stages the pipeline drives, as the narrow shapes it needs. The verification pool
 * (engine/verify-pool) and the journal (engine/journal) satisfy them; tests can pass fakes.
 */

export interface SignatureStage {
  /**
   * Queues one signature and later calls `done(context, valid, error)` exactly once, in
   * submission order (the engine commits in arrival order because of it), never from inside
   * `submit`; allocation-free: no promise or closure per signature. `error` non-null means no
   * verdict. False when the queue is full: nothing was admitted and `done` will not run.
   */
  submit<C>(
    key: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    done: (context: C, valid: boolean, error: Error | null) => void,
    context: C,
  ): boolean;
  /**
   * Optional: how long a signature queued now would wait for its verdict, ms (the pool estimates
   * it from the work it holds). The engine refuses new work while it passes its bound.
   */
  queueDelayMs?(): number;
  close(): Promise<void>;
}

export interface DurableLog {
  /**
   * Appends the record `head ‖ tail` (no concatenation built by the caller); resolves once it is
   * durable, rejects if it never will be. Records of one group commit may share one promise.
   */
  appendParts(head: Uint8Array, tail: Uint8Array): Promise<void>;
  /** Bytes waiting for the disk, and the most allowed: the engine sheds load before the limit. */
  readonly pendingBytes: number;
  readonly maxPendingBytes: number;
  /** Set once the log has failed: from then on nothing may be acknowledged. */
  readonly failure: Error | null;
  close(): Promise<void>;
}
