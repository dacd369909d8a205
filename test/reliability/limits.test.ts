/**
 * Connection-level limits against misbehaving clients: slowloris (headers byte by byte) and
 * slow bodies are cut off by the header / request timeouts with 408, while well-behaved
 * clients are served meanwhile; the connection cap drops connections past maxConnections and
 * recovers when they close.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { obj, startServer, type TestServer } from '../http/helpers.js';
import { recordFigures } from './figures.js';

const HEADER_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_500;
const MAX_CONNECTIONS = 6;
/**
 * Liveness guard only: node's default sweep (30 s) would still be holding the socket here. The
 * configured timeouts are far below it; nothing asserts how fast the cut is.
 */
const GUARD_MS = 20_000;

interface Ended {
  readonly received: string;
  readonly bytesSent: number;
}

/** Opens a raw socket and dribbles `text` one byte per `everyMs` until the server hangs up. */
function dribble(url: string, text: string, everyMs: number): Promise<Ended> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < text.length && !socket.destroyed) socket.write(text[sent++]!);
    }, everyMs);
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still connected after ${GUARD_MS} ms (${sent} bytes sent)`));
    }, GUARD_MS);
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {
      // a reset after the server's answer is how it ends too
    });
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve({ received, bytesSent: sent });
    });
  });
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('connection limits', () => {
  let server: TestServer;
  const figures: Record<string, unknown> = {};

  before(async () => {
    server = await startServer({
      http: {
        headersTimeoutMs: HEADER_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        maxConnections: MAX_CONNECTIONS,
      },
      connections: 1,
    });
  });
  after(() => server.close());

  test('slowloris clients are cut off by the header timeout; others are served meanwhile', async () => {
    const headers = `POST /v1/tx HTTP/1.1\r\nHost: engine\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`;
    const started = performance.now();
    const slow = [0, 1, 2].map(() => dribble(server.url, headers, 50));
    // A normal client still gets answers while the slow sockets are held.
    for (let i = 0; i < 5; i++) {
      const health = await server.client.get('/healthz');
      assert.equal(health.status, 200);
      await sleep(50);
    }
    for (const ended of await Promise.all(slow)) {
      assert.match(ended.received, /^HTTP\/1\.1 408 /, 'cut with 408 Request Timeout');
      assert.ok(ended.bytesSent < headers.length, 'cut before the headers were complete');
    }
    figures.slowlorisCutAfterMs = Math.round(performance.now() - started);
    figures.headerTimeoutMs = HEADER_TIMEOUT_MS;
  });

  test('a slow body is cut off by the request timeout', async () => {
    const body = JSON.stringify({ v: 1, pad: 'x'.repeat(400) });
    const request =
      `POST /v1/tx HTTP/1.1\r\nHost: engine\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\n\r\n`;
    const { hostname, port } = new URL(server.url);
    const ended = await new Promise<Ended>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(request));
      let received = '';
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < body.length && !socket.destroyed) socket.write(body[sent++]!);
      }, 50);
      const guard = setTimeout(() => {
        socket.destroy();
        reject(new Error('slow body still connected'));
      }, GUARD_MS);
      socket.setEncoding('utf8').on('data', (c: string) => {
        received += c;
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(guard);
        resolve({ received, bytesSent: sent });
      });
    });
    assert.ok(ended.bytesSent < body.length, 'cut before the body was complete');
    // node answers 408 when it can; either way the socket is gone and nothing was submitted.
    if (ended.received !== '') assert.match(ended.received, /^HTTP\/1\.1 408 /);
    const stats = obj(await server.client.get('/v1/stats'));
    assert.equal(stats.admitted, 0);
  });

  test('connections past maxConnections are dropped, and accepted again once others close', async () => {
    // The test client holds at most one keep-alive connection of its own.
    await server.client.get('/healthz');
    const held: Socket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS - 1; i++) held.push(await open(server.url));
    await sleep(100);
    const extra = await open(server.url);
    const dropped = await new Promise<boolean>((resolve) => {
      const guard = setTimeout(() => resolve(false), GUARD_MS);
      extra.on('close', () => {
        clearTimeout(guard);
        resolve(true);
      });
      extra.on('error', () => {});
      extra.write('GET /healthz HTTP/1.1\r\nHost: engine\r\n\r\n');
    });
    extra.destroy();
    assert.ok(dropped, 'a connection past the cap was kept');
    for (const s of held) s.destroy();
    await sleep(100);
    const health = await server.client.get('/healthz');
    assert.equal(health.status, 200);
    const again = await open(server.url);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      again.setEncoding('utf8').on('data', (c: string) => {
        text += c;
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      again.write('GET /healthz HTTP/1.1\r\nHost: engine\r\n\r\n');
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    again.destroy();
    figures.maxConnections = MAX_CONNECTIONS;
    await recordFigures('limits', figures);
  });
});
