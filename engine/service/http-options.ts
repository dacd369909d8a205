/**
 * How the engine is served over HTTP: part of the engine's configuration (./config.ts), read by
 * engine/http. Declared here, not in engine/http, so the configuration does not import the
 * server that serves it.
 */
export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  /** Largest accepted body for POST /v1/tx, bytes. */
  readonly maxBodyBytes: number;
  /** Most transactions in one POST /v1/tx/batch. */
  readonly maxBatchTxs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** Bearer token that reveals identity references (controllable anonymity); null: never. */
  readonly regulatorToken: string | null;
  /** Seconds suggested in Retry-After when overloaded. */
  readonly retryAfterS: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 64 * 1024,
  maxBatchTxs: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
  regulatorToken: null,
  retryAfterS: 1,
};
