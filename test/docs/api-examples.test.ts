/**
 * docs/api.md is the contract a client in another language implements, so its worked examples
 * are checked three ways: recomputed independently (the canonical bodies by the plain-JavaScript
 * client in examples/, ids with node:crypto hashes, Ed25519 signatures with node:crypto and SM2
 * ones with sm-crypto), compared with the engine's own encoding, and replayed against real
 * engines started with the documented `serve` flags, answer by answer. The reference tables are
 * checked against the engine too: every answer code it can send, every field of its GET answers.
 */
import assert from 'node:assert/strict';
import { createECDH, createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import smCrypto from 'sm-crypto';
import { createSuiteVerifier, itemLayout, packItem } from '../../engine/crypto/index.js';
import {
  decodeWire,
  OP_TYPES,
  REJECTION_CODES,
  reject,
  txSuite,
} from '../../engine/domain/index.js';
import { rejectionAnswer } from '../../engine/http/index.js';
import type { EngineProcess } from '../../runner/index.js';
import { scratchDir, startEngine } from '../http/helpers.js';
import {
  type DocEngine,
  type DocExample,
  docSection,
  parseWorkedExamples,
  readApiDoc,
} from './api-doc.js';

/** The slice of examples/ecny-client.mjs used here (plain JavaScript, no types of its own). */
interface ExampleClient {
  encodeBody(tx: unknown): Buffer;
  txidOf(body: Uint8Array, hash?: string): Buffer;
  coinIdOf(txid: Uint8Array, index: number): string;
  walletIdOf(publicKeyHex: string): string;
  keyFromSeed(seedHex: string): { publicKey: string };
  verifyTxid(publicKeyHex: string, txid: Uint8Array, sigHex: string): boolean;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const client = (await import(
  pathToFileURL(join(ROOT, 'examples/ecny-client.mjs')).href
)) as ExampleClient;
const doc = readApiDoc();
const engines = parseWorkedExamples(doc);
const [ed25519, sm2] = engines as [DocEngine, DocEngine];
const TX_TAG = Buffer.from('ecny-bench/tx/v1\0', 'latin1');
const SM2_ID = Buffer.from('1234567812345678', 'latin1');
/** GB/T 32918.5 curve parameters a, b, x_G, y_G: the constant middle of Z_A. */
const SM2_CURVE_HEX =
  'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc' +
  '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93' +
  '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7' +
  'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0';

function suiteOf(engine: DocEngine): 'ed25519' | 'sm2' {
  return engine.serveArgs.includes('sm2') ? 'sm2' : 'ed25519';
}

function txExamples(engine: DocEngine): Array<DocExample & { bodyHex: string }> {
  return engine.examples.filter((e): e is DocExample & { bodyHex: string } => !!e.bodyHex);
}

function wireOf(example: DocExample): Record<string, unknown> {
  return JSON.parse(example.request.body!) as Record<string, unknown>;
}

function zaOf(uncompressedHex: string): Buffer {
  return createHash('sm3')
    .update(Buffer.from([SM2_ID.length >> 5, (SM2_ID.length * 8) & 0xff]))
    .update(SM2_ID)
    .update(Buffer.from(SM2_CURVE_HEX, 'hex'))
    .update(Buffer.from(uncompressedHex.slice(2), 'hex'))
    .digest();
}

test('the worked examples cover every operation, every endpoint and both suites', () => {
  assert.equal(engines.length, 2);
  assert.equal(suiteOf(ed25519), 'ed25519');
  assert.equal(suiteOf(sm2), 'sm2');
  const types = new Set(txExamples(ed25519).map((e) => wireOf(e).type));
  assert.deepEqual([...types].sort(), [...OP_TYPES].sort());
  assert.ok(txExamples(sm2).length >= 1, 'an SM2 transaction example');
  const routes = new Set(
    ed25519.examples.map(
      (e) => `${e.request.method} ${e.request.path.split('/')[2] ?? e.request.path}`,
    ),
  );
  for (const route of ['POST tx', 'GET coins', 'GET wallets', 'GET reconcile', 'GET /healthz'])
    assert.ok(routes.has(route), `an example of ${route}: ${[...routes].join(', ')}`);
  assert.ok(
    ed25519.examples.some((e) => e.request.path === '/v1/tx/batch'),
    'a batch example',
  );
  const numbers = engines.flatMap((e) => e.examples.map((x) => x.number));
  assert.deepEqual(
    numbers,
    numbers.map((_, i) => i + 1),
    'examples numbered 1, 2, 3, ...',
  );
});

test('the documented keys derive from their documented private keys', () => {
  for (const key of ed25519.keys) {
    assert.equal(client.keyFromSeed(key.privateHex).publicKey, key.publicKey, key.name);
    assert.equal(client.walletIdOf(key.publicKey), key.walletId, key.name);
  }
  for (const key of sm2.keys) {
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(Buffer.from(key.privateHex, 'hex'));
    assert.equal(ecdh.getPublicKey('hex', 'compressed'), key.publicKey, key.name);
    assert.equal(ecdh.getPublicKey('hex', 'uncompressed'), key.uncompressed, key.name);
    assert.equal(zaOf(key.uncompressed!).toString('hex'), key.za, `${key.name} Z_A`);
    assert.equal(client.walletIdOf(key.publicKey), key.walletId, key.name);
  }
  assert.equal(ed25519.keys.length, 4);
  assert.equal(sm2.keys.length, 2);
});

test('each documented body is the canonical encoding of its request, here and in the engine', () => {
  for (const engine of engines) {
    for (const example of txExamples(engine)) {
      const wire = wireOf(example);
      const where = `example ${example.number}`;
      assert.equal(client.encodeBody(wire).toString('hex'), example.bodyHex, `${where}: client`);
      const decoded = decodeWire(wire, txSuite(suiteOf(engine)));
      assert.ok('body' in decoded, `${where}: ${JSON.stringify(decoded)}`);
      assert.equal(Buffer.from(decoded.body).toString('hex'), example.bodyHex, `${where}: engine`);
    }
  }
});

test('each documented id recomputes and each signature verifies (and a changed id does not)', () => {
  for (const engine of engines) {
    const sm = suiteOf(engine) === 'sm2';
    for (const example of txExamples(engine)) {
      const where = `example ${example.number}`;
      const wire = wireOf(example);
      const body = Buffer.from(example.bodyHex, 'hex');
      const txid = createHash(sm ? 'sm3' : 'sha256')
        .update(TX_TAG)
        .update(body)
        .digest();
      assert.equal(example.ids.get('txid'), txid.toString('hex'), `${where}: txid`);
      assert.equal(example.ids.get('signature'), wire.sig, `${where}: the request's sig`);
      const outputs = wire.outputs as unknown[];
      const coins = [...example.ids.keys()].filter((k) => k.startsWith('coin '));
      assert.equal(coins.length, outputs.length, `${where}: one coin id per output`);
      outputs.forEach((_, i) => {
        assert.equal(example.ids.get(`coin ${i}`), client.coinIdOf(txid, i), `${where}: coin ${i}`);
      });
      const changed = Buffer.from(txid);
      changed[31] ^= 1;
      const signer = wire.signer as string;
      const sig = wire.sig as string;
      if (sm) {
        const key = engine.keys.find((k) => k.publicKey === signer)!;
        assert.equal(example.ids.get('Z_A'), key.za, `${where}: Z_A`);
        const e = createHash('sm3').update(Buffer.from(key.za!, 'hex')).update(txid).digest();
        assert.equal(example.ids.get('e'), e.toString('hex'), `${where}: e`);
        const verify = (m: Buffer) =>
          smCrypto.sm2.doVerifySignature(Array.from(m), sig, key.uncompressed!, { hash: true });
        assert.equal(verify(txid), true, `${where}: sm-crypto verifies`);
        assert.equal(verify(changed), false, `${where}: not for another id`);
      } else {
        assert.equal(client.verifyTxid(signer, txid, sig), true, `${where}: node:crypto verifies`);
        assert.equal(client.verifyTxid(signer, changed, sig), false, `${where}: not another id`);
      }
      if (example.answer.status === 200)
        assert.deepEqual(example.answer.body, { status: 'settled', txid: txid.toString('hex') });
    }
  }
});

test('an SM2 signature differs on every signing; the verdict does not', () => {
  const example = txExamples(sm2)[0]!;
  const key = sm2.keys.find((k) => k.publicKey === wireOf(example).signer)!;
  const txid = Buffer.from(example.ids.get('txid')!, 'hex');
  const sign = () =>
    smCrypto.sm2.doSignature(Array.from(txid), key.privateHex, {
      hash: true,
      publicKey: key.uncompressed!,
    });
  const signatures = [example.ids.get('signature')!, sign(), sign()];
  assert.equal(new Set(signatures).size, 3, 'three signings, three signatures');
  const layout = itemLayout('sm2');
  const packed = new Uint8Array(layout.itemSize * signatures.length);
  signatures.forEach((sig, i) => {
    packItem(packed, i, Buffer.from(key.publicKey, 'hex'), txid, Buffer.from(sig, 'hex'), layout);
  });
  assert.deepEqual([...createSuiteVerifier('sm2', 'native').verifyBatch(packed, 3)], [1, 1, 1]);
});

const running: EngineProcess[] = [];
const urls = new Map<DocEngine, string>();

// Made here, not in `before`: a folder made in a hook would be removed when that hook ends.
const dir = await scratchDir('ecny-api-doc-');

before(async () => {
  await Promise.all(
    engines.map(async (engine, i) => {
      const server = await startEngine({
        args: [...engine.serveArgs, '--threads', '1'],
        journalPath: join(dir, `engine-${i}.ecj`),
        stderr: 'ignore',
      });
      running.push(server);
      urls.set(engine, server.url);
    }),
  );
});

after(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

async function send(
  engine: DocEngine,
  example: DocExample,
): Promise<{ status: number; body: unknown }> {
  const { method, path, headers, body } = example.request;
  const res = await fetch(`${urls.get(engine)}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: JSON.parse(await res.text()) as unknown };
}

/** `recovered.ms` of /healthz is how long this start's recovery took: it differs every time. */
function steady(body: unknown): unknown {
  const b = body as { recovered?: { ms?: unknown } };
  if (typeof b?.recovered?.ms !== 'number') return body;
  return { ...b, recovered: { ...b.recovered, ms: 0 } };
}

test('replayed against real engines, every documented request gets the documented answer', async () => {
  for (const engine of engines) {
    for (const example of engine.examples) {
      const answer = await send(engine, example);
      assert.equal(answer.status, example.answer.status, `example ${example.number}: status`);
      assert.deepEqual(
        steady(answer.body),
        steady(example.answer.body),
        `example ${example.number}`,
      );
    }
  }
});

/** Every member name of a JSON value, recursively; the keys of code and type maps excepted. */
function fieldNames(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) fieldNames(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      if (k !== 'rejectedByCode' && k !== 'byType') fieldNames(v, into);
    }
  }
  return into;
}

test('every field of every GET answer is documented', async () => {
  // Fields in "Endpoints"; metric families in "Metrics", which names every one.
  const documented = new Set(
    [
      ...`${docSection(doc, 'Endpoints')}${docSection(doc, 'Metrics')}`.matchAll(/`([^`]+)`/g),
    ].flatMap((m) => m[1]!.split(/\W+/)),
  );
  const url = urls.get(ed25519)!;
  const paths = [
    '/healthz',
    '/v1/stats',
    '/v1/reconcile',
    ...ed25519.examples.filter((e) => e.request.method === 'GET').map((e) => e.request.path),
  ];
  // After the replay the engine holds spent and unspent coins, wallets with and without kyc;
  // `poolLastSecond` is null until the engine's first whole second has passed.
  for (let i = 0; i < 20; i++) {
    const stats = (await (await fetch(`${url}/v1/stats`)).json()) as { poolLastSecond: unknown };
    if (stats.poolLastSecond !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const regulator = ed25519.examples.find((e) => e.request.headers.authorization);
  const headers = regulator?.request.headers ?? {};
  const seen = new Set<string>();
  for (const path of paths) {
    const res = await fetch(`${url}${path}`, { headers });
    for (const name of fieldNames(await res.json())) {
      assert.ok(documented.has(name), `GET ${path}: field "${name}" is not in docs/api.md`);
      seen.add(name);
    }
  }
  // Every shape was seen: a spent and an unspent coin, a wallet with identity, the last second.
  for (const name of ['spentBy', 'createdBy', 'kyc', 'tier', 'endedAt', 'problems', 'recovered'])
    assert.ok(seen.has(name), `no answer had a "${name}" field`);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const names = [...metrics.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 10);
  for (const name of names) assert.ok(documented.has(name), `metric ${name} is not documented`);
});

test('every answer code the engine can send is in the answer codes table, with its status', () => {
  const http = fileURLToPath(new URL('../../../engine/http/', import.meta.url));
  const sent = new Set<string>();
  for (const file of readdirSync(http).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(http, file), 'utf8');
    for (const m of source.matchAll(/\b([1-5]\d\d),\s*'([A-Z][A-Z_]+)'/g))
      sent.add(`${m[2]} ${m[1]}`);
  }
  // The scan must see the HTTP layer's own codes, or it proves nothing.
  for (const known of [
    'NOT_FOUND 404',
    'HEADERS_TOO_LARGE 431',
    'OVERLOADED 503',
    'BAD_REQUEST 400',
  ])
    assert.ok(sent.has(known), `the source scan found ${known}`);
  for (const code of REJECTION_CODES)
    sent.add(`${code} ${rejectionAnswer(reject(code, '')).status}`);
  const table = new Set(
    [...docSection(doc, 'Answer codes').matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    ),
  );
  for (const pair of sent) assert.ok(table.has(pair), `${pair} is missing from the answer codes`);
  for (const pair of table) assert.ok(sent.has(pair), `${pair} is documented but never sent`);
});
