/**
 * The `postgres` store adapter (docs/postgres.md): open it with `openPostgresStore`, which
 * connects, applies the migrations and pins the database's configuration.
 */
import type { TierTable } from '../../domain/index.js';
import { isConnectionError } from './driver.js';
import {
  checkDurability,
  DatabaseUnavailableError,
  type MigrationReport,
  migrate,
  pinLedgerConfig,
} from './migrate.js';
import { postgresJsDriver } from './postgresjs-driver.js';
import { DEFAULT_POSTGRES_OPTIONS, PostgresStore } from './store.js';

export { decodeAnswer, encodeBatch, SETTLE_CALL } from './batch.js';
export type { SqlDriver, TxQuery } from './driver.js';
export {
  checkDurability,
  DatabaseUnavailableError,
  migrate,
  pinLedgerConfig,
  StoreConfigError,
} from './migrate.js';
export { postgresJsDriver, QueryTimeout } from './postgresjs-driver.js';
export { MIGRATIONS } from './schema.js';
export { DEFAULT_POSTGRES_OPTIONS, PostgresStore, type PostgresStoreOptions } from './store.js';

export interface OpenPostgresOptions {
  readonly url: string;
  readonly centralBankKey: string;
  readonly tiers: TierTable;
  readonly acceptKey: (key: Uint8Array) => boolean;
  /** The engine's value day (docs/api.md, `day`), read once per settle call. */
  readonly today: () => number | null;
  readonly maxBatch?: number;
  readonly retries?: number;
  readonly poolSize?: number;
  readonly queryTimeoutMs?: number;
}

export interface OpenedPostgresStore {
  readonly store: PostgresStore;
  readonly migrations: MigrationReport;
  readonly durability: { readonly fsync: string; readonly synchronousCommit: string };
}

export async function openPostgresStore(o: OpenPostgresOptions): Promise<OpenedPostgresStore> {
  const db = postgresJsDriver({
    url: o.url,
    poolSize: o.poolSize ?? 4,
    queryTimeoutMs: o.queryTimeoutMs ?? 30_000,
  });
  try {
    const durability = await checkDurability(db);
    const migrations = await migrate(db);
    await pinLedgerConfig(db, o.centralBankKey, o.tiers);
    const store = new PostgresStore(db, {
      tiers: o.tiers,
      acceptKey: o.acceptKey,
      today: o.today,
      maxBatch: o.maxBatch ?? DEFAULT_POSTGRES_OPTIONS.maxBatch,
      retries: o.retries ?? DEFAULT_POSTGRES_OPTIONS.retries,
      probeMs: DEFAULT_POSTGRES_OPTIONS.probeMs,
    });
    return { store, migrations, durability };
  } catch (error) {
    await db.close();
    if (isConnectionError(error)) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DatabaseUnavailableError(
        `cannot reach the database at ${withoutPassword(o.url)}: ${message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** A database URL fit for an error message. */
function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
