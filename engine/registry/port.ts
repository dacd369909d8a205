/**
 * The store port: what the pipeline and the HTTP views need of the registration and
 * certification centres, whatever holds them. Two adapters:
 *  - `memory` (MemoryStore): the in-process Registry plus the group-commit journal; one process.
 *  - `postgres` (PostgresStore): PostgreSQL, the WAL as the journal; any number of engine nodes.
 * Everything above the port (HTTP, admission, verification, answers, the reconcile API) is
 * shared. Both adapters give the same codes, the same first-wins order and the same books.
 */
import type { Account, Coin, Rejection, Tx } from '../domain/index.js';

export type StoreKind = 'memory' | 'postgres';

/** A store that could not decide (nothing applied): the caller may retry later. */
export interface StoreRefusal {
  readonly status: 'overloaded' | 'unavailable';
  readonly reason: string;
}

/** What `settle` reports: null = settled and durable, a Rejection, or a refusal. */
export type SettleResult = null | Rejection | StoreRefusal;

/** Called exactly once per `settle` call. */
export type SettleDone<T> = (ticket: T, result: SettleResult) => void;

export type CoinStatus =
  | { readonly state: 'unspent'; readonly coin: Coin }
  | { readonly state: 'spent'; readonly spentBy: string };

/** The books at one instant. `ok` is true only if every identity holds. */
export interface Reconciliation {
  readonly ok: boolean;
  readonly issued: number;
  readonly destroyed: number;
  readonly unspent: number;
  readonly issuanceVault: number;
  readonly bankVaults: number;
  readonly wallets: number;
  readonly unspentCoins: number;
  readonly problems: readonly string[];
}

export interface LifecycleCounts {
  issued: number;
  destroyed: number;
  coinsCreated: number;
  coinsSpent: number;
  byType: Record<Tx['type'], number>;
}

/** One account with its holdings, for GET /v1/wallets/:id. */
export interface WalletHoldings {
  readonly account: Account;
  /** Exact: the sum of every unspent coin of the account. */
  readonly balance: number;
  readonly coinCount: number;
  /** At most the requested number of coins (memory: creation order; postgres: by coin id). */
  readonly coins: readonly Coin[];
}

export interface LedgerStore {
  readonly kind: StoreKind;
  /**
   * Settles one transaction whose signature has verified. Calls arrive in arrival order and the
   * store decides in that order (of two spending one coin, the earlier call wins; across engine
   * nodes sharing a database, the database decides). `done(ticket, result)` runs exactly once
   * per call (possibly from inside `settle`): null only once the settlement is durable, and a
   * rejection only once every settlement it may rest on is durable.
   */
  settle<T>(tx: Tx, ticket: T, done: SettleDone<T>): void;
  /**
   * Set while nothing can be acknowledged. Memory: the journal failed (permanent: the process
   * must restart). Postgres: the database is unreachable (cleared when it answers again).
   */
  readonly failure: Error | null;
  /** True when `failure` will not clear by itself. */
  readonly failedClosed: boolean;
  coin(id: string): Promise<CoinStatus | undefined>;
  /** By public key (64 hex) or wallet id (40 hex); at most `maxCoins` coins listed. */
  holdings(keyOrId: string, maxCoins: number): Promise<WalletHoldings | undefined>;
  /** issued - destroyed = unspent = issuance vault + bank vaults + wallets, and the indexes agree. */
  reconcile(): Promise<Reconciliation>;
  /** Lifecycle totals (memory: exact now; postgres: committed totals). */
  lifecycle(): Promise<Readonly<LifecycleCounts>>;
  /** Store-specific counters for /v1/stats (journal or database round trips). */
  stats(): Record<string, unknown>;
  /** Waits for every settle call to be answered, then releases the store's resources. */
  close(): Promise<void>;
}

export function isRefusal(result: Rejection | StoreRefusal): result is StoreRefusal {
  return 'status' in result;
}
