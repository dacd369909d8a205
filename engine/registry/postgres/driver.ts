/**
 * The narrow SQL surface the postgres store uses, so the client library is one small file
 * (docs/postgres.md has the measurement that picked it), and the error classes that decide
 * between retrying a batch, answering UNAVAILABLE, and reporting the database down.
 */

/** A statement inside `snapshot` or `transaction`, on that transaction's connection. */
export type TxQuery = <R>(text: string, params?: readonly unknown[]) => Promise<R[]>;

export interface SqlDriver {
  /**
   * Runs one statement outside any explicit transaction (autocommit: it commits before the
   * promise resolves). `name`: prepare once per connection and reuse.
   */
  query<R>(text: string, params?: readonly unknown[], name?: string): Promise<R[]>;
  /** Runs `body` in one REPEATABLE READ READ ONLY transaction: a consistent snapshot. */
  snapshot<T>(body: (query: TxQuery) => Promise<T>): Promise<T>;
  /** Runs `body` in one read-write transaction on one connection (migrations). */
  transaction<T>(body: (query: TxQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATEs after which the whole call was rolled back and may simply run again. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '23505', // unique_violation: another node settled the same txid or registered the same key
  '55P03', // lock_not_available
]);

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * The connection, not the statement, failed: the server is down, restarting or unreachable, and
 * a call in flight may or may not have committed.
 */
export function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) {
    const text = error instanceof Error ? error.message : String(error);
    return /connect|terminat|closed|ended|timeout|socket/i.test(text);
  }
  // 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now; the client's
  // own (CONNECTION_CLOSED, CONNECT_TIMEOUT, QUERY_TIMEOUT, ...); system errors (ECONNREFUSED).
  return (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    /^(CONNECT|QUERY_TIMEOUT)/.test(code) ||
    /^E[A-Z]+$/.test(code)
  );
}
