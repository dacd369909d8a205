import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import {
  ANSWER_TIMEOUT_CODE,
  encodePosts,
  Http1Pool,
  type Http1Sink,
  PROTOCOL_CODE,
  SOCKET_CODE,
} from '../../../load/clients/index.js';

type Event =
  | { k: number; type: 'answered'; status: number; body: string; retryAfter: string | undefined }
  | { k: number; type: 'failed'; code: unknown };

/** Records what the pool reports; `until(n)` waits for n answers/failures. */
class Recorder implements Http1Sink {
  readonly written: number[] = [];
  readonly events: Event[] = [];
  #waiters: Array<{ n: number; resolve: () => void }> = [];

  started(k: number): void {
    this.written.push(k);
  }
  answered(k: number, status: number, body: string, retryAfter: string | undefined): void {
    this.events.push({ k, type: 'answered', status, body, retryAfter });
    this.#wake();
  }
  failed(k: number, error: Error): void {
    this.events.push({ k, type: 'failed', code: (error as { code?: unknown }).code });
    this.#wake();
  }
  until(n: number): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.events.length < w.n) return true;
      w.resolve();
      return false;
    });
  }
}

interface RawServer {
  readonly origin: string;
  readonly server: Server;
  /** Request bodies in arrival order, over all connections. */
  readonly bodies: string[];
  connections: number;
  close(): Promise<void>;
}

/**
 * A TCP server that reads HTTP/1.1 requests (framed by content-length) and lets `respond`
 * write whatever bytes it likes for each, in arrival order.
 */
async function rawServer(
  respond: (socket: Socket, body: string, n: number) => void,
): Promise<RawServer> {
  const bodies: string[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
        buf = buf.subarray(end + 4 + length);
        bodies.push(body);
        respond(socket, body, bodies.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    bodies,
    get connections() {
      return state.connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Writes `text` one byte per write, so the client sees every possible split. */
async function dribble(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text)) {
    socket.write(Buffer.of(byte));
    await new Promise((r) => setImmediate(r));
  }
}

const posts = (origin: string, n: number): Buffer[] =>
  encodePosts(
    origin,
    '/v1/tx',
    Array.from({ length: n }, (_, i) => Buffer.from(`{"i":${i}}`)),
  );

describe('HTTP/1.1 client of the load generator', () => {
  it('encodes each POST once, head and body in one buffer', () => {
    const [wire] = encodePosts('http://127.0.0.1:8080', '/v1/tx', [Buffer.from('{"a":"é"}')]);
    assert.equal(
      wire!.toString('utf8'),
      'POST /v1/tx HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\n' +
        'content-length: 10\r\n\r\n{"a":"é"}',
    );
  });

  it('reads answers split at every byte: status, Retry-After, and the body of non-200s only', async () => {
    const srv = await rawServer((socket, _body, n) => {
      const answers = [
        'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"ok":true}',
        'HTTP/1.1 422 Unprocessable Entity\r\ncontent-type: application/json\r\nCONTENT-LENGTH: 24\r\n\r\n{"code":"ALREADY_SPENT"}',
        'HTTP/1.1 503 Service Unavailable\r\nRetry-After:  0.5 \r\nContent-Length: 19\r\n\r\n{"code":"OVERLOAD"}',
      ];
      void dribble(socket, answers[n]!);
    });
    const rec = new Recorder();
    const pool = new Http1Pool(srv.origin, { connections: 1, pipelining: 1, timeoutMs: 0 }, rec);
    try {
      const wires = posts(srv.origin, 3);
      for (let k = 0; k < 3; k++) {
        pool.send(k, wires[k]!);
        await rec.until(k + 1);
      }
      assert.deepEqual(rec.events, [
        { k: 0, type: 'answered', status: 200, body: '', retryAfter: undefined },
        {
          k: 1,
          type: 'answered',
          status: 422,
          body: '{"code":"ALREADY_SPENT"}',
          retryAfter: undefined,
        },
        { k: 2, type: 'answered', status: 503, body: '{"code":"OVERLOAD"}', retryAfter: '0.5' },
      ]);
      assert.deepEqual(rec.written, [0, 1, 2]);
      assert.deepEqual(srv.bodies, ['{"i":0}', '{"i":1}', '{"i":2}']);
      assert.equal(srv.connections, 1, 'one keep-alive connection for all three');
    } finally {
      pool.destroy();
      await srv.close();
    }
  });

  it('reads chunked answers (extensions, trailers) and skips interim 1xx answers', async () => {
    const srv = await rawServer((socket, _body, n) => {
      if (n === 0) {
        void dribble(
          socket,
          'HTTP/1.1 100 Continue\r\n\r\n' +
            'HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n' +
            '5;ext=1\r\n{"cod\r\n' +
            'd\r\ne":"BAD_SIG"}\r\n0\r\nx-trailer: 1\r\n\r\n',
        );
      } else {
        socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
      }
    });
    const rec = new Recorder();
    const pool = new Http1Pool(srv.origin, { connections: 1, pipelining: 1, timeoutMs: 0 }, rec);
    try {
      const wires = posts(srv.origin, 2);
      pool.send(0, wires[0]!);
      await rec.until(1);
      pool.send(1, wires[1]!);
      await rec.until(2);
      assert.deepEqual(rec.events, [
        { k: 0, type: 'answered', status: 400, body: '{"code":"BAD_SIG"}', retryAfter: undefined },
        { k: 1, type: 'answered', status: 200, body: '', retryAfter: undefined },
      ]);
      assert.equal(srv.connections, 1);
    } finally {
      pool.destroy();
      await srv.close();
    }
  });

  it('pipelines in order, answers arriving together, and queues what finds no free slot', async () => {
    const pending: Socket[] = [];
    const srv = await rawServer((socket) => {
      pending.push(socket);
      // answer all four at once, in one write, when the last has arrived
      if (pending.length === 4) {
        socket.write(
          Array.from(
            { length: 4 },
            (_, i) => `HTTP/1.1 422 X\r\ncontent-length: 10\r\n\r\n{"code":${i}}`,
          ).join(''),
        );
      } else if (pending.length === 5) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      }
    });
    const rec = new Recorder();
    const pool = new Http1Pool(srv.origin, { connections: 1, pipelining: 4, timeoutMs: 0 }, rec);
    try {
      const wires = posts(srv.origin, 5);
      pool.cork();
      for (let k = 0; k < 5; k++) pool.send(k, wires[k]!);
      pool.uncork();
      assert.deepEqual(rec.written, [0, 1, 2, 3], 'the fifth waits for a free slot');
      assert.equal(pool.inFlight, 4);
      await rec.until(5);
      assert.deepEqual(
        rec.events.map((e) => [e.k, e.type === 'answered' ? e.body : e.code]),
        [
          [0, '{"code":0}'],
          [1, '{"code":1}'],
          [2, '{"code":2}'],
          [3, '{"code":3}'],
          [4, ''],
        ],
      );
      assert.deepEqual(rec.written, [0, 1, 2, 3, 4]);
    } finally {
      pool.destroy();
      await srv.close();
    }
  });

  it('after "connection: close" the requests behind fail and the next goes on a new connection', async () => {
    const srv = await rawServer((socket, _body, n) => {
      if (n === 0) {
        socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      } else if (n >= 2) {
        // HTTP/1.0 without a length: the body runs to the close
        socket.end('HTTP/1.0 422 X\r\n\r\n{"code":"LATE"}');
      }
    });
    const rec = new Recorder();
    const pool = new Http1Pool(srv.origin, { connections: 1, pipelining: 2, timeoutMs: 0 }, rec);
    try {
      const wires = posts(srv.origin, 3);
      pool.send(0, wires[0]!);
      pool.send(1, wires[1]!);
      await rec.until(2);
      assert.deepEqual(rec.events, [
        { k: 0, type: 'answered', status: 200, body: '', retryAfter: undefined },
        { k: 1, type: 'failed', code: SOCKET_CODE },
      ]);
      pool.send(2, wires[2]!);
      await rec.until(3);
      assert.deepEqual(rec.events[2], {
        k: 2,
        type: 'answered',
        status: 422,
        body: '{"code":"LATE"}',
        retryAfter: undefined,
      });
      assert.equal(srv.connections, 2);
    } finally {
      pool.destroy();
      await srv.close();
    }
  });

  it('fails requests on refused connections, unreadable answers and answer timeouts', async () => {
    // refused: a port nobody listens on
    const closed = await rawServer(() => undefined);
    const refusedOrigin = closed.origin;
    await closed.close();
    const rec = new Recorder();
    const refused = new Http1Pool(
      refusedOrigin,
      { connections: 1, pipelining: 1, timeoutMs: 0 },
      rec,
    );
    refused.send(0, posts(refusedOrigin, 1)[0]!);
    await rec.until(1);
    assert.deepEqual(rec.events[0], { k: 0, type: 'failed', code: SOCKET_CODE });
    refused.destroy();

    const srv = await rawServer((socket, body) => {
      if (body === '{"i":0}') socket.write('SMTP ready\r\n\r\n');
      // {"i":1} and {"i":2}: never answered
    });
    const pool = new Http1Pool(srv.origin, { connections: 2, pipelining: 2, timeoutMs: 200 }, rec);
    try {
      const wires = posts(srv.origin, 3);
      pool.send(0, wires[0]!);
      await rec.until(2);
      assert.deepEqual(rec.events[1], { k: 0, type: 'failed', code: PROTOCOL_CODE });
      pool.send(1, wires[1]!);
      pool.send(2, wires[2]!);
      await rec.until(4);
      // the oldest times out; the one behind it loses its connection
      assert.deepEqual(rec.events.slice(2), [
        { k: 1, type: 'failed', code: ANSWER_TIMEOUT_CODE },
        { k: 2, type: 'failed', code: SOCKET_CODE },
      ]);
      assert.equal(pool.inFlight, 0);
    } finally {
      pool.destroy();
      await srv.close();
    }
  });

  it('close() lets answers in flight arrive, then fails what is sent later', async () => {
    const srv = await rawServer((socket) => {
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), 20);
    });
    const rec = new Recorder();
    const pool = new Http1Pool(srv.origin, { connections: 1, pipelining: 1, timeoutMs: 0 }, rec);
    try {
      const wires = posts(srv.origin, 2);
      pool.send(0, wires[0]!);
      pool.close();
      pool.send(1, wires[1]!);
      await rec.until(2);
      assert.deepEqual(
        rec.events.map((e) => [e.k, e.type]),
        [
          [1, 'failed'],
          [0, 'answered'],
        ],
      );
    } finally {
      pool.destroy();
      await srv.close();
    }
  });
});
