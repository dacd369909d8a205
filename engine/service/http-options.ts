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
  /** Largest accepted body for POST /v1/tx/batch, bytes (default: maxBatchTxs × BATCH_ITEM_BYTES). */
  readonly maxBatchBodyBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** Bearer token that reveals identity references (controllable anonymity); null: never. */
  readonly regulatorToken: string | null;
  /** Seconds suggested in Retry-After when overloaded. */
  readonly retryAfterS: number;
}

/**
 * Batch body allowance per transaction: the compact JSON of a transfer with 12 inputs and 4
 * outputs, every number at its widest, is 1,510 bytes. A full batch of such transfers fits; a
 * bigger transaction (up to 128 inputs, ~12 KB) goes alone to /v1/tx or in a shorter batch.
 * Sized so the largest batch body parses in a few milliseconds: the parse holds the event loop.
 */
export const BATCH_ITEM_BYTES = 1536;

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 64 * 1024,
  maxBatchTxs: 256,
  maxBatchBodyBytes: 256 * BATCH_ITEM_BYTES,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
  regulatorToken: null,
  retryAfterS: 1,
};
