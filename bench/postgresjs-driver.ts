/**
 * SqlDriver on porsager's `postgres` client, for the client comparison in bench:postgres only
 * (the engine uses `pg`: docs/postgres.md has the figures that decided it).
 */
import postgres from 'postgres';
import type { SqlDriver, TxQuery } from '../engine/registry/postgres/index.js';

export function postgresJsDriver(url: string, poolSize: number): SqlDriver {
  const sql = postgres(url, { max: poolSize, prepare: true, onnotice: () => {} });
  const inTx = <T>(begin: string, body: (q: TxQuery) => Promise<T>): Promise<T> =>
    sql.begin(begin, (tx) =>
      body(
        async <R>(text: string, params?: readonly unknown[]) =>
          (await tx.unsafe(text, (params ?? []) as never[])) as unknown as R[],
      ),
    ) as Promise<T>;
  return {
    async query<R>(text: string, params?: readonly unknown[], name?: string): Promise<R[]> {
      const rows = await sql.unsafe(text, (params ?? []) as never[], {
        prepare: name !== undefined,
      });
      return rows as unknown as R[];
    },
    snapshot: (body) => inTx('isolation level repeatable read read only', body),
    transaction: (body) => inTx('', body),
    async close() {
      await sql.end();
    },
  };
}
