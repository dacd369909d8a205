/**
 * Request bodies are bounded before they are parsed: the batch body limit is derived from the
 * largest ordinary batch (a few hundred KiB, not maxBodyBytes × maxBatchTxs), and a body whose
 * JSON nests too deep or holds too long an array is refused while it arrives, so a 10 MB body of
 * nested arrays is answered after its first bytes and never reaches JSON.parse, while /healthz
 * keeps answering.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { BATCH_ITEM_BYTES, DEFAULT_HTTP_OPTIONS } from '../../engine/http/index.js';
import { JsonShapeGuard } from '../../engine/http/json-guard.js';
import { Client, obj, scratchDir, startEngine, startServer } from './helpers.js';

const MiB = 1024 * 1024;

test('the shape guard counts structure only: strings, escapes and chunk boundaries', () => {
  const guard = () => new JsonShapeGuard({ maxDepth: 3, maxArrayLength: 4 });
  const feed = (g: JsonShapeGuard, ...chunks: string[]) => {
    for (const c of chunks) {
      const v = g.feed(Buffer.from(c));
      if (v) return v;
    }
    return null;
  };
  assert.equal(feed(guard(), '{"a":[{"b":1},{"c":2}]}'), null);
  assert.equal(feed(guard(), '[1,2,3,4]'), null);
  assert.deepEqual(feed(guard(), '[1,2,3,4,5]')?.kind, 'array');
  assert.deepEqual(feed(guard(), '[[[[1]]]]'), {
    kind: 'depth',
    depth: 4,
    message: 'JSON nested deeper than 3 levels',
  });
  // Brackets and commas inside strings, escaped quotes, an escape split across chunks.
  assert.equal(feed(guard(), '["[[[[,,,,,", "\\"[[[[", "a\\', '"[[[[,,,,"]'), null);
  // The array counted at its depth: the txs array of a batch is depth 2.
  const deep = new JsonShapeGuard({ maxDepth: 5, maxArrayLength: 2 });
  assert.deepEqual(feed(deep, '{"txs":[1,2,', '3]}'), {
    kind: 'array',
    depth: 2,
    message: 'a JSON array holds more than 2 elements',
  });
  // Empty arrays hold nothing.
  assert.equal(feed(guard(), '[[],[],[],[ ]]'), null);
});

test('the batch body limit is derived from the largest ordinary batch and holds it', async () => {
  assert.equal(DEFAULT_HTTP_OPTIONS.maxBatchBodyBytes, 256 * BATCH_ITEM_BYTES);
  assert.ok(DEFAULT_HTTP_OPTIONS.maxBatchBodyBytes <= 512 * 1024);
  const server = await startServer();
  try {
    const limit = server.service.config.http.maxBatchBodyBytes;
    // 256 transfers of 12 inputs and 4 outputs with every number at its widest: they fit.
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const txs = Array.from({ length: DEFAULT_HTTP_OPTIONS.maxBatchTxs }, (_, i) => ({
      v: 1,
      type: 'transfer',
      signer: hex(i, 64),
      day: 99_999,
      nonce: Number.MAX_SAFE_INTEGER,
      inputs: Array.from({ length: 12 }, (_, j) => hex(i * 100 + j, 64)),
      outputs: Array.from({ length: 4 }, (_, j) => ({
        owner: hex(j + 1, 64),
        value: Number.MAX_SAFE_INTEGER,
      })),
      sig: hex(i, 128),
    }));
    const body = JSON.stringify({ txs });
    assert.ok(body.length <= limit, `${body.length} > ${limit}`);
    const reply = await server.client.post('/v1/tx/batch', body);
    assert.equal(reply.status, 200, reply.text);
    assert.equal((obj(reply).results as unknown[]).length, txs.length);
    // One byte past the limit, declared up front: refused without reading the body.
    const padded = `${body.slice(0, -1)}${' '.repeat(limit - body.length + 1)}}`;
    const over = await server.client.post('/v1/tx/batch', padded);
    assert.equal(over.status, 413, over.text);
    assert.equal(obj(over).code, 'BODY_TOO_LARGE');
  } finally {
    await server.close();
  }
});

/** A raw HTTP/1.1 exchange whose body is written chunk by chunk until the answer arrives. */
interface Streamed {
  status: number;
  code: string | undefined;
  /** Body bytes written when the answer arrived. */
  sentWhenAnswered: number;
}

async function streamUntilAnswered(
  url: string,
  path: string,
  chunk: Buffer,
  totalBytes: number,
  whileSending: (sent: number) => Promise<void>,
): Promise<Streamed> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  let sent = 0;
  let answered: Streamed | null = null;
  const answer = new Promise<Streamed>((resolve) => {
    socket.on('data', (data) => {
      text += data.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const code = /"code":"([A-Z_]+)"/.exec(text);
      if (status && code && answered === null) {
        answered = { status: Number(status[1]), code: code[1], sentWhenAnswered: sent };
        resolve(answered);
      }
    });
  });
  socket.on('error', () => {
    // The engine closes a refused connection; writes after that fail, which is expected.
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
      'Transfer-Encoding: chunked\r\n\r\n',
  );
  while (answered === null && sent < totalBytes && !socket.destroyed) {
    const ok = socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
    sent += chunk.length;
    await whileSending(sent);
    // Yield every chunk, so an answer is seen as soon as it arrives.
    await new Promise((resolve) => (ok ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
  // Bounded: the whole body is at most `totalBytes`; the answer must come within 10 s of it.
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    answer,
    new Promise<Streamed>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 0, code: undefined, sentWhenAnswered: sent }),
        10_000,
      );
    }),
  ]);
  clearTimeout(timer);
  socket.destroy();
  return result;
}

test('10 MB of nested arrays is refused after its first bytes; /healthz answers meanwhile', async () => {
  const dir = await scratchDir('ecny-shape-');
  const engine = await startEngine({
    journalPath: join(dir, 'journal.ecj'),
    args: ['--threads', '1'],
  });
  const health = new Client(engine.url, 2);
  try {
    const total = 10 * MiB;
    const chunk = Buffer.alloc(64 * 1024, '[');
    for (const path of ['/v1/tx/batch', '/v1/tx']) {
      let healthChecks = 0;
      const result = await streamUntilAnswered(engine.url, path, chunk, total, async (sent) => {
        // While the body is still arriving (and after the refusal, while it is being dropped),
        // health answers.
        if (sent % (1 * MiB) === 64 * 1024) {
          const reply = await health.get('/healthz');
          assert.equal(reply.status, 200, reply.text);
          healthChecks++;
        }
      });
      console.log(
        `# ${path}: ${result.status} ${result.code} after ${result.sentWhenAnswered} of ${total} body bytes`,
      );
      assert.equal(result.status, 400, `${path}: no answer before the body was sent`);
      assert.equal(result.code, 'MALFORMED');
      // Refused long before the whole body: the guard stops at the sixth '['.
      assert.ok(
        result.sentWhenAnswered < total / 4,
        `${path}: answered only after ${result.sentWhenAnswered} bytes`,
      );
      assert.ok(healthChecks >= 1);
    }
    // An over-long batch array is refused the same way, as BATCH_TOO_LARGE.
    const items = Buffer.from('{"txs":[' + '{},'.repeat(20_000));
    const many = await streamUntilAnswered(engine.url, '/v1/tx/batch', items, items.length, () =>
      Promise.resolve(),
    );
    assert.equal(many.status, 413);
    assert.equal(many.code, 'BATCH_TOO_LARGE');
    const stats = obj(await health.get('/v1/stats'));
    assert.ok((stats.rssBytes as number) < 512 * MiB, `RSS ${stats.rssBytes}`);
  } finally {
    await health.close();
    await engine.stop();
  }
});
