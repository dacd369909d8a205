/**
 * The load generator's HTTP/1.1 client: keep-alive connections over plain sockets, requests
 * encoded once at set-up, answers read by ./http1-parser.ts (framed by Content-Length, chunked or
 * read-until-close, and parsed no further than the generator needs).
 *
 * Why not undici: at 10,000 req/s undici's per-request machinery (request object, header
 * validation, llhttp calls into JS per header, stream plumbing) was most of the generator's user
 * CPU and capped the driver at ~0.6x autocannon's requests per CPU-second (bench/driver.ts).
 * Plain sockets read with `onread` (one reused buffer, no stream `data` events) and one
 * pre-encoded Buffer write per request cut that to a fraction.
 *
 * Semantics the generator relies on:
 * - `send` writes the request now (or queues it until a connection has a free slot) and reports
 *   the write through `sink.started`;
 * - every request gets exactly one of `sink.answered` or `sink.failed`, never both, never twice;
 * - a request is never written twice: a connection that dies fails every request it carried
 *   (the generator decides about resending);
 * - answers on a connection come back in request order (HTTP/1.1 pipelining), so up to
 *   `pipelining` requests are in flight per connection.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type AnswerHandler, AnswerParser } from './http1-parser.js';

/** Receives each request's fate, by the caller's request index `k`. */
export interface Http1Sink {
  /** The request was written to its socket. */
  started(k: number): void;
  /** A complete answer; `body` only for statuses other than 200. */
  answered(k: number, status: number, body: string, retryAfter: string | undefined): void;
  /** No answer: connection refused, reset or closed, a malformed answer, or a timeout. */
  failed(k: number, error: Error): void;
}

export interface Http1PoolOptions {
  readonly connections: number;
  /** Requests in flight per connection (1 = no pipelining). */
  readonly pipelining: number;
  /**
   * Fail the oldest request of a connection when no answer completes on it for this long while
   * requests are in flight (error code ANSWER_TIMEOUT_CODE; the connection is closed and its
   * other requests fail with SOCKET_CODE); 0 = never.
   */
  readonly timeoutMs: number;
}

/** `code` of the error a request fails with when its answer does not come within `timeoutMs`. */
export const ANSWER_TIMEOUT_CODE = 'DRIVER_ANSWER_TIMEOUT';
/** `code` when the connection closed or broke before the answer (retrying may duplicate). */
export const SOCKET_CODE = 'DRIVER_SOCKET_CLOSED';
/** `code` when the target's answer could not be read as HTTP/1.x. */
export const PROTOCOL_CODE = 'DRIVER_BAD_ANSWER';

const READ_BUFFER_BYTES = 64 * 1024;

function codedError(code: string, message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  (error as Error & { code: string }).code = code;
  return error;
}

/**
 * Encodes POST requests, each as one Buffer (head + body), all views of one allocation: no
 * per-send encoding, one write per request. String bodies are written as UTF-8.
 */
export function encodePosts(
  origin: string,
  path: string,
  bodies: ReadonlyArray<Buffer | string>,
): Buffer[] {
  const host = new URL(origin).host;
  const heads = new Map<number, Buffer>();
  const headOf = (length: number): Buffer => {
    let h = heads.get(length);
    if (h === undefined) {
      h = Buffer.from(
        `POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`,
        'latin1',
      );
      heads.set(length, h);
    }
    return h;
  };
  const lengths = bodies.map((b) => (typeof b === 'string' ? Buffer.byteLength(b) : b.length));
  let total = 0;
  for (const n of lengths) total += headOf(n).length + n;
  const slab = Buffer.allocUnsafe(total);
  const out = new Array<Buffer>(bodies.length);
  let at = 0;
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i]!;
    const start = at;
    at += headOf(lengths[i]!).copy(slab, at);
    at += typeof body === 'string' ? slab.write(body, at, 'utf8') : body.copy(slab, at);
    out[i] = slab.subarray(start, at);
  }
  return out;
}

/** One keep-alive connection and the requests in flight on it, oldest first. */
class Connection {
  readonly socket: Socket;
  /** Request indices written (or queued in the socket while connecting), oldest first. */
  readonly inFlight: number[] = [];
  /** Index of the oldest unanswered request in `inFlight` (a head index: no shift per answer). */
  head = 0;
  /** The connection will not take more requests (closing, broken, or the target said close). */
  closing = false;
  dead = false;
  /** Last batch this connection was written in (see Http1Pool.cork). */
  batch = 0;
  corked = false;
  timer: NodeJS.Timeout | undefined;

  readonly parser: AnswerParser;

  constructor(socket: Socket, handler: (c: Connection) => AnswerHandler) {
    this.socket = socket;
    this.parser = new AnswerParser(handler(this));
  }

  get load(): number {
    return this.inFlight.length - this.head;
  }
}

/** A fixed-size pool of HTTP/1.1 connections to one origin. */
export class Http1Pool {
  readonly #sink: Http1Sink;
  readonly #options: Http1PoolOptions;
  readonly #host: string;
  readonly #port: number;
  readonly #tls: boolean;
  readonly #conns: Connection[] = [];
  /** Requests waiting for a free slot: index and wire, FIFO. */
  readonly #queue: Array<{ readonly k: number; readonly wire: Buffer }> = [];
  #queueHead = 0;
  #batch = 1;
  #batching = false;
  readonly #corked: Connection[] = [];
  #closed = false;

  constructor(origin: string, options: Http1PoolOptions, sink: Http1Sink) {
    const url = new URL(origin);
    this.#tls = url.protocol === 'https:';
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = url.port === '' ? (this.#tls ? 443 : 80) : Number(url.port);
    this.#options = options;
    this.#sink = sink;
  }

  /** Requests written and not yet answered or failed, over all connections. */
  get inFlight(): number {
    let n = 0;
    for (const c of this.#conns) n += c.load;
    return n;
  }

  /** Opens every connection now (so connection set-up is not paid by the first sends). */
  async connect(timeoutMs: number): Promise<void> {
    while (this.#conns.length < this.#options.connections) this.#open();
    const pending = this.#conns
      .filter((c) => c.socket.connecting)
      .map(
        (c) =>
          new Promise<void>((resolve) => {
            c.socket.once('connect', resolve);
            c.socket.once('close', () => resolve());
          }),
      );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Starts a batch: until `uncork`, a connection written more than once leaves its requests in
   * one writev. A connection written once is not corked (nothing to coalesce).
   */
  cork(): void {
    this.#batching = true;
    this.#batch++;
  }

  uncork(): void {
    this.#batching = false;
    const corked = this.#corked;
    for (let i = 0; i < corked.length; i++) {
      const c = corked[i]!;
      c.corked = false;
      c.socket.uncork();
    }
    corked.length = 0;
  }

  /** Sends request `k` (its encoded bytes `wire`) now, or as soon as a connection has room. */
  send(k: number, wire: Buffer): void {
    if (this.#closed) {
      this.#sink.failed(k, codedError(SOCKET_CODE, 'the connection pool is closed'));
      return;
    }
    const c = this.#pick();
    if (c === undefined) this.#queue.push({ k, wire });
    else this.#write(c, k, wire);
  }

  /** Ends every connection once its requests are answered; nothing more can be sent. */
  close(): void {
    this.#closed = true;
    for (const c of this.#conns) {
      c.closing = true;
      if (c.load === 0) c.socket.end();
    }
    this.#failQueued(codedError(SOCKET_CODE, 'the connection pool closed'));
  }

  /** Closes every connection now; requests in flight fail. */
  destroy(): void {
    this.#closed = true;
    this.#failQueued(codedError(SOCKET_CODE, 'the connection pool was destroyed'));
    for (const c of [...this.#conns]) c.socket.destroy();
  }

  // ---- connections ---------------------------------------------------------------------

  /** The usable connection with the fewest requests in flight below `pipelining`, opening one if allowed. */
  #pick(): Connection | undefined {
    const limit = this.#options.pipelining;
    const conns = this.#conns;
    let best: Connection | undefined;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      if (c.closing) continue;
      const load = c.load;
      if (load === 0) return c;
      if (load < limit && (best === undefined || load < best.load)) best = c;
    }
    if (best === undefined && conns.length < this.#options.connections) return this.#open();
    return best;
  }

  #open(): Connection {
    const onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (n: number, buf: Buffer): boolean => {
        c.parser.feed(buf, 0, n);
        return true;
      },
    };
    // TLS sockets do not take `onread`: they are read through 'data' events.
    const socket = this.#tls
      ? tlsConnect({
          host: this.#host,
          port: this.#port,
          ...(isIP(this.#host) === 0 ? { servername: this.#host } : {}),
        })
      : netConnect({ host: this.#host, port: this.#port, noDelay: true, onread });
    const c = new Connection(socket, (conn) => ({
      expecting: () => conn.load > 0,
      answer: (status, body, retryAfter, keepAlive) =>
        this.#answered(conn, status, body, retryAfter, keepAlive),
      malformed: (what) => this.#protocolError(conn, what),
    }));
    if (this.#tls) {
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => c.parser.feed(chunk, 0, chunk.length));
    }
    socket.on('error', (error) => this.#broken(c, error));
    socket.on('end', () => this.#ended(c));
    socket.on('close', () => this.#broken(c, undefined));
    this.#conns.push(c);
    return c;
  }

  #write(c: Connection, k: number, wire: Buffer): void {
    c.inFlight.push(k);
    if (this.#batching) {
      if (c.batch === this.#batch && !c.corked) {
        c.corked = true;
        c.socket.cork();
        this.#corked.push(c);
      }
      c.batch = this.#batch;
    }
    c.socket.write(wire);
    if (this.#options.timeoutMs > 0 && c.timer === undefined) this.#armTimeout(c);
    this.#sink.started(k);
  }

  /** Sends queued requests while some connection has room. */
  #drainQueue(): void {
    const q = this.#queue;
    while (this.#queueHead < q.length) {
      const c = this.#pick();
      if (c === undefined) break;
      const { k, wire } = q[this.#queueHead++]!;
      this.#write(c, k, wire);
    }
    if (this.#queueHead === q.length) {
      q.length = 0;
      this.#queueHead = 0;
    }
  }

  #failQueued(error: Error): void {
    const q = this.#queue.splice(this.#queueHead);
    this.#queue.length = 0;
    this.#queueHead = 0;
    for (const { k } of q) this.#sink.failed(k, error);
  }

  #armTimeout(c: Connection): void {
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (c.dead || c.load === 0) return;
      const k = c.inFlight[c.head++]!;
      this.#sink.failed(
        k,
        codedError(ANSWER_TIMEOUT_CODE, `no answer within ${this.#options.timeoutMs} ms`),
      );
      this.#kill(c, codedError(SOCKET_CODE, 'connection closed after an answer timeout'));
    }, this.#options.timeoutMs);
  }

  /** The target closed its side: an answer read until close is complete now. */
  #ended(c: Connection): void {
    if (c.parser.readingUntilClose && c.load > 0) c.parser.end();
    this.#kill(c, codedError(SOCKET_CODE, 'the target closed the connection'));
  }

  #broken(c: Connection, error: Error | undefined): void {
    this.#kill(
      c,
      codedError(
        SOCKET_CODE,
        error === undefined ? 'connection closed' : `connection error: ${error.message}`,
        error,
      ),
    );
  }

  /** Takes `c` out of the pool for good and fails what it carried. */
  #kill(c: Connection, error: Error): void {
    if (c.dead) return;
    c.dead = true;
    c.closing = true;
    clearTimeout(c.timer);
    const i = this.#conns.indexOf(c);
    if (i >= 0) this.#conns.splice(i, 1);
    if (!c.socket.destroyed) c.socket.destroy();
    const lost = c.inFlight.slice(c.head);
    c.inFlight.length = 0;
    c.head = 0;
    for (const k of lost) this.#sink.failed(k, error);
    // a fresh connection can take what was waiting
    if (!this.#closed) this.#drainQueue();
  }

  // ---- answers ---------------------------------------------------------------------------

  #protocolError(c: Connection, what: string): void {
    this.#kill(c, codedError(PROTOCOL_CODE, `unreadable answer from the target: ${what}`));
  }

  /**
   * The oldest request's answer is complete: hand it over and free its slot. Returns whether the
   * connection is still there to parse more.
   */
  #answered(
    c: Connection,
    status: number,
    body: string,
    retryAfter: string | undefined,
    keepAlive: boolean,
  ): boolean {
    const k = c.inFlight[c.head++]!;
    if (c.head === c.inFlight.length) {
      c.inFlight.length = 0;
      c.head = 0;
    } else if (c.head >= 1024) {
      // a pipelined connection may never run empty: drop the answered prefix now and then
      c.inFlight.splice(0, c.head);
      c.head = 0;
    }
    if (c.timer !== undefined) {
      if (c.load === 0) {
        clearTimeout(c.timer);
        c.timer = undefined;
      } else {
        c.timer.refresh();
      }
    }
    if (!keepAlive) {
      // nothing more will come on this connection: the rest of its requests fail
      c.closing = true;
      this.#sink.answered(k, status, body, retryAfter);
      this.#kill(c, codedError(SOCKET_CODE, 'the target closed the connection after an answer'));
      return false;
    }
    if (c.closing && c.load === 0) c.socket.end();
    this.#sink.answered(k, status, body, retryAfter);
    if (this.#queueHead < this.#queue.length) this.#drainQueue();
    return !c.dead;
  }
}
