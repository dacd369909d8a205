/**
 * The seam between the load generator and its HTTP client. The generator hands a transport op
 * indices `k` (requests were encoded once at set-up, from the bodies given to the factory) and
 * receives each request's fate through a TransportSink. Two clients implement it:
 *
 * - `lean` (default): the project's own HTTP/1.1 client (./http1.ts);
 * - `undici`: an undici Pool (./undici-transport.ts).
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
import { encodePosts, Http1Pool, type Http1Sink } from './http1.js';
import type { GeneratorConfig } from './options.js';
import { UndiciTransport } from './undici-transport.js';

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

/** What a transport is built from: the generator's settings, the path and each op's body. */
export interface TransportSpec {
  readonly config: GeneratorConfig;
  readonly path: string;
  readonly bodies: ReadonlyArray<Buffer | string>;
}

/** The generator's own HTTP/1.1 client, requests encoded once (head + body in one buffer). */
class LeanTransport implements Transport {
  readonly #pool: Http1Pool;
  readonly #wires: Buffer[];
  readonly #sink: TransportSink;

  constructor(spec: TransportSpec, sink: TransportSink) {
    const { config } = spec;
    this.#wires = encodePosts(config.target, spec.path, spec.bodies);
    this.#sink = sink;
    this.#pool = new Http1Pool(
      config.target,
      {
        connections: config.connections,
        pipelining: config.pipelining,
        timeoutMs: config.requestTimeoutMs,
      },
      sink,
    );
  }

  connect(timeoutMs: number): Promise<void> {
    return this.#pool.connect(timeoutMs);
  }

  cork(): void {
    this.#pool.cork();
  }

  uncork(): void {
    this.#pool.uncork();
    this.#sink.flushed();
  }

  send(k: number): void {
    this.#pool.send(k, this.#wires[k]!);
  }

  close(): void {
    this.#pool.close();
  }

  destroy(): void {
    this.#pool.destroy();
  }
}

/** The transport of `spec.config.client`. */
export function createTransport(spec: TransportSpec, sink: TransportSink): Transport {
  return spec.config.client === 'undici'
    ? new UndiciTransport(spec, sink)
    : new LeanTransport(spec, sink);
}
