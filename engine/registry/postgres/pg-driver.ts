/** SqlDriver on node-postgres (`pg`): a small pool, named prepared statements per connection. */
import pg from 'pg';
import type { SqlDriver, TxQuery } from './driver.js';

export interface PgDriverOptions {
  readonly url: string;
  /** Connections: one settles, the others serve reads and the probe. */
  readonly poolSize: number;
  /** Client-side bound on any one statement, ms: a hung server answers UNAVAILABLE. */
  readonly queryTimeoutMs: number;
}

export function pgDriver(options: PgDriverOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    query_timeout: options.queryTimeoutMs,
    connectionTimeoutMillis: Math.min(options.queryTimeoutMs, 5_000),
    idleTimeoutMillis: 0,
    // This is a ledger: the answer of a call is read only after COMMIT.
    options: '-c synchronous_commit=on',
  });
  // An idle connection that dies (server restart) must not crash the process: the next query
  // gets a fresh one.
  pool.on('error', () => {});
  async function inTransaction<T>(begin: string, body: (query: TxQuery) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const value = await body(
        async <R>(text: string, params?: readonly unknown[]) =>
          (await client.query(text, (params ?? []) as unknown[])).rows as R[],
      );
      await client.query('COMMIT');
      return value;
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(broken);
    }
  }
  return {
    async query<R>(text: string, params?: readonly unknown[], name?: string): Promise<R[]> {
      const result = await pool.query(
        name
          ? { name, text, values: params as unknown[] }
          : { text, values: (params ?? []) as unknown[] },
      );
      return result.rows as R[];
    },
    snapshot: (body) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', body),
    transaction: (body) => inTransaction('BEGIN', body),
    async close() {
      await pool.end();
    },
  };
}
