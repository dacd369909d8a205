/**
 * The seam between the load generator and its HTTP client. The generator hands a transport op
 * indices `k` (requests were encoded once at set-up, from the bodies given to the factory) and
 * receives each request's fate through a TransportSink. Two clients implement it:
 *
 * - `lean` (default): the project's own HTTP/1.1 client (./lean.ts over ./http1.ts);
 * - `undici`: an undici Pool (./undici.ts).
 *
 * What both guarantee the generator:
 * - `sink.started(k)` when the request is written to a socket (service time starts there);
 *   `rewrite` is true when the client wrote it again by itself (undici re-dispatches the
 *   pipelined requests of a connection that closed): the engine may then see it twice;
 * - every request gets exactly one of `sink.answered` or `sink.failed`;
 * - a request whose answer did not come in time fails with `code` ANSWER_TIMEOUT_CODE (the
 *   generator never resends it: the engine may have done it); other failures are connection
 *   failures, which the generator may resend;
 * - between `cork()` and `uncork()` writes are held back so a batch leaves in one write per
 *   connection; `sink.flushed()` says the batch really left (at once for `lean`, at the end of
 *   the loop turn for `undici`).
 */
import type { Http1Sink } from './http1.js';

/** Receives each request's fate, by the generator's op index `k`. */
export interface TransportSink extends Http1Sink {
  /** The request was written to its socket (again, by the client itself, when `rewrite`). */
  started(k: number, rewrite?: boolean): void;
  /** Everything written since `cork()` has left for the target. */
  flushed(): void;
}

export interface Transport {
  /** Opens the connections now, so connection set-up is not paid by the first sends. */
  connect(timeoutMs: number): Promise<void>;
  /** Starts a batch of sends. */
  cork(): void;
  /** Ends a batch: its writes leave now or at the end of this loop turn (`sink.flushed`). */
  uncork(): void;
  /** Sends request `k`. */
  send(k: number): void;
  /** Lets requests in flight finish, then closes; nothing more can be sent. */
  close(): void;
  /** Closes every connection now; requests in flight fail. */
  destroy(): void;
}

/** The generator's HTTP clients. */
export const CLIENTS = ['lean', 'undici'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The part of the generator's settings a transport reads. */
export interface ClientSettings {
  readonly client: ClientName;
  readonly target: string;
  readonly connections: number;
  readonly pipelining: number;
  /** Answer timeout, ms (0: none). */
  readonly requestTimeoutMs: number;
}

/** What a transport is built from: the generator's settings, the path and each op's body. */
export interface TransportSpec {
  readonly config: ClientSettings;
  readonly path: string;
  readonly bodies: ReadonlyArray<Buffer | string>;
}
