/** The `lean` transport: the project's own HTTP/1.1 client (./http1.ts) behind the contract. */
import { encodePosts, Http1Pool } from './http1.js';
import type { Transport, TransportSink, TransportSpec } from './transport.js';

/** The generator's own HTTP/1.1 client, requests encoded once (head + body in one buffer). */
export class LeanTransport implements Transport {
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
