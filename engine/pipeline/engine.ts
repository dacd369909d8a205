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
import { MAX_INPUTS, MAX_OUTPUTS, type Rejection, reject, type Tx } from '../domain/index.js';
import { isRefusal, type LedgerStore, type SettleResult } from '../registry/index.js';
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

/** One admitted transaction and the resolver of its answer. */
interface Pending {
  readonly tx: Tx;
  readonly resolve: (outcome: Outcome) => void;
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
  ) {
    this.store = store;
    this.#verifier = verifier;
    this.#maxInflight = maxInflight;
    this.#maxQueueDelayMs = maxQueueDelayMs;
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
   * would be journaled and then refused by recovery.
   */
  submit(tx: Tx): Promise<Outcome> {
    if (tx.inputs.length > MAX_INPUTS || tx.outputs.length > MAX_OUTPUTS) {
      throw new RangeError(
        `a transaction has at most ${MAX_INPUTS} inputs and ${MAX_OUTPUTS} outputs: decode it first`,
      );
    }
    const unavailable = this.#unavailable();
    if (unavailable) {
      this.counters.unavailable++;
      return Promise.resolve(unavailable);
    }
    if (this.counters.inflight >= this.#maxInflight) {
      this.counters.overloaded++;
      return Promise.resolve(OVERLOADED_INFLIGHT);
    }
    let pending!: Pending;
    const answer = new Promise<Outcome>((resolve) => {
      pending = { tx, resolve };
    });
    // The pool's callback form: no promise, closure or reaction per transaction on the way in.
    if (!this.#verifier.submit(tx.signerKey, tx.txid, tx.signature, this.#onVerdict, pending)) {
      this.counters.overloaded++;
      return Promise.resolve(OVERLOADED_QUEUE);
    }
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
      pending.resolve(
        this.#done({
          status: 'unavailable',
          reason: `signature verification failed: ${String(error)}`,
        }),
      );
      return;
    }
    try {
      this.#afterVerify(pending, valid);
    } catch (thrown) {
      // A bug between verdict and store: the registry may hold a partial commit. Fail closed.
      this.#failure ??= thrown instanceof Error ? thrown : new Error(String(thrown));
      pending.resolve(
        this.#done({ status: 'unavailable', reason: `failed closed: ${this.#failure.message}` }),
      );
    }
  };

  #afterVerify(pending: Pending, valid: boolean): void {
    const tx = pending.tx;
    // Re-checked here: a transaction admitted before a journal failure must not commit after it.
    const unavailable = this.#unavailable(true);
    if (unavailable) {
      pending.resolve(this.#done(unavailable));
      return;
    }
    if (!valid) {
      pending.resolve(
        this.#rejected(
          tx,
          reject('BAD_SIGNATURE', 'the signature does not verify under the signer key'),
        ),
      );
      return;
    }
    this.store.settle(tx, pending, this.#onSettled);
  }

  /** The store's report on one transaction: the answer. */
  readonly #onSettled = (pending: Pending, result: SettleResult): void => {
    if (result === null) {
      this.counters.settled++;
      pending.resolve(this.#done({ status: 'settled', txid: pending.tx.txidHex }));
    } else if (!isRefusal(result)) {
      pending.resolve(this.#rejected(pending.tx, result));
    } else {
      if (result.status === 'overloaded') this.counters.overloaded++;
      pending.resolve(this.#done(result));
    }
  };

  #rejected(tx: Tx, rejection: Rejection): Outcome {
    this.countRejection(rejection);
    return this.#done({ status: 'rejected', txid: tx.txidHex, rejection });
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
