/**
 * The verification stage as the narrow shape the pipeline needs. The verification pool
 * (engine/verify-pool) satisfies it; tests can pass fakes. The other stage, the store, is the
 * registry port (engine/registry/port.ts).
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
   * Optional: queues the registration-time check of a public key an `enroll` or `open` registers
   * (too costly for the main thread), answered like `submit` and in the same order; `valid` true
   * means acceptable. Without it the store runs the check itself.
   */
  submitKeyCheck?<C>(
    key: Uint8Array,
    done: (context: C, valid: boolean, error: Error | null) => void,
    context: C,
  ): boolean;
  /**
   * Optional: how long a signature queued now would wait for its verdict, ms (the pool estimates
   * it from the work it holds). The engine refuses new work while it passes its bound.
   */
  queueDelayMs?(): number;
  /**
   * Optional: performance.now() at which the verdicts being delivered were released; read inside
   * `done`, it is where that signature's verify stage ended (stage timing, docs/api.md).
   */
  readonly releasedAt?: number;
  close(): Promise<void>;
}
