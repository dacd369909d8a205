/**
 * The settlement pipeline: admission -> verify (pool) -> store (registry + durability) -> answer.
 *
 * Ordering: the pool resolves verdicts in submission order, and each verdict's continuation
 * hands its transaction to the store, so the store decides in arrival order and the first of
 * two transactions spending one coin wins.
 *
 * Durability is the store's (engine/registry port): a settlement is reported only once durable,
 * a rejection that rests on state only once that state is durable.
 */
import {
  MAX_INPUTS,
  MAX_OUTPUTS,
  type Rejection,
  reject,
  type Subject,
  type Tx,
} from '../domain/index.js';
import {
  type AnswerEvent,
  answerChannel,
  type EngineMetrics,
  type HistogramSeries,
} from '../metrics/index.js';
import {
  isRefusal,
  type LedgerStore,
  recordSubjectKeyVerdict,
  type SettleResult,
} from '../registry/index.js';
import {
  type Outcome,
  OVERLOADED_DELAY,
  OVERLOADED_INFLIGHT,
  OVERLOADED_QUEUE,
} from './outcome.js';
import type { SignatureStage } from './ports.js';

export interface EngineCounters {
  admitted: number;
  settled: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  overloaded: number;
  /** Of `overloaded`: refused by `screen()`, before the request was read or decoded. */
  shedEarly: number;
  unavailable: number;
  verifyErrors: number;
  inflight: number;
  maxInflight: number;
}

/**
 * Moments (performance.now(), ms) of one transaction that its caller wants to time: the HTTP
 * ingress sets `arrivedAt` when the request arrives, the engine sets `answeredAt` when the answer is
 * ready, and the ingress measures the rest (writing the answer) itself.
 */
export interface SettlementTiming {
  readonly arrivedAt: number;
  answeredAt: number;
}

/** One admitted transaction, the resolver of its answer, and its stage boundaries (ms). */
interface Pending {
  readonly tx: Tx;
  readonly resolve: (outcome: Outcome) => void;
  readonly timing: SettlementTiming | null;
  readonly submittedAt: number;
  /** Its verdict released (the verify stage's end); NaN until then. */
  verifiedAt: number;
  /** Handed to the store and back from its synchronous part (the commit stage's end); NaN until then. */
  committedAt: number;
  answered: boolean;
}

/** The stage histograms the pipeline records into (engine/metrics); null when not measured. */
interface PipelineStages {
  readonly admission: HistogramSeries;
  readonly commit: HistogramSeries;
  readonly durability: HistogramSeries;
}

export class SettlementEngine {
  readonly store: LedgerStore;
  readonly #verifier: SignatureStage;
  readonly #maxInflight: number;
  readonly #maxQueueDelayMs: number;
  /** Admitted transactions answered, ever, and the answer rate (per ms) over recent windows. */
  #answered = 0;
  #rateWindow = { at: performance.now(), answered: 0 };
  #answerRate = 0;
  #closing = false;
  #failure: Error | null = null;
  #idle: (() => void) | null = null;
  readonly #stages: PipelineStages | null;
  readonly counters: EngineCounters = {
    admitted: 0,
    settled: 0,
    rejected: 0,
    rejectedByCode: {},
    overloaded: 0,
    shedEarly: 0,
    unavailable: 0,
    verifyErrors: 0,
    inflight: 0,
    maxInflight: 0,
  };

  constructor(
    store: LedgerStore,
    verifier: SignatureStage,
    maxInflight: number,
    maxQueueDelayMs = Number.POSITIVE_INFINITY,
    metrics: EngineMetrics | null = null,
  ) {
    this.store = store;
    this.#verifier = verifier;
    this.#maxInflight = maxInflight;
    this.#maxQueueDelayMs = maxQueueDelayMs;
    this.#stages =
      metrics === null
        ? null
        : {
            admission: metrics.stage.admission,
            commit: metrics.stage.commit,
            durability: metrics.stage.durability,
          };
    if (metrics !== null) this.#registerGauges(metrics);
  }

  /**
   * Admission for a request not yet read (the HTTP ingress calls it first): null when work
   * arriving now is admitted, else the refusal (counted), answered without reading, parsing,
   * hex-decoding or hashing anything. Work is refused while the engine holds `maxInflight`
   * transactions, while the verification queue holds more than `maxQueueDelayMs` of work, or
   * while what is in flight would take longer than that to answer at the recent answer rate:
   * the bound is how long admitted work waits, not how many items there are. `submit` itself
   * keeps only the count bounds, so in-process drivers (benchmarks) choose their own window.
   */
  screen(): Outcome | null {
    const refusal = this.#admission();
    if (refusal === null) return null;
    if (refusal.status === 'overloaded') {
      this.counters.overloaded++;
      this.counters.shedEarly++;
    } else {
      this.counters.unavailable++;
    }
    return refusal;
  }

  #admission(): Outcome | null {
    const unavailable = this.#unavailable();
    if (unavailable) return unavailable;
    if (this.counters.inflight >= this.#maxInflight) return OVERLOADED_INFLIGHT;
    const delay = this.#verifier.queueDelayMs?.() ?? 0;
    if (delay > this.#maxQueueDelayMs) return OVERLOADED_DELAY;
    // Everything after admission (verification, journal, answers): by Little's law the wait is
    // what is in flight over the rate it is answered at. Catches a slow disk or a starved
    // process that the verification queue alone does not show.
    const rate = this.#rate();
    if (rate > 0 && this.counters.inflight / rate > this.#maxQueueDelayMs) return OVERLOADED_DELAY;
    return null;
  }

  /** Answers per ms, a moving average over 100 ms windows (updated when admission asks). */
  #rate(): number {
    const now = performance.now();
    const window = this.#rateWindow;
    const elapsed = now - window.at;
    // A window with nothing in flight and nothing answered was idle, not slow: it keeps the rate.
    if (elapsed >= 100 && (this.#answered > window.answered || this.counters.inflight > 0)) {
      const rate = (this.#answered - window.answered) / elapsed;
      this.#answerRate = this.#answerRate === 0 ? rate : 0.7 * this.#answerRate + 0.3 * rate;
      window.at = now;
      window.answered = this.#answered;
    } else if (elapsed >= 100) {
      window.at = now;
    }
    return this.#answerRate;
  }

  /**
   * Why the engine is not acknowledging anything, or null when it is healthy. A store failure
   * may clear by itself (a database back up) unless `store.failedClosed`.
   */
  get failure(): Error | null {
    return this.#failure ?? this.store.failure;
  }

  /** How a failure reads in answers: permanent (failed closed) or until the store is back. */
  failureText(failure: Error): string {
    return this.#failure === null && !this.store.failedClosed
      ? `the store is unavailable: ${failure.message}`
      : `failed closed: ${failure.message}`;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Submits a structurally valid transaction (from `decodeWire` or `decodeSigned`). Never
   * rejects: every answer is an Outcome. Throws only on misuse: a Tx past the encoding's limits
   * would be journaled and then refused by recovery. With `timing`, the admission stage is measured
   * from `timing.arrivedAt` and `timing.answeredAt` is set when the answer is ready.
   */
  submit(tx: Tx, timing: SettlementTiming | null = null): Promise<Outcome> {
    if (tx.inputs.length > MAX_INPUTS || tx.outputs.length > MAX_OUTPUTS) {
      throw new RangeError(
        `a transaction has at most ${MAX_INPUTS} inputs and ${MAX_OUTPUTS} outputs: decode it first`,
      );
    }
    const unavailable = this.#unavailable();
    if (unavailable) {
      this.counters.unavailable++;
      return refused(unavailable, timing);
    }
    if (this.counters.inflight >= this.#maxInflight) {
      this.counters.overloaded++;
      return refused(OVERLOADED_INFLIGHT, timing);
    }
    const submittedAt = this.#stages === null ? Number.NaN : performance.now();
    let pending!: Pending;
    const answer = new Promise<Outcome>((resolve) => {
      pending = {
        tx,
        resolve,
        timing,
        submittedAt,
        verifiedAt: Number.NaN,
        committedAt: Number.NaN,
        answered: false,
      };
    });
    // A registered key's check goes to the pool just ahead of the signature, so its verdict is
    // recorded before the signature's verdict settles the transaction (verdicts keep order).
    if (tx.subject !== undefined && this.#verifier.submitKeyCheck !== undefined) {
      const subject = tx.subject;
      if (!this.#verifier.submitKeyCheck(Buffer.from(subject.key, 'hex'), onKeyVerdict, subject)) {
        this.counters.overloaded++;
        return refused(OVERLOADED_QUEUE, timing);
      }
    }
    // The pool's callback form: no promise, closure or reaction per transaction on the way in.
    if (!this.#verifier.submit(tx.signerKey, tx.txid, tx.signature, this.#onVerdict, pending)) {
      this.counters.overloaded++;
      return refused(OVERLOADED_QUEUE, timing);
    }
    if (timing !== null) this.#stages?.admission.observeMs(submittedAt - timing.arrivedAt);
    this.counters.admitted++;
    this.counters.inflight++;
    if (this.counters.inflight > this.counters.maxInflight)
      this.counters.maxInflight = this.counters.inflight;
    return answer;
  }

  /** Rejects a transaction that never reached the pipeline (structural errors), for the counters. */
  countRejection(rejection: Rejection): void {
    this.counters.rejected++;
    this.counters.rejectedByCode[rejection.code] =
      (this.counters.rejectedByCode[rejection.code] ?? 0) + 1;
  }

  /** One verdict, delivered in submission order: the commit point. */
  readonly #onVerdict = (pending: Pending, valid: boolean, error: unknown): void => {
    if (error !== null) {
      // The pool could not verify (workers kept crashing): nothing was applied.
      this.counters.verifyErrors++;
      this.#answer(pending, {
        status: 'unavailable',
        reason: `signature verification failed: ${String(error)}`,
      });
      return;
    }
    if (this.#stages !== null) pending.verifiedAt = this.#verifier.releasedAt ?? performance.now();
    try {
      this.#afterVerify(pending, valid);
    } catch (thrown) {
      // A bug between verdict and store: the registry may hold a partial commit. Fail closed.
      this.#failure ??= thrown instanceof Error ? thrown : new Error(String(thrown));
      this.#answer(pending, {
        status: 'unavailable',
        reason: `failed closed: ${this.#failure.message}`,
      });
    }
  };

  #afterVerify(pending: Pending, valid: boolean): void {
    const tx = pending.tx;
    // Re-checked here: a transaction admitted before a journal failure must not commit after it.
    const unavailable = this.#unavailable(true);
    if (unavailable) {
      this.#answer(pending, unavailable);
      return;
    }
    if (!valid) {
      this.#rejected(
        pending,
        reject('BAD_SIGNATURE', 'the signature does not verify under the signer key'),
      );
      return;
    }
    this.store.settle(tx, pending, this.#onSettled);
    this.#committed(pending);
  }

  /** The store's report on one transaction: the answer. */
  readonly #onSettled = (pending: Pending, result: SettleResult): void => {
    if (result === null) {
      this.counters.settled++;
      this.#answer(pending, { status: 'settled', txid: pending.tx.txidHex });
    } else if (!isRefusal(result)) {
      this.#rejected(pending, result);
    } else {
      if (result.status === 'overloaded') this.counters.overloaded++;
      this.#answer(pending, result);
    }
  };

  #rejected(pending: Pending, rejection: Rejection): void {
    this.countRejection(rejection);
    this.#answer(pending, { status: 'rejected', txid: pending.tx.txidHex, rejection });
  }

  /**
   * The commit stage ends: the store's synchronous part is done (memory: the registry applied and
   * the journal record staged; postgres: queued for its next settle batch). A store that answered
   * at once (the journal behind) has no commit or durability stage.
   */
  #committed(pending: Pending): void {
    const stages = this.#stages;
    if (stages === null || pending.answered) return;
    pending.committedAt = performance.now();
    stages.commit.observeMs(pending.committedAt - pending.verifiedAt);
  }

  /** Answers an admitted transaction: counts it, closes its stages, resolves its promise. */
  #answer(pending: Pending, outcome: Outcome): void {
    this.#done(outcome);
    pending.answered = true;
    const stages = this.#stages;
    if (stages !== null || pending.timing !== null || answerChannel.hasSubscribers) {
      const now = performance.now();
      if (stages !== null && !Number.isNaN(pending.committedAt)) {
        stages.durability.observeMs(now - pending.committedAt);
      }
      if (pending.timing !== null) pending.timing.answeredAt = now;
      if (answerChannel.hasSubscribers) publishAnswer(pending, outcome, now);
    }
    pending.resolve(outcome);
  }

  /** The engine's counters and health as gauges, read when scraped. */
  #registerGauges(metrics: EngineMetrics): void {
    const r = metrics.registry;
    const c = this.counters;
    r.collected(
      'ecny_up',
      'gauge',
      '1 while acknowledging, 0 while failed (or the database is down).',
      () => [['', this.failure === null ? 1 : 0]],
    );
    r.collected('ecny_settled_total', 'counter', 'Transactions settled and durable.', () => [
      ['', c.settled],
    ]);
    r.collected('ecny_rejected_total', 'counter', 'Transactions rejected, by code.', () =>
      Object.entries(c.rejectedByCode).map(([code, n]) => [`{code="${code}"}`, n] as const),
    );
    r.collected('ecny_admitted_total', 'counter', 'Transactions admitted to verification.', () => [
      ['', c.admitted],
    ]);
    r.collected(
      'ecny_overloaded_total',
      'counter',
      'Transactions or requests refused for load (shed early included).',
      () => [['', c.overloaded]],
    );
    r.collected(
      'ecny_shed_total',
      'counter',
      'Transaction requests refused at admission, before their body was read.',
      () => [['', c.shedEarly]],
    );
    r.collected('ecny_unavailable_total', 'counter', 'Answers UNAVAILABLE.', () => [
      ['', c.unavailable],
    ]);
    r.collected('ecny_inflight', 'gauge', 'Transactions admitted and not yet answered.', () => [
      ['', c.inflight],
    ]);
  }

  #done(outcome: Outcome): Outcome {
    this.counters.inflight--;
    this.#answered++;
    if (outcome.status === 'unavailable') this.counters.unavailable++;
    if (this.counters.inflight === 0 && this.#idle) this.#idle();
    return outcome;
  }

  #unavailable(admitted = false): Outcome | null {
    const failure = this.failure;
    if (failure) return { status: 'unavailable', reason: this.failureText(failure) };
    if (this.#closing && !admitted)
      return { status: 'unavailable', reason: 'the engine is shutting down' };
    return null;
  }

  /** Stops admitting, waits for every admitted transaction to be answered, then closes stages. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.counters.inflight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#verifier.close();
    await this.store.close();
  }
}

/** A transaction refused on submit, before it was admitted: answered now. */
function refused(outcome: Outcome, timing: SettlementTiming | null): Promise<Outcome> {
  if (timing !== null) timing.answeredAt = performance.now();
  return Promise.resolve(outcome);
}

function publishAnswer(pending: Pending, outcome: Outcome, answeredAt: number): void {
  answerChannel.publish({
    txid: pending.tx.txidHex,
    status: outcome.status,
    code: outcome.status === 'rejected' ? outcome.rejection.code : null,
    submittedAt: pending.submittedAt,
    verifiedAt: pending.verifiedAt,
    committedAt: pending.committedAt,
    answeredAt,
  } satisfies AnswerEvent);
}

/**
 * A registration key's verdict from the pool, kept for the store. With no verdict (the pool
 * failed) nothing is recorded: the transaction's own signature verdict fails the same way, and a
 * store that still sees it runs the check itself.
 */
function onKeyVerdict(subject: Subject, acceptable: boolean, error: Error | null): void {
  if (error === null) recordSubjectKeyVerdict(subject, acceptable);
}
