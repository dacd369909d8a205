/**
 * The engine over HTTP (issue "Engine over HTTP"), on a real server on port 0: every bad input
 * gets its exact status and code and moves nothing; batches answer per item in order; the
 * coin and wallet views (identity data only for the regulator); /healthz; /metrics.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { deriveKeyPair, makeTx, type Tx, toWire, walletIdOf } from '../../engine/domain/index.js';
import { parseExposition, promtoolCheck, sampleOf } from '../fixtures/exposition.js';
import { coinOf, genesis, type Ledger, op, out, WALLET_NAMES, YUAN } from '../fixtures/ledger.js';
import {
  type Client,
  type EngineState,
  engineState,
  obj,
  type Reply,
  settleAll,
  splitCoins,
  startServer,
  type TestServer,
} from './helpers.js';

const REGULATOR_TOKEN = 'regulator-secret-token';

function withSig(tx: Tx, flipAt: number): Tx {
  const sig = Buffer.from(tx.signature);
  sig[flipAt]! ^= 0x80;
  return makeTx(tx, sig);
}

/** The wire form of a valid transaction with some fields changed (types are not respected). */
function mutate(tx: Tx, change: Record<string, unknown>): Record<string, unknown> {
  return { ...(toWire(tx) as unknown as Record<string, unknown>), ...change };
}

describe('engine over HTTP', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;
  let coins: string[];

  before(async () => {
    server = await startServer({ http: { regulatorToken: REGULATOR_TOKEN } });
    client = server.client;
    l = genesis();
    await settleAll(client, l.genesis);
    coins = await splitCoins(client, l, l.w.p2, 40, YUAN);
  });
  after(() => server.close());

  /** Sends `body` and checks the exact answer, and that nothing moved. */
  async function refused(
    path: string,
    body: unknown,
    status: number,
    code: string,
    extra: Record<string, unknown> = {},
  ): Promise<Reply> {
    const before: EngineState = await engineState(client);
    const reply = await client.post(path, body);
    assert.equal(reply.status, status, `${reply.text} for ${String(body).slice(0, 80)}`);
    const b = obj(reply);
    assert.equal(b.code, code, reply.text);
    assert.equal(typeof b.message, 'string');
    for (const [k, v] of Object.entries(extra)) assert.deepEqual(b[k], v, k);
    if (status === 503) assert.ok(reply.headers['retry-after']);
    assert.deepEqual(await engineState(client), before, 'a refused request changed state');
    return reply;
  }

  test('malformed JSON and non-objects are 400 MALFORMED', async () => {
    for (const body of ['{"v":1,', '', 'nul', '{"v":1}}', '\u0000', '[1,2', '{"a":}']) {
      await refused('/v1/tx', body, 400, 'MALFORMED', { status: 'rejected' });
    }
    for (const body of ['[]', '"tx"', 'null', '42', 'true', '[{"v":1}]']) {
      await refused('/v1/tx', body, 400, 'MALFORMED');
    }
  });

  test('wrong types are 400 MALFORMED', async () => {
    const tx = op.transfer(l.w.p2, [coins[0]!], [out(l.w.m1, YUAN)]);
    const cases: Array<Record<string, unknown>> = [
      { v: '1' },
      { v: null },
      { type: 5 },
      { type: 'mint' },
      { signer: 123 },
      { signer: l.w.p2.publicKey.toUpperCase() },
      { signer: l.w.p2.publicKey.slice(2) },
      { day: '18628' },
      { day: -1 },
      { day: 1.5 },
      { nonce: '7' },
      { nonce: -1 },
      { nonce: Number.MAX_SAFE_INTEGER + 2 },
      { inputs: coins[0] },
      { inputs: [42] },
      { inputs: [`${coins[0]!}00`] },
      { outputs: { owner: l.w.m1.publicKey, value: YUAN } },
      { outputs: [[l.w.m1.publicKey, YUAN]] },
      { outputs: [{ owner: l.w.m1.publicKey, value: '100' }] },
      { outputs: [{ owner: l.w.m1.publicKey, value: 0 }] },
      { outputs: [{ owner: l.w.m1.publicKey, value: -100 }] },
      { outputs: [{ owner: l.w.m1.publicKey, value: 1.5 }] },
      { outputs: [{ owner: l.w.m1.publicKey, value: 2 ** 53 }] },
      { outputs: [{ owner: 7, value: YUAN }] },
      { sig: 'ab' },
      { sig: 12 },
      { subject: { key: l.w.p3.publicKey, role: 'wallet', tier: 1, kind: 'personal' } },
    ];
    for (const change of cases) {
      await refused('/v1/tx', mutate(tx, change), 400, 'MALFORMED');
    }
    // Missing fields.
    for (const field of ['v', 'type', 'signer', 'day', 'nonce', 'inputs', 'outputs', 'sig']) {
      const wire = mutate(tx, {});
      delete wire[field];
      await refused('/v1/tx', wire, 400, 'MALFORMED');
    }
  });

  test('unknown fields are 400 MALFORMED', async () => {
    const tx = op.transfer(l.w.p2, [coins[0]!], [out(l.w.m1, YUAN)]);
    await refused('/v1/tx', mutate(tx, { memo: 'hi' }), 400, 'MALFORMED');
    await refused('/v1/tx', mutate(tx, { __proto__x: 1 }), 400, 'MALFORMED');
    await refused(
      '/v1/tx',
      mutate(tx, { outputs: [{ owner: l.w.m1.publicKey, value: YUAN, memo: 'x' }] }),
      400,
      'MALFORMED',
      { index: 0 },
    );
    const open = op.open(l.banks.a, deriveKeyPair('api', 'new-wallet'), 2, 'personal');
    const wire = toWire(open) as unknown as Record<string, unknown>;
    await refused(
      '/v1/tx',
      { ...wire, subject: { ...(wire.subject as object), email: 'a@b' } },
      400,
      'MALFORMED',
    );
  });

  test('an unsupported version is 400 UNSUPPORTED_VERSION', async () => {
    const tx = op.transfer(l.w.p2, [coins[0]!], [out(l.w.m1, YUAN)]);
    for (const v of [0, 2, 99, -1, 1.5]) {
      await refused('/v1/tx', mutate(tx, { v }), 400, 'UNSUPPORTED_VERSION');
    }
  });

  test('the same coin twice in one transaction is 400 DUPLICATE_INPUT', async () => {
    const tx = op.transfer(l.w.p2, [coins[0]!, coins[1]!, coins[0]!], [out(l.w.m1, 3 * YUAN)]);
    await refused('/v1/tx', toWire(tx), 400, 'DUPLICATE_INPUT', { index: 2 });
  });

  test('an oversize body is 413 BODY_TOO_LARGE, declared or streamed', async () => {
    const limit = server.service.config.http.maxBodyBytes;
    const big = JSON.stringify({ ...toWire(l.genesis[0]!), pad: 'x'.repeat(limit) });
    await refused('/v1/tx', big, 413, 'BODY_TOO_LARGE', { status: 'error' });
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(limit / 8, 0x20));
    await refused('/v1/tx', Readable.from(chunks), 413, 'BODY_TOO_LARGE');
    // The limit is exact: a body of exactly maxBodyBytes is read (and is not a transaction).
    await refused('/v1/tx', ' '.repeat(limit), 400, 'MALFORMED');
  });

  test('batch limits and shape', async () => {
    const max = server.service.config.http.maxBatchTxs;
    const tx = toWire(op.transfer(l.w.p2, [coins[0]!], [out(l.w.m1, YUAN)]));
    await refused('/v1/tx/batch', { txs: Array(max + 1).fill(tx) }, 413, 'BATCH_TOO_LARGE');
    await refused('/v1/tx/batch', '{"txs":[', 400, 'MALFORMED');
    for (const body of [[], { txs: {} }, { txs: [], more: 1 }, { tx: [] }, null, 'x']) {
      await refused('/v1/tx/batch', JSON.stringify(body), 400, 'MALFORMED');
    }
    const empty = await client.post('/v1/tx/batch', { txs: [] });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { results: [] });
  });

  test('a batch mixing valid and invalid items answers per item, in order', async () => {
    const before = await engineState(client);
    const a = op.transfer(l.w.p2, [coins[2]!], [out(l.w.m1, YUAN)]);
    const conflict = op.transfer(l.w.p2, [coins[2]!], [out(l.w.m2, YUAN)]);
    const b = op.transfer(l.w.p2, [coins[3]!], [out(l.w.m1, YUAN)]);
    const c = op.transfer(l.w.p2, [coins[4]!], [out(l.w.m1, YUAN)]);
    const stranger = deriveKeyPair('api', 'stranger');
    const unknown = op.transfer(stranger, [coins[5]!], [out(l.w.m1, YUAN)]);
    const items: unknown[] = [
      toWire(a),
      { v: 1 },
      toWire(conflict),
      toWire(withSig(b, 3)),
      mutate(c, { v: 2 }),
      toWire(c),
      toWire(a),
      'tx',
      toWire(unknown),
      toWire(op.transfer(l.w.p2, [coins[6]!, coins[6]!], [out(l.w.m1, 2 * YUAN)])),
    ];
    const reply = await client.post('/v1/tx/batch', { txs: items });
    assert.equal(reply.status, 200, reply.text);
    const results = obj(reply).results as Array<Record<string, unknown>>;
    assert.equal(results.length, items.length);
    const codes = results.map((r) => r.code ?? r.status);
    assert.deepEqual(codes, [
      'settled',
      'MALFORMED',
      'ALREADY_SPENT',
      'BAD_SIGNATURE',
      'UNSUPPORTED_VERSION',
      'settled',
      'DUPLICATE_TX',
      'MALFORMED',
      'UNKNOWN_SIGNER',
      'DUPLICATE_INPUT',
    ]);
    assert.deepEqual(results[0], { status: 'settled', txid: a.txidHex });
    assert.deepEqual(results[5], { status: 'settled', txid: c.txidHex });
    assert.equal(results[2]!.index, 0);
    assert.equal(results[2]!.txid, conflict.txidHex);
    assert.equal(results[9]!.index, 1);
    for (const i of [1, 2, 3, 4, 6, 7, 8, 9]) assert.equal(results[i]!.status, 'rejected');
    l.settle(a);
    l.settle(c);
    const after = await engineState(client);
    assert.equal(after.settled, before.settled + 2);
    assert.equal(after.journalRecords, before.journalRecords + 2);
    // b (bad signature in the batch) was not applied: it still settles on its own.
    const alone = await client.tx(b);
    assert.deepEqual(alone.body, { status: 'settled', txid: b.txidHex });
    l.settle(b);
  });

  test('coin views: unspent, spent, unknown, malformed', async () => {
    const tx = op.transfer(l.w.p2, [coins[10]!], [out(l.w.m3, YUAN)]);
    await settleAll(client, [tx]);
    l.settle(tx);
    const created = coinOf(tx, 0);
    const unspent = await client.get(`/v1/coins/${created}`);
    assert.equal(unspent.status, 200);
    assert.deepEqual(unspent.body, {
      id: created,
      state: 'unspent',
      value: YUAN,
      owner: l.w.m3.publicKey,
      createdBy: tx.txidHex,
      day: tx.day,
    });
    const spent = await client.get(`/v1/coins/${coins[10]}`);
    assert.deepEqual(spent.body, { id: coins[10], state: 'spent', spentBy: tx.txidHex });
    const unknown = await client.get(`/v1/coins/${'ab'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(obj(unknown).code, 'UNKNOWN_COIN');
    for (const bad of ['xyz', 'AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(32)}0`]) {
      const r = await client.get(`/v1/coins/${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(obj(r).code, 'MALFORMED');
    }
  });

  test('wallet views by id and by key; kyc only with the regulator token', async () => {
    for (const name of WALLET_NAMES) {
      const w = l.w[name];
      const byKey = await client.get(`/v1/wallets/${w.publicKey}`);
      const byId = await client.get(`/v1/wallets/${walletIdOf(w.publicKey)}`);
      assert.equal(byKey.status, 200);
      assert.deepEqual(byId.body, byKey.body);
      const view = obj(byKey);
      assert.equal(view.id, walletIdOf(w.publicKey));
      assert.equal(view.key, w.publicKey);
      assert.equal(view.role, 'wallet');
      assert.equal(view.balance, l.registry.balanceOf(w.publicKey));
      assert.equal(view.coinCount, l.registry.coinsOf(w.publicKey).length);
      assert.equal('kyc' in view, false, 'identity reference shown to a non-regulator');
      const kyc = `kyc:${w.publicKey.slice(0, 8)}`;
      assert.ok(!byKey.text.includes(kyc));
      for (const auth of [`Bearer ${REGULATOR_TOKEN}x`, REGULATOR_TOKEN, 'Bearer ', '']) {
        const wrong = await client.get(`/v1/wallets/${w.publicKey}`, { authorization: auth });
        assert.equal('kyc' in obj(wrong), false, `kyc shown for authorization "${auth}"`);
      }
      const regulator = await client.get(`/v1/wallets/${walletIdOf(w.publicKey)}`, {
        authorization: `Bearer ${REGULATOR_TOKEN}`,
      });
      assert.equal(obj(regulator).kyc, kyc);
    }
    const unknown = await client.get(`/v1/wallets/${'cd'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(obj(unknown).code, 'UNKNOWN_WALLET');
    const unknownId = await client.get(`/v1/wallets/${'cd'.repeat(20)}`);
    assert.equal(unknownId.status, 404);
    const bad = await client.get('/v1/wallets/not-a-wallet');
    assert.equal(bad.status, 400);
    assert.equal(obj(bad).code, 'MALFORMED');
  });

  test('/healthz is 200 ready, unknown routes 404', async () => {
    const health = await client.get('/healthz');
    assert.equal(health.status, 200);
    assert.equal(obj(health).status, 'ready');
    assert.equal(typeof (obj(health).recovered as Record<string, unknown>).records, 'number');
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/v1/coins'],
      ['GET', '/v1/wallets/'],
      ['POST', '/v1/tx/batch/x'],
    ] as const) {
      const r = await client.request(method, path, method === 'POST' ? '{}' : undefined);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(obj(r).code, 'NOT_FOUND');
    }
  });

  test('/metrics is Prometheus text, lint-clean, and agrees with /v1/stats', async () => {
    const stats = obj(await client.get('/v1/stats'));
    const reply = await client.get('/metrics');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(reply.text);
    assert.equal(sampleOf(m, 'ecny_settled_total'), stats.settled);
    assert.equal(sampleOf(m, 'ecny_up'), 1);
    assert.equal(sampleOf(m, 'ecny_inflight'), 0);
    // Every settlement here went through /v1/tx or /v1/tx/batch: each has its end-to-end time.
    assert.equal(sampleOf(m, 'ecny_settlement_seconds_count{outcome="settled"}'), stats.settled);
    assert.equal(sampleOf(m, 'ecny_answers_total{code="SETTLED"}'), stats.settled);
    assert.ok(sampleOf(m, 'ecny_journal_group_records_sum') >= (stats.settled as number));
    assert.ok(sampleOf(m, 'ecny_process_resident_memory_bytes') > 0);
    assert.ok(m.samples.has('ecny_rejected_total{code="MALFORMED"}'));
    assert.equal(m.types.get('ecny_stage_seconds'), 'histogram');
    assert.ok(sampleOf(m, 'ecny_http_requests_total{route="/v1/stats",status="200"}') >= 1);
    const lint = promtoolCheck(reply.text);
    if (lint === null) {
      assert.ok(!process.env.CI, 'CI installs promtool (.ci/run)');
    } else {
      assert.ok(lint.ok, lint.output);
    }
  });

  test('no identity reference appears in any non-regulator answer', async () => {
    const kycs = l.parties.map((p) => `kyc:${p.publicKey.slice(0, 8)}`);
    const paths = [
      '/v1/stats',
      '/v1/reconcile',
      '/metrics',
      '/healthz',
      ...l.parties.map((p) => `/v1/wallets/${p.publicKey}`),
      ...l.parties.map((p) => `/v1/wallets/${walletIdOf(p.publicKey)}`),
      ...coins.slice(0, 5).map((c) => `/v1/coins/${c}`),
    ];
    for (const path of paths) {
      const r = await client.get(path);
      for (const kyc of kycs) assert.ok(!r.text.includes(kyc), `${path} shows ${kyc}`);
      assert.ok(!/"kyc"/.test(r.text), `${path} has a kyc field`);
    }
  });
});
