/**
 * VerifyPool: Ed25519 verification on a piscina worker pool, with adaptive batching, ordered
 * delivery, bounded memory, crash retry and HDR measurements. Policy in docs/verify-pool.md.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import {
  type BackendName,
  type ItemLayout,
  isSuiteName,
  itemLayout,
  packItem,
  type SuiteName,
} from '../crypto/index.js';
import { CodedError } from '../domain/index.js';
import {
  createHistogram,
  distribution,
  type EngineMetrics,
  type Histogram,
  type HistogramSeries,
  type Percentiles,
  percentiles,
  recordMicros,
  type VerifyBatchEvent,
  verifyBatchChannel,
} from '../metrics/index.js';
import type { VerifyResult, VerifyTask, VerifyWorkerData } from './protocol.js';

/** Options of `new VerifyPool()`. Unknown keys are rejected so a typo cannot pass silently. */
export interface VerifyPoolOptions {
  /** Verification backend each worker creates with `createSuiteVerifier`. */
  readonly backend: BackendName;
  /** Signature suite. Default 'ed25519'. */
  readonly suite?: SuiteName;
  /** SM2 only: the distinguishing ID, printable ASCII (default 1234567812345678). */
  readonly sm2Id?: string;
  /** Worker threads, and the number of batches in flight at most. Default: availableParallelism. */
  readonly threads?: number;
  /** Largest batch handed to one worker. Default 256. */
  readonly maxBatch?: number;
  /**
   * Items the pool holds at most: waiting, in flight, or verified and waiting for an earlier batch
   * (ordered delivery). When full, `verify()` returns null. Default 16,384 (2 MiB of item bytes,
   * allocated up front).
   */
  readonly maxQueue?: number;
  /** Re-runs of a batch whose worker failed, before its items are rejected. Default 2. */
  readonly maxRetries?: number;
  /** Test knob: extra SHA-256 rounds per item inside the worker (see protocol.ts). Default 0. */
  readonly extraWorkPerItem?: number;
  /**
   * Test knob: each worker thread exits at the start of its Nth batch, if that is the batch's
   * first run (N = 1: every run). Default 0 (off).
   */
  readonly crashAfterBatches?: number;
  /**
   * When a submitted item may leave for a worker. 'immediate' (default): inside `submit`, if a
   * worker has room. 'turn': once per event-loop turn (setImmediate), so items submitted by
   * separate I/O callbacks of one turn (e.g. requests read from many sockets) leave as one batch
   * instead of one small batch each. Verdicts arriving still dispatch at once.
   */
  readonly dispatch?: 'immediate' | 'turn';
  /**
   * Where to record the verify_wait and verify stages, batch sizes and worker time, and register
   * the pool's gauges (docs/api.md, "Metrics"). Default: none.
   */
  readonly metrics?: EngineMetrics;
}

/** Error codes of `VerifyPoolError`. */
export type VerifyPoolErrorCode = 'VERIFY_FAILED' | 'POOL_CLOSED';

/**
 * Raised when the pool could not produce a verdict. Never means "invalid signature" (that is a
 * `false` verdict): VERIFY_FAILED = the batch failed on every attempt (the caller should answer
 * "try again", not "rejected"); POOL_CLOSED = `verify()` after `close()`.
 */
export class VerifyPoolError extends CodedError {
  readonly code: VerifyPoolErrorCode;
  readonly kind = 'failure';
  constructor(code: VerifyPoolErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A plain, JSON-safe snapshot from `stats()`. Latencies in ms; `batchSize` in items. */
export interface VerifyPoolStats {
  readonly backend: BackendName;
  readonly suite: SuiteName;
  readonly threads: number;
  readonly maxBatch: number;
  readonly maxQueue: number;
  /** Items accepted: signatures (`verify()`, `submit()`) and key checks (`submitKeyCheck()`). */
  readonly items: number;
  /** Of those, registration-key checks: their verdicts count in `valid`/`invalid` too. */
  readonly keyChecks: number;
  /** `verify()` calls refused with null because the pool was full. */
  readonly overloaded: number;
  readonly valid: number;
  readonly invalid: number;
  /** Items rejected with VERIFY_FAILED. */
  readonly failed: number;
  /** Batches dispatched (a retried batch counts once). */
  readonly batches: number;
  /** Batch re-runs after a failure. */
  readonly retries: number;
  /** Worker threads lost while the pool was open (piscina replaces them). */
  readonly crashes: number;
  /** Errors piscina reported outside any task (thread failing while idle). */
  readonly workerErrors: number;
  /** Items waiting for a free worker, now. */
  readonly queueDepth: number;
  /** Largest `queueDepth` seen since the pool started. */
  readonly maxQueueDepth: number;
  /** Items accepted and not yet answered: waiting + in flight + held for ordered delivery. */
  readonly held: number;
  readonly inFlightBatches: number;
  /** Why the pool fails every batch (a worker thread could not start), or null when healthy. */
  readonly broken: string | null;
  /** Per item, ms: enqueue -> dispatch to a worker. */
  readonly wait: Percentiles;
  /** Per batch, ms: verification time measured inside the worker (successful attempt). */
  readonly verify: Percentiles;
  /** Per batch, items (not ms): batch size distribution. */
  readonly batchSize: Percentiles;
  /** Per item, ms: enqueue -> verdict released (includes waiting for earlier batches). */
  readonly latency: Percentiles;
}

/**
 * Histograms of one reporting interval, handed over by `takeIntervalHistograms()`; the caller owns
 * them (encode with engine/metrics `encodeHistogram`, merge with `add()`). Values in µs except
 * `batchSize` (items). `startTimeStampMsec`/`endTimeStampMsec` are set on each.
 */
export interface VerifyPoolIntervalHistograms {
  readonly queueWait: Histogram;
  readonly verify: Histogram;
  readonly batchSize: Histogram;
  readonly latency: Histogram;
}

interface HistogramSet {
  queueWait: Histogram;
  verify: Histogram;
  batchSize: Histogram;
  latency: Histogram;
}

/** One dispatched batch: a contiguous run of ring slots, identified by its dispatch sequence. */
interface Batch {
  readonly seq: number;
  /** Absolute index of its first item (slot = start % capacity). */
  readonly start: number;
  readonly count: number;
  /** How many of its items are key checks (0 for almost every batch: no flags are sent then). */
  keyChecks: number;
  /** performance.now() of its first dispatch: the verify stage runs from here to its release. */
  readonly dispatchedAt: number;
  attempts: number;
  verdicts: Uint8Array | null;
  error: VerifyPoolError | null;
}

/**
 * Receives one verdict from `VerifyPool.submit`: `error` is null when `valid` is the verdict, and
 * a VERIFY_FAILED `VerifyPoolError` (with `valid` false) when none could be produced.
 */
export type VerdictCallback<C> = (
  context: C,
  valid: boolean,
  error: VerifyPoolError | null,
) => void;

interface PromiseHandlers {
  readonly resolve: (value: boolean) => void;
  readonly reject: (reason: VerifyPoolError) => void;
}

/** The callback behind `verify()`: settles that item's promise. */
function settlePromise(handlers: PromiseHandlers, valid: boolean, error: VerifyPoolError | null) {
  if (error === null) handlers.resolve(valid);
  else handlers.reject(error);
}

/**
 * Batches in flight per worker thread. Two, so a worker finishing one batch already holds the
 * next instead of idling while its verdicts cross to the main thread and the main thread, busy
 * committing the previous batch, gets round to dispatching (measured: machine idle time during
 * bench:engine fell from 5-13% to 1-2%). Piscina runs a worker's queued tasks back to back and
 * may return both verdict buffers together, so under saturation a batch's verdicts can wait for
 * its successor (at most one batch time); with less than one batch per thread of load nothing
 * changes, since nothing queues.
 */
const BATCHES_PER_THREAD = 2;

const MESSAGE_SIZE = 32;
const SIGNATURE_SIZE = 64;
/** The message and signature fields of a key-check item: unused, zero. */
const NO_MESSAGE = new Uint8Array(MESSAGE_SIZE);
const NO_SIGNATURE = new Uint8Array(SIGNATURE_SIZE);

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'backend',
  'suite',
  'sm2Id',
  'threads',
  'maxBatch',
  'maxQueue',
  'maxRetries',
  'extraWorkPerItem',
  'crashAfterBatches',
  'dispatch',
  'metrics',
]);

/** Compiled layout: dist/engine/verify-pool/pool.js -> dist/workers/verify-worker-entry.cjs (docs/verify-pool.md). */
const WORKER_FILE = fileURLToPath(
  new URL('../../workers/verify-worker-entry.cjs', import.meta.url),
);

/**
 * Signature verification on worker threads.
 *
 * - Adaptive batching, no timers: whenever fewer than 2 × `threads` batches are in flight,
 *   everything waiting (up to `maxBatch`) leaves as one batch. Light load -> batches of 1, heavy load ->
 *   large batches. At most 2 × `threads` batches are in flight (two per thread, so a worker
 *   seldom waits for the main thread between batches), and piscina's own queue stays empty.
 * - Ordered delivery: verdicts are released in submission order. A batch that finishes early
 *   waits for every earlier batch, because the engine commits transactions in arrival order.
 * - Bounded memory: at most `maxQueue` items are held; beyond that `verify()` returns null.
 * - Crashes: a failed batch is re-run (verification is idempotent) up to `maxRetries` times,
 *   then its items reject with `VerifyPoolError` code VERIFY_FAILED.
 */
export class VerifyPool {
  readonly backend: BackendName;
  readonly suite: SuiteName;
  readonly #layout: ItemLayout;
  readonly threads: number;
  readonly maxBatch: number;
  readonly maxQueue: number;
  readonly maxRetries: number;
  readonly dispatch: 'immediate' | 'turn';

  readonly #piscina: Piscina<VerifyTask, VerifyResult>;

  // Ring of held items. Absolute indices grow forever; slot = index % maxQueue.
  // head <= dispatched <= tail:  [head, dispatched) sent to workers, [dispatched, tail) waiting.
  // Items are copied in at submit time, so callers may reuse their arrays, a retry can re-pack
  // the batch, and memory is fixed: maxQueue * 128 bytes, whatever the load.
  readonly #ring: Uint8Array;
  /** Per slot: 1 = a registration-key check (`submitKeyCheck`), 0 = a signature. */
  readonly #keyCheckSlots: Uint8Array;
  readonly #enqueuedAt: Float64Array;
  readonly #callbacks: (VerdictCallback<unknown> | undefined)[];
  readonly #contexts: unknown[];
  #head = 0;
  #dispatched = 0;
  #tail = 0;

  /** Dispatched, unreleased batches by sequence; released strictly in sequence order. */
  readonly #batches = new Map<number, Batch>();
  #nextSeq = 0;
  #nextRelease = 0;
  #inFlight = 0;
  /**
   * Batches with an attempt on a worker, so a broken pool can fail what piscina would never
   * finish. Not an AbortSignal per attempt: piscina never gives a worker running an abortable
   * task a second one, which would leave one batch per thread instead of BATCHES_PER_THREAD.
   */
  readonly #running = new Set<Batch>();
  /** Set once piscina reports a thread that cannot start; from then on batches fail fast. */
  #broken: Error | null = null;

  /** 'turn' dispatch: a pump is scheduled for the end of this event-loop turn. */
  #pumpScheduled = false;
  readonly #scheduledPump = (): void => {
    this.#pumpScheduled = false;
    this.#pump();
  };

  #closing = false;
  #destroying = false;
  #closed: Promise<void> | null = null;
  #onDrained: (() => void) | null = null;

  #items = 0;
  #overloaded = 0;
  #valid = 0;
  #invalid = 0;
  #keyChecks = 0;
  #failed = 0;
  #batchCount = 0;
  #retries = 0;
  #crashes = 0;
  #workerErrors = 0;
  #maxQueueDepth = 0;
  /** Verification time per item on one thread, ms: a moving average over recent batches. */
  #itemMs = 0;
  /** performance.now() of the release whose verdicts are being delivered (see `releasedAt`). */
  #releasedAt = 0;
  /** OS thread ids of the workers that have answered (Linux), for per-thread CPU. */
  readonly #workerTids = new Set<number>();
  readonly #stages: {
    readonly wait: HistogramSeries;
    readonly verify: HistogramSeries;
    readonly batch: HistogramSeries;
    readonly batchSize: HistogramSeries;
  } | null;

  // Recorded twice, into the run total and the current interval: one extra recordValue per
  // sample is cheaper than merging histograms on every stats() call.
  readonly #total: HistogramSet = newHistogramSet();
  #interval: HistogramSet = newHistogramSet();
  #intervalStart = Date.now();

  /** Throws TypeError/RangeError naming the offending option; starts `threads` workers. */
  constructor(options: VerifyPoolOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object');
    }
    const record = options as unknown as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!OPTION_NAMES.has(key)) throw new TypeError(`options.${key} is not a VerifyPool option`);
    }
    if (record['backend'] !== 'native' && record['backend'] !== 'noble') {
      throw new TypeError('options.backend must be "native" or "noble"');
    }
    this.backend = record['backend'];
    const suite = record['suite'] ?? 'ed25519';
    if (!isSuiteName(suite)) throw new TypeError('options.suite must be "ed25519" or "sm2"');
    this.suite = suite;
    this.#layout = itemLayout(suite);
    const sm2Id = record['sm2Id'];
    if (
      sm2Id !== undefined &&
      (typeof sm2Id !== 'string' || !/^[\x20-\x7e]{1,1023}$/.test(sm2Id))
    ) {
      throw new TypeError('options.sm2Id must be 1 to 1023 printable ASCII characters');
    }
    this.threads = integerOption(record, 'threads', availableParallelism(), 1, 256);
    this.maxBatch = integerOption(record, 'maxBatch', 256, 1, 65_536);
    // Upper bound keeps the up-front ring allocation at 128 MiB at most.
    this.maxQueue = integerOption(record, 'maxQueue', 16_384, 1, 1_048_576);
    // A thread that dies fails every batch queued on it (up to BATCHES_PER_THREAD), so a batch
    // can lose attempts to a neighbour's crash: two retries of its own, per batch sharing a thread.
    this.maxRetries = integerOption(record, 'maxRetries', 2 * BATCHES_PER_THREAD, 0, 100);
    const dispatch = record['dispatch'] ?? 'immediate';
    if (dispatch !== 'immediate' && dispatch !== 'turn') {
      throw new TypeError('options.dispatch must be "immediate" or "turn"');
    }
    this.dispatch = dispatch;
    const metrics = record['metrics'] as EngineMetrics | undefined;
    this.#stages =
      metrics === undefined
        ? null
        : {
            wait: metrics.stage.verify_wait,
            verify: metrics.stage.verify,
            batch: metrics.verifyBatch,
            batchSize: metrics.verifyBatchSize,
          };
    if (metrics !== undefined) this.#registerGauges(metrics);
    const workerData: VerifyWorkerData = {
      backend: this.backend,
      suite,
      ...(sm2Id === undefined ? {} : { sm2Id }),
      extraWorkPerItem: integerOption(record, 'extraWorkPerItem', 0, 0, 1_000_000),
      crashAfterBatches: integerOption(record, 'crashAfterBatches', 0, 0, 2 ** 31 - 1),
    };

    this.#ring = new Uint8Array(this.maxQueue * this.#layout.itemSize);
    this.#keyCheckSlots = new Uint8Array(this.maxQueue);
    this.#enqueuedAt = new Float64Array(this.maxQueue);
    this.#callbacks = new Array<VerdictCallback<unknown> | undefined>(this.maxQueue);
    this.#contexts = new Array<unknown>(this.maxQueue);

    this.#piscina = new Piscina<VerifyTask, VerifyResult>({
      filename: WORKER_FILE,
      // Fixed-size pool: all threads start now and stay, so the first batches do not pay for
      // thread start-up and a crashed thread is replaced right away.
      minThreads: this.threads,
      maxThreads: this.threads,
      concurrentTasksPerWorker: BATCHES_PER_THREAD,
      workerData,
      // We measure queue wait and verify time ourselves, in the project's histogram format.
      recordTiming: false,
    });
    this.#piscina.on('workerDestroy', () => {
      if (!this.#destroying) this.#crashes++;
    });
    // Piscina emits 'error' for a thread that fails outside any task, which for this worker (no
    // background activity) means it could not start: bad build, backend that does not load.
    // Piscina then stops replacing threads and queued tasks would wait forever, so the pool fails
    // closed instead: running attempts fail now (piscina's late answers to them are ignored) and
    // every batch rejects with VERIFY_FAILED.
    this.#piscina.on('error', (error: unknown) => {
      this.#workerErrors++;
      const broken = error instanceof Error ? error : new Error(String(error));
      this.#broken ??= broken;
      const running = [...this.#running];
      this.#running.clear();
      for (const batch of running) this.#onFailure(batch, broken);
    });
  }

  /**
   * Queues one signature for verification. Resolves true (valid) or false (invalid), in
   * submission order relative to every other `verify()` on this pool; rejects with
   * `VerifyPoolError` code VERIFY_FAILED when no verdict could be produced.
   *
   * Returns null, synchronously, when the pool already holds `maxQueue` items: the caller answers
   * "overloaded" and nothing was queued. Throws TypeError on wrong input lengths (32/32/64 bytes,
   * fixed by the transaction encoding, so a mismatch is a caller bug) and VerifyPoolError
   * POOL_CLOSED after `close()`. The bytes are copied; the caller may reuse its arrays.
   *
   * A promise per item is the convenient form; `submit()` is the same queue with a callback, which
   * the settlement engine uses to keep per-transaction allocations (and GC) off its hot path.
   */
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> | null {
    let handlers!: PromiseHandlers;
    const promise = new Promise<boolean>((resolve, reject) => {
      handlers = { resolve, reject };
    });
    return this.submit(key, message, signature, settlePromise, handlers) ? promise : null;
  }

  /**
   * `verify()` without a promise per item, for callers on the hot path (the settlement engine):
   * queues one signature and later calls `callback(context, valid, error)` exactly once. Same
   * order, checks and errors as `verify()`: callbacks run in submission order, synchronously as
   * each verdict is released (so before the reactions of any promise settled in that release),
   * never from inside `submit` itself. Returns false, synchronously, when the pool already holds
   * `maxQueue` items: nothing was queued and the callback will not run.
   *
   * A callback that throws does not disturb the pool (later verdicts are still delivered); the
   * error is re-thrown from a microtask, as an uncaught exception.
   */
  submit<C>(
    key: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    callback: VerdictCallback<C>,
    context: C,
  ): boolean {
    if (this.#closing) throw new VerifyPoolError('POOL_CLOSED', 'VerifyPool is closed');
    checkLength(key, this.#layout.keyLength, 'key');
    checkLength(message, MESSAGE_SIZE, 'message');
    checkLength(signature, SIGNATURE_SIZE, 'signature');
    return this.#enqueue(key, message, signature, 0, callback, context);
  }

  /**
   * Queues the registration-time check of a public key that an `enroll` or `open` registers
   * (engine/crypto `isAcceptablePublicKey`: for Ed25519 canonical, on the curve, not of small
   * order and torsion-free, a scalar multiplication that costs ~2 ms in JavaScript and so stays
   * off the main thread). Same queue, order, callbacks and refusals as `submit()`; the verdict is
   * true when the key is acceptable.
   */
  submitKeyCheck<C>(key: Uint8Array, callback: VerdictCallback<C>, context: C): boolean {
    if (this.#closing) throw new VerifyPoolError('POOL_CLOSED', 'VerifyPool is closed');
    checkLength(key, this.#layout.keyLength, 'key');
    return this.#enqueue(key, NO_MESSAGE, NO_SIGNATURE, 1, callback, context);
  }

  #enqueue<C>(
    key: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    keyCheck: 0 | 1,
    callback: VerdictCallback<C>,
    context: C,
  ): boolean {
    if (this.#tail - this.#head >= this.maxQueue) {
      this.#overloaded++;
      return false;
    }
    const slot = this.#tail % this.maxQueue;
    packItem(this.#ring, slot, key, message, signature, this.#layout);
    this.#keyCheckSlots[slot] = keyCheck;
    if (keyCheck === 1) this.#keyChecks++;
    this.#enqueuedAt[slot] = performance.now();
    this.#callbacks[slot] = callback as VerdictCallback<unknown>;
    this.#contexts[slot] = context;
    this.#tail++;
    this.#items++;
    if (this.dispatch === 'immediate') {
      this.#pump();
    } else if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      setImmediate(this.#scheduledPump);
    }
    // Measured after dispatch: an item that leaves at once was never queued.
    const depth = this.#tail - this.#dispatched;
    if (depth > this.#maxQueueDepth) this.#maxQueueDepth = depth;
    return true;
  }

  /**
   * performance.now() at which the verdicts being delivered were released: read inside a verdict
   * callback, it is where that transaction's verify stage ended and its commit stage began.
   */
  get releasedAt(): number {
    return this.#releasedAt;
  }

  /**
   * OS thread ids of the verification workers seen so far (Linux; empty elsewhere): a replaced
   * thread's id stays, and reads nothing once the thread is gone.
   */
  get workerThreadIds(): ReadonlySet<number> {
    return this.#workerTids;
  }

  /** Items waiting for a free worker now. */
  get queueDepth(): number {
    return this.#tail - this.#dispatched;
  }

  /**
   * How long an item submitted now would wait for its verdict, ms, estimated two ways and the
   * larger taken: the work the pool holds (every held item at the recent verification time per
   * item, spread over the threads), and the age of the oldest item still waiting for a worker
   * (which also catches workers starved of CPU, where the estimate lags). Cheap: the admission
   * decision reads it for every request.
   */
  queueDelayMs(now: number = performance.now()): number {
    const held = this.#tail - this.#head;
    if (held === 0) return 0;
    const backlog = (held * this.#itemMs) / this.threads;
    if (this.#dispatched === this.#tail) return backlog;
    const oldest = now - this.#enqueuedAt[this.#dispatched % this.maxQueue]!;
    return Math.max(oldest, backlog);
  }

  /** A plain snapshot of counters and run-total percentiles (cheap enough to call each second). */
  stats(): VerifyPoolStats {
    const total = this.#total;
    return {
      backend: this.backend,
      suite: this.suite,
      threads: this.threads,
      maxBatch: this.maxBatch,
      maxQueue: this.maxQueue,
      items: this.#items,
      keyChecks: this.#keyChecks,
      overloaded: this.#overloaded,
      valid: this.#valid,
      invalid: this.#invalid,
      failed: this.#failed,
      batches: this.#batchCount,
      retries: this.#retries,
      crashes: this.#crashes,
      workerErrors: this.#workerErrors,
      queueDepth: this.#tail - this.#dispatched,
      maxQueueDepth: this.#maxQueueDepth,
      held: this.#tail - this.#head,
      inFlightBatches: this.#inFlight,
      broken: this.#broken?.message ?? null,
      wait: percentiles(total.queueWait),
      verify: percentiles(total.verify),
      batchSize: distribution(total.batchSize),
      latency: percentiles(total.latency),
    };
  }

  /**
   * Hands over the histograms recorded since the previous call (or since the pool started) and
   * starts new ones: per-second reporting without ever resetting the run totals of `stats()`.
   */
  takeIntervalHistograms(): VerifyPoolIntervalHistograms {
    const taken = this.#interval;
    const now = Date.now();
    for (const h of [taken.queueWait, taken.verify, taken.batchSize, taken.latency]) {
      h.startTimeStampMsec = this.#intervalStart;
      h.endTimeStampMsec = now;
    }
    this.#interval = newHistogramSet();
    this.#intervalStart = now;
    return taken;
  }

  /**
   * Stops accepting work, waits until every accepted item has its verdict (or error), then
   * destroys the workers. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    if (this.#tail !== this.#head) {
      await new Promise<void>((resolve) => {
        this.#onDrained = resolve;
      });
    }
    this.#destroying = true;
    await this.#piscina.destroy();
  }

  /** The pool's state as gauges, read when scraped. */
  #registerGauges(metrics: EngineMetrics): void {
    const r = metrics.registry;
    r.collected(
      'ecny_verify_queue_depth',
      'gauge',
      'Signatures waiting for a verification worker.',
      () => [['', this.#tail - this.#dispatched]],
    );
    r.collected(
      'ecny_verify_held_items',
      'gauge',
      'Signatures the pool holds: waiting, in flight, or verified and waiting for an earlier batch.',
      () => [['', this.#tail - this.#head]],
    );
    r.collected(
      'ecny_verify_batches_in_flight',
      'gauge',
      `Batches at the workers (at most ${BATCHES_PER_THREAD} per thread).`,
      () => [['', this.#inFlight]],
    );
    r.collected('ecny_verify_threads', 'gauge', 'Verification worker threads.', () => [
      ['', this.threads],
    ]);
    r.collected(
      'ecny_verify_queue_delay_seconds',
      'gauge',
      'Estimated wait for a verdict of a signature queued now (what admission compares with its bound).',
      () => [['', this.queueDelayMs() / 1000]],
    );
    r.collected('ecny_verify_crashes_total', 'counter', 'Worker threads lost.', () => [
      ['', this.#crashes],
    ]);
  }

  /**
   * Dispatches while a worker has room (BATCHES_PER_THREAD each): everything waiting, up to
   * maxBatch, as one batch.
   */
  #pump(): void {
    while (this.#inFlight < this.threads * BATCHES_PER_THREAD) {
      const waiting = this.#tail - this.#dispatched;
      if (waiting === 0) return;
      const count = Math.min(waiting, this.maxBatch);
      const now = performance.now();
      const batch: Batch = {
        seq: this.#nextSeq++,
        start: this.#dispatched,
        count,
        keyChecks: 0,
        dispatchedAt: now,
        attempts: 0,
        verdicts: null,
        error: null,
      };
      const stages = this.#stages;
      for (let i = batch.start; i < batch.start + count; i++) {
        const keyCheck = this.#keyCheckSlots[i % this.maxQueue]!;
        batch.keyChecks += keyCheck;
        const waitedMs = now - this.#enqueuedAt[i % this.maxQueue]!;
        recordMicros(this.#total.queueWait, waitedMs * 1000);
        recordMicros(this.#interval.queueWait, waitedMs * 1000);
        // The engine's stages are per transaction: its key check is not a second one.
        if (keyCheck === 0) stages?.wait.observeMs(waitedMs);
      }
      recordMicros(this.#total.batchSize, count);
      recordMicros(this.#interval.batchSize, count);
      stages?.batchSize.observe(count);
      this.#dispatched += count;
      this.#batchCount++;
      this.#batches.set(batch.seq, batch);
      this.#run(batch);
    }
  }

  #run(batch: Batch): void {
    this.#inFlight++;
    batch.attempts++;
    const broken = this.#broken;
    if (broken !== null) {
      // Asynchronous like a real failure, so #pump never re-enters itself.
      queueMicrotask(() => this.#onFailure(batch, broken));
      return;
    }
    // A fresh buffer per attempt: it is transferred (detached here), and the ring keeps the
    // bytes until the verdicts are released, so a retry can always re-pack.
    const items = this.#pack(batch.start, batch.count);
    const task: VerifyTask = { items, count: batch.count, attempt: batch.attempts };
    const transferList: ArrayBuffer[] = [items];
    if (batch.keyChecks > 0) {
      const keyChecks = this.#packKeyChecks(batch.start, batch.count);
      task.keyChecks = keyChecks;
      transferList.push(keyChecks);
    }
    this.#running.add(batch);
    this.#piscina.run(task, { transferList }).then(
      (result) => {
        // Not running any more: a broken pool has failed the attempt already.
        if (this.#running.delete(batch)) this.#onResult(batch, result);
      },
      (error: unknown) => {
        if (this.#running.delete(batch)) this.#onFailure(batch, error);
      },
    );
  }

  #pack(start: number, count: number): ArrayBuffer {
    const size = this.#layout.itemSize;
    const items = new ArrayBuffer(count * size);
    const out = new Uint8Array(items);
    const first = start % this.maxQueue;
    const firstRun = Math.min(count, this.maxQueue - first);
    out.set(this.#ring.subarray(first * size, (first + firstRun) * size));
    if (firstRun < count) {
      // The batch wraps around the end of the ring.
      out.set(this.#ring.subarray(0, (count - firstRun) * size), firstRun * size);
    }
    return items;
  }

  /** One flag byte per item of the batch: 1 = check the item's key, 0 = verify its signature. */
  #packKeyChecks(start: number, count: number): ArrayBuffer {
    const flags = new Uint8Array(count);
    for (let i = 0; i < count; i++) flags[i] = this.#keyCheckSlots[(start + i) % this.maxQueue]!;
    return flags.buffer;
  }

  #onResult(batch: Batch, result: VerifyResult): void {
    const verdicts = result?.verdicts;
    if (!(verdicts instanceof Uint8Array) || verdicts.length !== batch.count) {
      this.#onFailure(batch, new Error('verify worker returned a malformed reply'));
      return;
    }
    this.#inFlight--;
    batch.verdicts = verdicts;
    if (result.tid > 0) this.#workerTids.add(result.tid);
    const itemMs = result.verifyMicros / 1000 / batch.count;
    // Weighted by batch size, so one small batch does not swing the estimate.
    const weight = Math.min(1, batch.count / 256);
    this.#itemMs =
      this.#itemMs === 0 ? itemMs : this.#itemMs + (itemMs - this.#itemMs) * weight * 0.5;
    recordMicros(this.#total.verify, result.verifyMicros);
    recordMicros(this.#interval.verify, result.verifyMicros);
    this.#stages?.batch.observe(result.verifyMicros / 1e6);
    if (verifyBatchChannel.hasSubscribers) {
      verifyBatchChannel.publish({
        items: batch.count,
        keyChecks: batch.keyChecks,
        verifyMs: result.verifyMicros / 1000,
        oldestWaitMs: batch.dispatchedAt - this.#enqueuedAt[batch.start % this.maxQueue]!,
      } satisfies VerifyBatchEvent);
    }
    this.#release();
    this.#pump();
  }

  #onFailure(batch: Batch, error: unknown): void {
    this.#inFlight--;
    if (batch.attempts <= this.maxRetries && this.#broken === null) {
      // Retried first, before newer work: this batch is the oldest and blocks ordered release.
      this.#retries++;
      this.#run(batch);
      return;
    }
    batch.error = new VerifyPoolError(
      'VERIFY_FAILED',
      `signature verification failed after ${batch.attempts} attempts`,
      // A broken pool aborts running attempts; the startup failure is the useful cause.
      { cause: this.#broken ?? error },
    );
    this.#release();
    this.#pump();
  }

  /** Releases finished batches in sequence order, stopping at the first unfinished one. */
  #release(): void {
    for (;;) {
      const batch = this.#batches.get(this.#nextRelease);
      if (batch === undefined || (batch.verdicts === null && batch.error === null)) break;
      this.#batches.delete(this.#nextRelease);
      this.#nextRelease++;
      const now = performance.now();
      this.#releasedAt = now;
      const { verdicts, error } = batch;
      const verifyStage = this.#stages?.verify;
      if (verifyStage !== undefined) {
        // Every item of a batch left and came back together.
        const ms = now - batch.dispatchedAt;
        for (let i = 0; i < batch.count - batch.keyChecks; i++) verifyStage.observeMs(ms);
      }
      for (let i = 0; i < batch.count; i++) {
        const slot = (batch.start + i) % this.maxQueue;
        const callback = this.#callbacks[slot]!;
        const context = this.#contexts[slot];
        this.#callbacks[slot] = undefined;
        this.#contexts[slot] = undefined;
        const latencyMicros = (now - this.#enqueuedAt[slot]) * 1000;
        recordMicros(this.#total.latency, latencyMicros);
        recordMicros(this.#interval.latency, latencyMicros);
        let valid = false;
        if (verdicts !== null) {
          valid = verdicts[i] === 1;
          if (valid) this.#valid++;
          else this.#invalid++;
        } else {
          this.#failed++;
        }
        try {
          callback(context, valid, verdicts === null ? error : null);
        } catch (thrown) {
          queueMicrotask(() => {
            throw thrown;
          });
        }
      }
      // Batches are contiguous and released in order, so this frees exactly their slots.
      this.#head += batch.count;
    }
    if (this.#onDrained !== null && this.#head === this.#tail) {
      const drained = this.#onDrained;
      this.#onDrained = null;
      drained();
    }
  }
}

function newHistogramSet(): HistogramSet {
  return {
    queueWait: createHistogram(),
    verify: createHistogram(),
    batchSize: createHistogram(),
    latency: createHistogram(),
  };
}

function integerOption(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`options.${name} must be an integer`);
  }
  if (value < min || value > max) {
    throw new RangeError(`options.${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function checkLength(bytes: Uint8Array, size: number, name: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new TypeError(`${name} must be a Uint8Array of ${size} bytes`);
  }
}
