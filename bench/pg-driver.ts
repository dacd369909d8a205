/**
 * SqlDriver on node-postgres (`pg`), for the client comparison in bench:postgres only (the engine
 * uses porsager's `postgres`: docs/postgres.md has the figures that decided it).
 */
import pg from 'pg';
import type { SqlDriver, TxQuery } from '../engine/registry/postgres/index.js';

export function pgDriver(options: {
  url: string;
  poolSize: number;
  queryTimeoutMs: number;
}): SqlDriver {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    query_timeout: options.queryTimeoutMs,
    idleTimeoutMillis: 0,
    options: '-c synchronous_commit=on',
  });
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
      const values = (params ?? []) as unknown[];
      const result = await pool.query(name ? { name, text, values } : { text, values });
      return result.rows as R[];
    },
    snapshot: (body) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', body),
    transaction: (body) => inTransaction('BEGIN', body),
    async close() {
      await pool.end();
    },
  };
}
