/**
 * The `postgres` store: the ledger in PostgreSQL, shared by any number of engine nodes, each
 * holding no ledger state of its own. The WAL is the journal: a batch is answered only after its
 * COMMIT returned (synchronous_commit=on, checked at start).
 *
 * Per node, batches go to the database one at a time, in arrival order: while one is in flight
 * the next gathers everything that verified meanwhile (the database's group commit, as the
 * journal's). Within a node, the first of two spends of a coin wins, as with the memory store;
 * across nodes, the first batch to lock the coin does.
 *
 * Failure handling: a serialization failure, deadlock or racing insert (the call aborted whole)
 * is retried up to `retries` times, then answered UNAVAILABLE. A lost connection leaves the
 * batch's fate unknown: it is answered UNAVAILABLE (a retry by the client gets DUPLICATE_TX if
 * it did commit), the store reports itself down, and a probe brings it back once the database
 * answers again.
 */
import type { TierTable, Tx } from '../../domain/index.js';
import type {
  CoinStatus,
  LedgerStore,
  LifecycleCounts,
  Reconciliation,
  SettleDone,
  SettleResult,
  StoreRefusal,
  WalletHoldings,
} from '../port.js';
import {
  type BatchContext,
  decodeAnswer,
  encodeBatch,
  SETTLE_CALL,
  type SettleAnswer,
} from './batch.js';
import { isConnectionError, isRetryable, type SqlDriver } from './driver.js';
import { readCoin, readHoldings, readLifecycle, reconcileBooks } from './reads.js';

export interface PostgresStoreOptions {
  readonly tiers: TierTable;
  readonly acceptKey: (key: Uint8Array) => boolean;
  /**
   * The engine's value day, read once per settle call (the memory registry reads it once per
   * transaction: the two differ only for a call that straddles midnight UTC). Null: no clock.
   */
  readonly today: () => number | null;
  /** Most transactions in one settle call. */
  readonly maxBatch: number;
  /** Retries of a batch the database aborted (serialization failure, deadlock, racing insert). */
  readonly retries: number;
  /** Pause between probes while the database is unreachable, ms. */
  readonly probeMs: number;
}

export const DEFAULT_POSTGRES_OPTIONS = { maxBatch: 1024, retries: 8, probeMs: 250 } as const;

interface Queued {
  readonly tx: Tx;
  readonly ticket: unknown;
  readonly done: SettleDone<unknown>;
}

export interface PostgresStats {
  batches: number;
  settleCalls: number;
  retries: number;
  transactions: number;
  unavailable: number;
  maxBatch: number;
  downEvents: number;
  /** Wall time of settle calls, total ms (mean = / settleCalls). */
  settleMs: number;
}

export class PostgresStore implements LedgerStore {
  readonly kind = 'postgres' as const;
  readonly failedClosed = false;
  readonly #db: SqlDriver;
  readonly #options: PostgresStoreOptions;
  readonly #ctx: BatchContext;
  #queue: Queued[] = [];
  #inFlight = false;
  #scheduled = false;
  #down: Error | null = null;
  #probe: NodeJS.Timeout | null = null;
  #closed = false;
  #drained: (() => void) | null = null;
  readonly counters: PostgresStats = {
    batches: 0,
    settleCalls: 0,
    retries: 0,
    transactions: 0,
    unavailable: 0,
    maxBatch: 0,
    downEvents: 0,
    settleMs: 0,
  };

  constructor(db: SqlDriver, options: PostgresStoreOptions) {
    this.#db = db;
    this.#options = options;
    this.#ctx = { tiers: options.tiers, acceptKey: options.acceptKey };
  }

  get failure(): Error | null {
    return this.#down;
  }

  settle<T>(tx: Tx, ticket: T, done: SettleDone<T>): void {
    if (this.#down) {
      done(ticket, unavailable(`the database is unreachable: ${this.#down.message}`));
      return;
    }
    this.#queue.push({ tx, ticket, done: done as SettleDone<unknown> });
    if (!this.#inFlight && !this.#scheduled) {
      // Everything that verifies in this event-loop turn goes in the first batch.
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#inFlight || this.#queue.length === 0) return;
    const take = Math.min(this.#queue.length, this.#options.maxBatch);
    const batch = take === this.#queue.length ? this.#queue : this.#queue.slice(0, take);
    this.#queue = take === this.#queue.length ? [] : this.#queue.slice(take);
    this.#inFlight = true;
    this.counters.batches++;
    this.counters.transactions += batch.length;
    if (batch.length > this.counters.maxBatch) this.counters.maxBatch = batch.length;
    this.#settleBatch(batch).then(
      (results) => this.#answer(batch, results),
      (error: unknown) =>
        this.#answerAll(batch, unavailable(`settlement failed: ${message(error)}`)),
    );
  };

  async #settleBatch(batch: readonly Queued[]): Promise<SettleResult[]> {
    const txs = batch.map((q) => q.tx);
    const today = this.#options.today();
    const params = encodeBatch(txs, this.#ctx, today);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      this.counters.settleCalls++;
      try {
        const rows = await this.#db.query<SettleAnswer>(SETTLE_CALL, params, 'ecny_settle');
        this.counters.settleMs += performance.now() - started;
        return decodeAnswer(txs, rows[0]!, this.#options.tiers, today);
      } catch (error) {
        this.counters.settleMs += performance.now() - started;
        if (isRetryable(error) && attempt < this.#options.retries) {
          this.counters.retries++;
          // Jittered backoff: two nodes that collided should not collide again.
          await sleep(Math.random() * 2 ** Math.min(attempt, 6));
          continue;
        }
        if (isConnectionError(error)) this.#markDown(error);
        throw error;
      }
    }
  }

  #answer(batch: readonly Queued[], results: readonly SettleResult[]): void {
    for (let i = 0; i < batch.length; i++) {
      const q = batch[i]!;
      q.done(q.ticket, results[i]!);
    }
    this.#next();
  }

  #answerAll(batch: readonly Queued[], refusal: StoreRefusal): void {
    this.counters.unavailable += batch.length;
    for (const q of batch) q.done(q.ticket, refusal);
    this.#next();
  }

  #next(): void {
    this.#inFlight = false;
    if (this.#down && this.#queue.length > 0) {
      const queued = this.#queue;
      this.#queue = [];
      this.#answerAll(queued, unavailable(`the database is unreachable: ${this.#down.message}`));
      return;
    }
    if (this.#queue.length > 0) this.#flush();
    else if (this.#drained) this.#drained();
  }

  #markDown(error: unknown): void {
    if (this.#down || this.#closed) return;
    this.#down = error instanceof Error ? error : new Error(String(error));
    this.counters.downEvents++;
    const probe = () => {
      this.#probe = null;
      if (this.#closed) return;
      this.#db.query('SELECT 1').then(
        () => {
          this.#down = null;
        },
        () => {
          this.#probe = setTimeout(probe, this.#options.probeMs);
        },
      );
    };
    this.#probe = setTimeout(probe, this.#options.probeMs);
  }

  coin(id: string): Promise<CoinStatus | undefined> {
    return readCoin(this.#db, id);
  }

  holdings(keyOrId: string, maxCoins: number): Promise<WalletHoldings | undefined> {
    return readHoldings(this.#db, keyOrId, maxCoins);
  }

  reconcile(): Promise<Reconciliation> {
    return reconcileBooks(this.#db);
  }

  lifecycle(): Promise<Readonly<LifecycleCounts>> {
    return readLifecycle(this.#db);
  }

  stats(): Record<string, unknown> {
    return {
      kind: this.kind,
      ...this.counters,
      queued: this.#queue.length,
      down: this.#down?.message ?? null,
    };
  }

  async close(): Promise<void> {
    if (this.#inFlight || this.#queue.length > 0)
      await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#closed = true;
    if (this.#probe) clearTimeout(this.#probe);
    await this.#db.close();
  }
}

function unavailable(reason: string): StoreRefusal {
  return { status: 'unavailable', reason };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
