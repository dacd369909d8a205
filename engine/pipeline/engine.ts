/**
 * The settlement pipeline: admission -> verify (pool) -> registry commit -> journal -> answer.
 *
 * Ordering: the pool resolves verdicts in submission order, and each verdict's continuation
 * applies its transaction to the registry, so commits happen in arrival order and the first of
 * two transactions spending one coin wins.
 *
 * Durability: a settlement is answered only after its journal record is durable. A rejection
 * that depended on registry state (e.g. ALREADY_SPENT) is answered only after every record
 * appended before it is durable too, so no answer ever reflects state a crash could undo.
 */
import {
  encodeSigned,
  MAX_INPUTS,
  MAX_OUTPUTS,
  type Rejection,
  reject,
  type Tx,
} from '../domain/index.js';
import type { Registry } from '../registry/index.js';
import { type Outcome, OVERLOADED_QUEUE } from './outcome.js';
import type { DurableLog, SignatureStage } from './ports.js';

/** Upper bound of a journal record's framing bytes (length + checksum). */
const RECORD_FRAMING = 16;

export interface EngineCounters {
  admitted: number;
  settled: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  overloaded: number;
  unavailable: number;
  verifyErrors: number;
  inflight: number;
  maxInflight: number;
}

export class SettlementEngine {
  readonly registry: Registry;
  readonly #verifier: SignatureStage;
  readonly #journal: DurableLog;
  readonly #maxInflight: number;
  /** The newest journal append: once it resolves, everything appended before is durable. */
  #durableTail: Promise<void> = Promise.resolve();
  #closing = false;
  #failure: Error | null = null;
  #idle: (() => void) | null = null;
  readonly counters: EngineCounters = {
    admitted: 0,
    settled: 0,
    rejected: 0,
    rejectedByCode: {},
    overloaded: 0,
    unavailable: 0,
    verifyErrors: 0,
    inflight: 0,
    maxInflight: 0,
  };

  constructor(
    registry: Registry,
    verifier: SignatureStage,
    journal: DurableLog,
    maxInflight: number,
  ) {
    this.registry = registry;
    this.#verifier = verifier;
    this.#journal = journal;
    this.#maxInflight = maxInflight;
  }

  /** Why the engine is not acknowledging anything, or null when it is healthy. */
  get failure(): Error | null {
    return this.#failure ?? this.#journal.failure;
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
      return Promise.resolve(OVERLOADED_QUEUE);
    }
    const verdict = this.#verifier.verify(tx.signerKey, tx.txid, tx.signature);
    if (!verdict) {
      this.counters.overloaded++;
      return Promise.resolve(OVERLOADED_QUEUE);
    }
    this.counters.admitted++;
    this.counters.inflight++;
    if (this.counters.inflight > this.counters.maxInflight)
      this.counters.maxInflight = this.counters.inflight;
    return verdict.then(
      (valid) => this.#afterVerify(tx, valid),
      (error: unknown) => {
        // The pool could not verify (workers kept crashing): nothing was applied.
        this.counters.verifyErrors++;
        return this.#done({
          status: 'unavailable',
          reason: `signature verification failed: ${String(error)}`,
        });
      },
    );
  }

  /** Rejects a transaction that never reached the pipeline (structural errors), for the counters. */
  countRejection(rejection: Rejection): void {
    this.counters.rejected++;
    this.counters.rejectedByCode[rejection.code] =
      (this.counters.rejectedByCode[rejection.code] ?? 0) + 1;
  }

  #afterVerify(tx: Tx, valid: boolean): Outcome | Promise<Outcome> {
    // Re-checked here: a transaction admitted before a journal failure must not commit after it.
    const unavailable = this.#unavailable(true);
    if (unavailable) return this.#done(unavailable);
    if (!valid) {
      return this.#rejected(
        tx,
        reject('BAD_SIGNATURE', 'the signature does not verify under the signer key'),
      );
    }
    const record = encodeSigned(tx);
    if (
      this.#journal.pendingBytes + record.length + RECORD_FRAMING >
      this.#journal.maxPendingBytes
    ) {
      // The disk is behind: shed this one before it touches the registry.
      this.counters.overloaded++;
      return this.#done({ status: 'overloaded', reason: 'the journal is behind' });
    }
    const rejection = this.registry.apply(tx);
    if (rejection) {
      // The rejection may rest on state not yet durable: answer once everything before it is.
      return this.#durableTail.then(
        () => this.#rejected(tx, rejection),
        () => this.#done({ status: 'unavailable', reason: 'the journal failed' }),
      );
    }
    const durable = this.#journal.append(record);
    this.#durableTail = durable;
    return durable.then(
      () => {
        this.counters.settled++;
        return this.#done({ status: 'settled', txid: tx.txidHex });
      },
      (error: unknown) => {
        // Fail closed: the registry now holds a commit the journal does not. Stop answering.
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        return this.#done({
          status: 'unavailable',
          reason: `the journal failed: ${this.#failure.message}`,
        });
      },
    );
  }

  #rejected(tx: Tx, rejection: Rejection): Outcome {
    this.countRejection(rejection);
    return this.#done({ status: 'rejected', txid: tx.txidHex, rejection });
  }

  #done(outcome: Outcome): Outcome {
    this.counters.inflight--;
    if (outcome.status === 'unavailable') this.counters.unavailable++;
    if (this.counters.inflight === 0 && this.#idle) this.#idle();
    return outcome;
  }

  #unavailable(admitted = false): Outcome | null {
    const failure = this.failure;
    if (failure) return { status: 'unavailable', reason: `failed closed: ${failure.message}` };
    if (this.#closing && !admitted)
      return { status: 'unavailable', reason: 'the engine is shutting down' };
    return null;
  }

  /** Stops admitting, waits for every admitted transaction to be answered, then closes stages. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.counters.inflight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#verifier.close();
    await this.#journal.close();
  }
}
