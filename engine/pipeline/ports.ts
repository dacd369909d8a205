/**
 * The two stages the pipeline drives, as the narrow shapes it needs. The verification pool
 * (engine/verify-pool) and the journal (engine/journal) satisfy them; tests can pass fakes.
 */

export interface SignatureStage {
  /**
   * Queues one signature. Verdicts resolve in submission order (the engine commits in arrival
   * order because of it). Null when the queue is full: nothing was admitted.
   */
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> | null;
  /**
   * Optional allocation-free form of `verify` (the pool has it; fakes need not): queues one
   * signature and later calls `done(context, valid, error)` exactly once, in submission order,
   * never from inside `submit`. `error` non-null means no verdict (as `verify` rejecting).
   * False when the queue is full: nothing was admitted and `done` will not run.
   */
  submit?<C>(
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
  /** Resolves once the record is durable; rejects if it never will be. */
  append(payload: Uint8Array): Promise<void>;
  /** Optional: `append(head ‖ tail)` without the caller building the concatenation. */
  appendParts?(head: Uint8Array, tail: Uint8Array): Promise<void>;
  /** Bytes waiting for the disk, and the most allowed: the engine sheds load before the limit. */
  readonly pendingBytes: number;
  readonly maxPendingBytes: number;
  /** Set once the log has failed: from then on nothing may be acknowledged. */
  readonly failure: Error | null;
  close(): Promise<void>;
}
