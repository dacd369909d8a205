/**
 * The generator's undici transport (`client: 'undici'`): an undici Pool, one dispatch per
 * attempt with a small handler. Slower than the project's own client (./http1.ts: about 41k vs
 * 58k requests per generator CPU-second in bench/driver.ts) but the reference HTTP client of
 * Node; kept selectable so results can be compared across clients.
 *
 * How it keeps the transport contract (./transport.ts):
 * - `started` comes from the handler's onConnect, which undici calls right before it writes the
 *   request to a socket; a second onConnect of one attempt means undici wrote it again by
 *   itself (it re-dispatches the pipelined requests behind the head of a connection that
 *   closed), reported as `rewrite`;
 * - POSTs are dispatched `idempotent` and non-`blocking` when pipelining > 1: undici never
 *   pipelines a request otherwise (a transaction id makes a duplicate harmless: the engine
 *   answers DUPLICATE_TX, which the generator accepts for a possibly duplicated op);
 * - answer timeout: undici's headersTimeout and bodyTimeout, both `requestTimeoutMs` (0 = none).
 *   undici's errors UND_ERR_HEADERS_TIMEOUT / UND_ERR_BODY_TIMEOUT are reported with code
 *   ANSWER_TIMEOUT_CODE, so the generator treats them as it treats the lean client's;
 * - cork/uncork: undici writes a request either at once or, on a keep-alive socket that went
 *   idle, from a setImmediate (its idle-socket check, undici >= 7.16); the pool's sockets stay
 *   corked until a setImmediate queued after both, so a batch leaves as one writev per socket.
 */
import type { Socket } from 'node:net';
import { buildConnector, type Dispatcher, Pool } from 'undici';
import { ANSWER_TIMEOUT_CODE } from './http1.js';
import type { Transport, TransportSink, TransportSpec } from './transport.js';

const HEADERS = { 'content-type': 'application/json' };
/** undici errors after which the request may have been processed. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * undici dispatch handler of one attempt. It implements undici's classic handler hooks
 * (onConnect/onHeaders/onData/onComplete/onError) rather than the newer onRequestStart/
 * onResponse* ones: undici wraps a new-style handler in an adapter that allocates a controller
 * and parses every response's headers into an object, which measurably costs generator CPU
 * (bench/driver.ts). Only a non-200 answer is looked at (body and Retry-After): a 200 is
 * settled by definition (docs/api.md), so the hot path parses nothing.
 */
export class OpHandler implements Dispatcher.DispatchHandler {
  readonly #sink: TransportSink;
  readonly #k: number;
  #writes = 0;
  #status = 0;
  #chunks: Buffer[] | undefined;
  #retryAfter: string | undefined;

  constructor(sink: TransportSink, k: number) {
    this.#sink = sink;
    this.#k = k;
  }

  onConnect(): void {
    this.#writes++;
    this.#sink.started(this.#k, this.#writes > 1);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.#status = statusCode;
    if (statusCode !== 200) {
      this.#chunks = [];
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'retry-after') {
          this.#retryAfter = rawHeaders[i + 1]!.toString('latin1');
        }
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    const body = this.#chunks === undefined ? '' : Buffer.concat(this.#chunks).toString('utf8');
    this.#sink.answered(this.#k, this.#status, body, this.#retryAfter);
  }

  onError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
      const timeout = new Error(`no answer in time (${code})`, { cause: error });
      (timeout as Error & { code: string }).code = ANSWER_TIMEOUT_CODE;
      this.#sink.failed(this.#k, timeout);
      return;
    }
    this.#sink.failed(this.#k, error);
  }
}

export class UndiciTransport implements Transport {
  readonly #sink: TransportSink;
  readonly #pool: Pool;
  readonly #connections: number;
  /** Dispatch options per op, built once at set-up: no allocation per send but the handler. */
  readonly #requests: Dispatcher.DispatchOptions[];
  /** The pool's sockets, corked while a batch is dispatched. */
  readonly #sockets = new Set<Socket>();
  #corked = false;
  #flushQueued = false;

  constructor(spec: TransportSpec, sink: TransportSink) {
    const { config } = spec;
    this.#sink = sink;
    this.#connections = config.connections;
    // Without idempotent/non-blocking undici never pipelines a POST.
    const pipelined = config.pipelining > 1;
    this.#requests = spec.bodies.map((body) => ({
      path: spec.path,
      method: 'POST',
      headers: HEADERS,
      body: typeof body === 'string' ? Buffer.from(body) : body,
      idempotent: pipelined,
      blocking: !pipelined,
    }));
    const connect = buildConnector({});
    const sockets = this.#sockets;
    this.#pool = new Pool(config.target, {
      connect: (options, callback) =>
        connect(options, (error, socket) => {
          if (socket !== null) {
            sockets.add(socket);
            socket.once('close', () => sockets.delete(socket));
          }
          if (error === null) callback(null, socket!);
          else callback(error, null);
        }),
      connections: config.connections,
      pipelining: config.pipelining,
      headersTimeout: config.requestTimeoutMs,
      bodyTimeout: config.requestTimeoutMs,
    });
  }

  /** Opens the connections with one GET /healthz each (any answer will do). */
  async connect(timeoutMs: number): Promise<void> {
    const probes: Promise<unknown>[] = [];
    for (let i = 0; i < this.#connections; i++) {
      probes.push(
        this.#pool
          .request({ path: '/healthz', method: 'GET', blocking: true })
          .then((r) => r.body.dump())
          .catch(() => undefined),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(probes),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    for (const socket of this.#sockets) socket.cork();
  }

  uncork(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushQueued = false;
    this.#corked = false;
    for (const socket of this.#sockets) socket.uncork();
    this.#sink.flushed();
  };

  send(k: number): void {
    this.#pool.dispatch(this.#requests[k]!, new OpHandler(this.#sink, k));
  }

  close(): void {
    this.#pool.close().catch(() => undefined);
  }

  destroy(): void {
    this.#pool.destroy().catch(() => undefined);
  }
}
