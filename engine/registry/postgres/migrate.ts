/**
 * Applies the schema's migrations (schema.ts) that the database lacks, in version order, in one
 * transaction under an advisory lock: nodes starting together apply each once, and a failed
 * start leaves the database as it was. Then pins the database to one central bank and one tier
 * table: a node configured otherwise refuses to start.
 */
import { isDeepStrictEqual } from 'node:util';
import { CodedError, type TierTable, walletIdOf } from '../../domain/index.js';
import type { SqlDriver } from './driver.js';
import { MIGRATIONS } from './schema.js';

/** Arbitrary, fixed: the advisory lock key that serializes migrations. */
const MIGRATION_LOCK = 0x6563_6e79;

/** The database belongs to another configuration, or is set up unsafely: fix the flags or it. */
export class StoreConfigError extends CodedError {
  readonly code = 'BAD_CONFIG';
  readonly kind = 'input';
}

/** The database could not be reached at start (the store opens only on a reachable one). */
export class DatabaseUnavailableError extends CodedError {
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly kind = 'failure';
}

export interface MigrationReport {
  /** Versions applied by this start (empty when the schema was current). */
  readonly applied: readonly number[];
  readonly version: number;
}

export async function migrate(db: SqlDriver): Promise<MigrationReport> {
  return db.transaction(async (query) => {
    await query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await query('CREATE SCHEMA IF NOT EXISTS ecny');
    await query(`CREATE TABLE IF NOT EXISTS ecny.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await query<{ version: number }>('SELECT version FROM ecny.schema_migrations')).map(
        (r) => r.version,
      ),
    );
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known)
      throw new StoreConfigError(
        `the database schema is at version ${newest}, newer than this engine's ${known}`,
      );
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await query(m.sql);
      await query('INSERT INTO ecny.schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return { applied, version: known };
  });
}

/** Records (first start) or checks (later starts) the central bank and tier table. */
export async function pinLedgerConfig(
  db: SqlDriver,
  centralBankKey: string,
  tiers: TierTable,
): Promise<void> {
  await db.transaction(async (query) => {
    await query(
      `INSERT INTO ecny.ledger_config (central_bank, tiers) VALUES ($1::bytea, $2::jsonb)
       ON CONFLICT DO NOTHING`,
      [Buffer.from(centralBankKey, 'hex'), JSON.parse(JSON.stringify(tiers)) as object],
    );
    await query(
      `INSERT INTO ecny.accounts (key, id, role) VALUES ($1::bytea, $2::bytea, 1)
       ON CONFLICT DO NOTHING`,
      [Buffer.from(centralBankKey, 'hex'), Buffer.from(walletIdOf(centralBankKey), 'hex')],
    );
    const [row] = await query<{ central_bank: Buffer; tiers: unknown }>(
      'SELECT central_bank, tiers FROM ecny.ledger_config',
    );
    if (row!.central_bank.toString('hex') !== centralBankKey)
      throw new StoreConfigError(
        `the database belongs to central bank ${row!.central_bank.toString('hex')}, not ${centralBankKey}`,
      );
    if (!isDeepStrictEqual(row!.tiers, JSON.parse(JSON.stringify(tiers))))
      throw new StoreConfigError('the database was created with another tier table');
  });
}

/** The durability settings the store relies on (the WAL is the journal). */
export async function checkDurability(
  db: SqlDriver,
): Promise<{ fsync: string; synchronousCommit: string }> {
  const [f] = await db.query<{ fsync: string }>('SHOW fsync');
  const [s] = await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
  const synchronousCommit = s!.synchronous_commit;
  if (synchronousCommit === 'off')
    throw new StoreConfigError(
      'synchronous_commit is off: a COMMIT would not be durable when answered',
    );
  return { fsync: f!.fsync, synchronousCommit };
}
