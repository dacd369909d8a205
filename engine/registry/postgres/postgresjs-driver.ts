/**
 * SqlDriver on porsager's `postgres` client: a small pool, statements prepared once per
 * connection. Chosen over node-postgres by measurement on the settle path (docs/postgres.md).
 */
import postgres from 'postgres';
import type { SqlDriver, TxQuery } from './driver.js';

export interface PostgresJsDriverOptions {
  readonly url: string;
  /** Connections: one settles, the others serve reads and the probe. */
  readonly poolSize: number;
  /** Client-side bound on any one statement, ms: a hung server answers UNAVAILABLE. */
  readonly queryTimeoutMs: number;
}

export class QueryTimeout extends Error {
  readonly code = 'QUERY_TIMEOUT';
}

export function postgresJsDriver(options: PostgresJsDriverOptions): SqlDriver {
  const sql = postgres(options.url, {
    max: options.poolSize,
    prepare: true,
    onnotice: () => {},
    connect_timeout: Math.max(1, Math.ceil(Math.min(options.queryTimeoutMs, 5_000) / 1000)),
    // This is a ledger: the answer of a call is read only after COMMIT.
    connection: { synchronous_commit: 'on', application_name: 'ecny-bench' },
  });
  const timed = <T>(query: Promise<T> & { cancel?: () => unknown }): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        query.cancel?.();
        reject(new QueryTimeout(`no answer within ${options.queryTimeoutMs} ms`));
      }, options.queryTimeoutMs);
      query.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  const inTx = <T>(begin: string, body: (q: TxQuery) => Promise<T>): Promise<T> =>
    sql.begin(begin, (tx) =>
      body(
        async <R>(text: string, params?: readonly unknown[]) =>
          (await tx.unsafe(text, (params ?? []) as never[])) as unknown as R[],
      ),
    ) as Promise<T>;
  return {
    async query<R>(text: string, params?: readonly unknown[], name?: string): Promise<R[]> {
      const rows = await timed(
        sql.unsafe(text, (params ?? []) as never[], { prepare: name !== undefined }),
      );
      return rows as unknown as R[];
    },
    snapshot: (body) => inTx('isolation level repeatable read read only', body),
    transaction: (body) => inTx('', body),
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
