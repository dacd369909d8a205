/**
 * HTTP hygiene an outside client relies on: a weak registration key has its own code (422
 * WEAK_KEY, not MALFORMED); POST bodies must be JSON by Content-Type (415); a body repeating a
 * key is refused (a gateway might read the other value); node's own refusals (431 over-long
 * URL or headers, 400 unparseable requests) come as JSON with a code; every answer has a
 * Content-Length (HTTP/1.0 keep-alive works); HEAD works; a wrong method is 405 with Allow.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { toWire } from '../../engine/domain/index.js';
import { encodeMixed, TORSION, TORSION_BYTES } from '../crypto/ed25519-cases.js';
import { genesis, type Ledger, op, YUAN } from '../fixtures/ledger.js';
import {
  type Client,
  engineState,
  obj,
  type Reply,
  settleAll,
  startServer,
  type TestServer,
} from './helpers.js';

/** One HTTP response read off a raw socket. */
interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Reads one response (Content-Length framed, or until close) from `socket`. */
function readResponse(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (r: RawResponse) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      resolve(r);
    };
    const parse = (final: boolean): void => {
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (final) reject(new Error(`connection closed mid-headers: ${buffered.toString()}`));
        return;
      }
      const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(statusLine!.split(' ')[1]);
      const rest = buffered.subarray(end + 4);
      const length = headers['content-length'];
      if (length !== undefined && rest.length >= Number(length))
        done({ status, headers, body: rest.subarray(0, Number(length)).toString() });
      else if (final) done({ status, headers, body: rest.toString() });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      parse(false);
    };
    const onEnd = () => parse(true);
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

async function rawConnect(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('HTTP protocol hygiene', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;

  before(async () => {
    server = await startServer();
    client = server.client;
    l = genesis();
    await settleAll(client, l.genesis);
  });
  after(() => server.close());

  async function refusedWith(reply: Promise<Reply>, status: number, code: string) {
    const before = await engineState(client);
    const r = await reply;
    assert.equal(r.status, status, r.text);
    assert.equal(obj(r).code, code, r.text);
    assert.equal(typeof obj(r).message, 'string');
    assert.deepEqual(await engineState(client), before, 'a refused request changed state');
    return r;
  }

  test('a correctly signed open or enroll of a weak key is 422 WEAK_KEY, not 400 MALFORMED', async () => {
    // Two of small order (refused by their bytes alone) and one mixed-order key, 5·B plus a
    // point of order 8: canonical and on the curve, refused only by the torsion check that the
    // verification pool runs.
    const keyChecks = async () =>
      (obj(await client.get('/v1/stats')) as { pool: { keyChecks: number } }).pool.keyChecks;
    const checksBefore = await keyChecks();
    for (const weak of [TORSION_BYTES[0]!, TORSION_BYTES[3]!, encodeMixed(5n, TORSION[1]!)]) {
      const key = Buffer.from(weak).toString('hex');
      await refusedWith(client.tx(op.open(l.banks.a, key, 2, 'personal')), 422, 'WEAK_KEY');
      await refusedWith(client.tx(op.enroll(l.cb, key)), 422, 'WEAK_KEY');
    }
    assert.equal(await keyChecks(), checksBefore + 6, 'each key was checked by the pool');
  });

  test('POST bodies need Content-Type application/json (415 otherwise)', async () => {
    const tx = l.pay('transfer', l.w.p2, l.w.m1, YUAN);
    const body = JSON.stringify(toWire(tx));
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonp',
      'application/json; charset=latin1',
      '',
    ]) {
      for (const path of ['/v1/tx', '/v1/tx/batch']) {
        const r = await refusedWith(
          client.post(path, body, { 'content-type': type }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
        assert.equal(r.headers.connection, 'close');
      }
    }
    // No Content-Type at all, on a raw socket (the test client always sends one).
    const socket = await rawConnect(server.url);
    socket.write(
      `POST /v1/tx HTTP/1.1\r\nhost: engine\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const raw = await readResponse(socket);
    socket.destroy();
    assert.equal(raw.status, 415);
    assert.equal(JSON.parse(raw.body).code, 'UNSUPPORTED_MEDIA_TYPE');
    // Any case, with a UTF-8 charset, is JSON.
    const ok = await client.post('/v1/tx', body, {
      'content-type': 'Application/JSON; Charset="UTF-8"',
    });
    assert.equal(obj(ok).status, 'settled', ok.text);
    l.settle(tx);
  });

  test('a body that repeats a key anywhere is 400 MALFORMED, whichever value was meant', async () => {
    const tx = l.pay('transfer', l.w.p2, l.w.m1, YUAN);
    const text = JSON.stringify(toWire(tx));
    const cases = [
      // A gateway reading the first "sig" sees a bad signature; JSON.parse takes the last.
      text.replace('"sig":', `"sig":"${'00'.repeat(64)}","sig":`),
      text.replace('"nonce":', '"nonce":1,"nonce":'),
      text.replace('"value":', '"value":1,"value":'),
      text.replace('"owner":', `"owner":"${l.w.p3.publicKey}","owner":`),
      text.replace('{"v":1', '{"v":1,"v":1'),
    ];
    for (const body of cases) await refusedWith(client.post('/v1/tx', body), 400, 'MALFORMED');
    for (const item of cases) {
      await refusedWith(client.post('/v1/tx/batch', `{"txs":[${item}]}`), 400, 'MALFORMED');
    }
    await refusedWith(client.post('/v1/tx/batch', `{"txs":[],"txs":[${text}]}`), 400, 'MALFORMED');
    // Keys that merely look alike, and colons inside strings, are fine.
    const open = op.open(l.banks.a, l.w.p1.publicKey.replace(/^../, 'ab'), 2, 'personal', {
      kyc: 'a:b:"c":d',
    });
    const reply = await client.tx(open);
    assert.notEqual(obj(reply).code, 'MALFORMED', reply.text);
    const settled = await client.post('/v1/tx', text);
    assert.equal(obj(settled).status, 'settled', settled.text);
    l.settle(tx);
  });

  test('an over-long URL or header gets 431 with a JSON code, not a bare status line', async () => {
    for (const request of [
      `GET /v1/coins/${'a'.repeat(100_000)} HTTP/1.1\r\nhost: engine\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nhost: engine\r\nx-junk: ${'b'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const socket = await rawConnect(server.url);
      socket.write(request);
      const raw = await readResponse(socket);
      socket.destroy();
      assert.equal(raw.status, 431);
      assert.equal(raw.headers['content-type'], 'application/json');
      assert.equal(Number(raw.headers['content-length']), Buffer.byteLength(raw.body));
      assert.equal(JSON.parse(raw.body).code, 'HEADERS_TOO_LARGE');
    }
    const socket = await rawConnect(server.url);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const raw = await readResponse(socket);
    socket.destroy();
    assert.equal(raw.status, 400);
    assert.equal(JSON.parse(raw.body).code, 'BAD_REQUEST');
  });

  test('every answer carries Content-Length; an HTTP/1.0 keep-alive client keeps its connection', async () => {
    const tx = l.pay('transfer', l.w.p2, l.w.m1, YUAN);
    const body = JSON.stringify(toWire(tx));
    const socket = await rawConnect(server.url);
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    const requests = [
      `POST /v1/tx HTTP/1.0\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      `POST /v1/tx HTTP/1.0\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'GET /healthz HTTP/1.0\r\nconnection: keep-alive\r\n\r\n',
      'GET /metrics HTTP/1.0\r\nconnection: keep-alive\r\n\r\n',
      `GET /v1/coins/${'ab'.repeat(32)} HTTP/1.0\r\nconnection: keep-alive\r\n\r\n`,
    ];
    const statuses: number[] = [];
    for (const request of requests) {
      socket.write(request);
      const r = await readResponse(socket);
      statuses.push(r.status);
      assert.ok(r.headers['content-length'] !== undefined, `no Content-Length: ${r.body}`);
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
      assert.equal(r.headers['transfer-encoding'], undefined);
      assert.match(r.headers.connection ?? '', /keep-alive/i);
      assert.equal(closed, false, 'the server closed a keep-alive connection');
    }
    socket.destroy();
    assert.deepEqual(statuses, [200, 422, 200, 200, 404]);
    l.settle(tx);
  });

  test('HEAD answers like GET without a body; a wrong method is 405 with Allow', async () => {
    const get = await client.get('/healthz');
    const head = await client.request('HEAD', '/healthz');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.text)));
    assert.equal((await client.request('HEAD', '/v1/stats')).status, 200);
    for (const [method, path, allow] of [
      ['GET', '/v1/tx', 'POST'],
      ['GET', '/v1/tx/batch', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['POST', '/v1/stats', 'GET, HEAD'],
      ['DELETE', `/v1/coins/${'ab'.repeat(32)}`, 'GET, HEAD'],
      ['PUT', '/metrics', 'GET, HEAD'],
    ] as const) {
      const r = await client.request(method, path, method === 'GET' ? undefined : '{}');
      assert.equal(r.status, 405, `${method} ${path}: ${r.text}`);
      assert.equal(r.headers.allow, allow, `${method} ${path}`);
      assert.equal(obj(r).code, 'METHOD_NOT_ALLOWED');
    }
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/v1/coins'],
      ['POST', '/v1/tx/batch/x'],
    ] as const) {
      const r = await client.request(method, path, method === 'POST' ? '{}' : undefined);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(obj(r).code, 'NOT_FOUND');
    }
  });
});
