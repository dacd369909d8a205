/**
 * The `memory` store: the in-process Registry (the single writer) and the group-commit journal.
 * The embedded default: one engine process, state rebuilt from the journal at start.
 *
 * Durability: a settlement is reported only after its journal record is durable. A rejection
 * that rests on registry state (e.g. ALREADY_SPENT) is reported only after every record appended
 * before it is durable too, so no answer reflects state a crash could undo.
 */
import type { Tx } from '../domain/index.js';
import type {
  CoinStatus,
  LedgerStore,
  LifecycleCounts,
  Reconciliation,
  SettleDone,
  SettleResult,
  WalletHoldings,
} from './port.js';
import type { Registry } from './registry.js';

/** Upper bound of a journal record's framing bytes (length + checksum). */
const RECORD_FRAMING = 16;

/** The durable log the store appends to (engine/journal's Journal; tests pass fakes). */
export interface DurableLog {
  /**
   * Appends the record `head ‖ tail` (no concatenation built by the caller); resolves once it is
   * durable, rejects if it never will be. Records of one group commit may share one promise.
   */
  appendParts(head: Uint8Array, tail: Uint8Array): Promise<void>;
  /** Bytes waiting for the disk, and the most allowed: the store sheds load before the limit. */
  readonly pendingBytes: number;
  readonly maxPendingBytes: number;
  /** Set once the log has failed: from then on nothing may be acknowledged. */
  readonly failure: Error | null;
  close(): Promise<void>;
  stats?(): object;
}

/**
 * The transactions whose journal records share one durable promise (one group commit): each
 * member's ticket and callback, in two parallel arrays (no object per transaction).
 */
interface DurableGroup {
  readonly durable: Promise<void>;
  readonly tickets: unknown[];
  readonly dones: SettleDone<unknown>[];
}

const JOURNAL_BEHIND = { status: 'overloaded', reason: 'the journal is behind' } as const;

export class MemoryStore implements LedgerStore {
  readonly kind = 'memory' as const;
  readonly registry: Registry;
  readonly journal: DurableLog;
  /** The newest journal append: once it resolves, everything appended before is durable. */
  #durableTail: Promise<void> = Promise.resolve();
  /** Settlements waiting for the newest journal append's group commit, reported together. */
  #group: DurableGroup | null = null;
  #failure: Error | null = null;

  constructor(registry: Registry, journal: DurableLog) {
    this.registry = registry;
    this.journal = journal;
  }

  get failure(): Error | null {
    return this.#failure ?? this.journal.failure;
  }

  readonly failedClosed = true;

  settle<T>(tx: Tx, ticket: T, done: SettleDone<T>): void {
    const journal = this.journal;
    // The record is encodeSigned(tx) = body ‖ signature.
    const recordLength = tx.body.length + tx.signature.length;
    if (journal.pendingBytes + recordLength + RECORD_FRAMING > journal.maxPendingBytes) {
      // The disk is behind: shed this one before it touches the registry.
      done(ticket, JOURNAL_BEHIND);
      return;
    }
    const rejection = this.registry.apply(tx);
    if (rejection) {
      // The rejection may rest on state not yet durable: report once everything before it is.
      this.#durableTail.then(
        () => done(ticket, rejection),
        () => done(ticket, { status: 'unavailable', reason: 'the journal failed' }),
      );
      return;
    }
    const durable = journal.appendParts(tx.body, tx.signature);
    this.#durableTail = durable;
    // The journal hands every record of one group commit the same promise: one reaction reports
    // the whole group. (A log that returns a promise per record just makes groups of one.)
    if (durable === this.#group?.durable) {
      this.#group.tickets.push(ticket);
      this.#group.dones.push(done as SettleDone<unknown>);
      return;
    }
    const group: DurableGroup = {
      durable,
      tickets: [ticket],
      dones: [done as SettleDone<unknown>],
    };
    this.#group = group;
    durable.then(
      () => this.#settleGroup(group),
      (error: unknown) => this.#failGroup(group, error),
    );
  }

  #settleGroup(group: DurableGroup): void {
    if (this.#group === group) this.#group = null;
    const { tickets, dones } = group;
    for (let i = 0; i < tickets.length; i++) dones[i]!(tickets[i], null);
  }

  #failGroup(group: DurableGroup, error: unknown): void {
    if (this.#group === group) this.#group = null;
    // Fail closed: the registry now holds commits the journal does not. Stop acknowledging.
    this.#failure ??= error instanceof Error ? error : new Error(String(error));
    const refusal: SettleResult = {
      status: 'unavailable',
      reason: `the journal failed: ${this.#failure.message}`,
    };
    for (let i = 0; i < group.tickets.length; i++) group.dones[i]!(group.tickets[i], refusal);
  }

  coin(id: string): Promise<CoinStatus | undefined> {
    return Promise.resolve(this.registry.coin(id));
  }

  holdings(keyOrId: string, maxCoins: number): Promise<WalletHoldings | undefined> {
    const accounts = this.registry.accounts;
    const account = keyOrId.length === 40 ? accounts.byId(keyOrId) : accounts.get(keyOrId);
    if (!account) return Promise.resolve(undefined);
    const coins = this.registry.coinsOf(account.key);
    return Promise.resolve({
      account,
      balance: this.registry.balanceOf(account.key),
      coinCount: coins.length,
      coins: coins.slice(0, maxCoins),
    });
  }

  reconcile(): Promise<Reconciliation> {
    return Promise.resolve(this.registry.reconcile());
  }

  lifecycle(): Promise<Readonly<LifecycleCounts>> {
    return Promise.resolve(this.registry.lifecycle);
  }

  stats(): Record<string, unknown> {
    return { kind: this.kind, journal: this.journal.stats?.() ?? {} };
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
