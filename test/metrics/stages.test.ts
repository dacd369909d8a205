/**
 * The engine's metrics over real HTTP (an in-process engine on port 0): every transaction the
 * ingress reads gets an end-to-end time by outcome; each admitted one passes through the stages,
 * which are counted once each and add up to the end-to-end time; the engine's events reach
 * diagnostics_channel subscribers; and the exposition of a busy engine is lint-clean.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { makeTx, type Tx, toWire } from '../../engine/domain/index.js';
import {
  type AnswerEvent,
  CHANNEL_NAMES,
  type JournalCommitEvent,
  type RequestEvent,
  STAGES,
  type VerifyBatchEvent,
} from '../../engine/metrics/index.js';
import { parseExposition, promtoolCheck, sampleOf } from '../fixtures/exposition.js';
import { genesis, type Ledger, op, out, YUAN } from '../fixtures/ledger.js';
import {
  type Client,
  obj,
  settleAll,
  spendEach,
  splitCoins,
  startServer,
  type TestServer,
} from '../http/helpers.js';

function withBadSignature(tx: Tx): Tx {
  const sig = Buffer.from(tx.signature);
  sig[5]! ^= 0x01;
  return makeTx(tx, sig);
}

describe('engine metrics over HTTP', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;
  const events = {
    answers: [] as AnswerEvent[],
    requests: [] as RequestEvent[],
    commits: [] as JournalCommitEvent[],
    batches: [] as VerifyBatchEvent[],
  };
  const listeners: Array<[string, (message: unknown) => void]> = [
    [CHANNEL_NAMES.answer, (m) => events.answers.push(m as AnswerEvent)],
    [CHANNEL_NAMES.request, (m) => events.requests.push(m as RequestEvent)],
    [CHANNEL_NAMES.journalCommit, (m) => events.commits.push(m as JournalCommitEvent)],
    [CHANNEL_NAMES.verifyBatch, (m) => events.batches.push(m as VerifyBatchEvent)],
  ];

  before(async () => {
    for (const [name, listener] of listeners) subscribe(name, listener);
    server = await startServer();
    client = server.client;
    l = genesis();
    await settleAll(client, l.genesis);
  });
  after(async () => {
    for (const [name, listener] of listeners) unsubscribe(name, listener);
    await server.close();
  });

  test('stages are counted once per transaction and add up to its end-to-end time', async () => {
    const coins = await splitCoins(client, l, l.w.p1, 30, YUAN);
    const transfers = spendEach(l.w.p1, coins, l.w.p2, YUAN);
    // 10 alone, 18 in one batch, one with a bad signature, one spending a coin already spent.
    await settleAll(client, transfers.slice(0, 10));
    const batch = await client.post('/v1/tx/batch', {
      txs: transfers.slice(10, 28).map((tx) => toWire(tx)),
    });
    assert.equal(batch.status, 200, batch.text);
    const bad = await client.tx(withBadSignature(transfers[28]!));
    assert.equal(obj(bad).code, 'BAD_SIGNATURE');
    const spent = await client.tx(
      op.transfer(l.w.p1, [transfers[0]!.inputs[0]!], [out(l.w.p2, YUAN)]),
    );
    assert.equal(obj(spent).code, 'ALREADY_SPENT');

    const stats = obj(await client.get('/v1/stats'));
    const m = parseExposition((await client.get('/metrics')).text);
    const settled = stats.settled as number;
    const admitted = stats.admitted as number;
    const count = (stage: string) => sampleOf(m, `ecny_stage_seconds_count{stage="${stage}"}`);
    const sum = (key: string) => sampleOf(m, key);
    // Everything here came over HTTP: every admitted transaction was timed from its arrival.
    assert.equal(sum('ecny_settlement_seconds_count{outcome="settled"}'), settled);
    assert.equal(sum('ecny_settlement_seconds_count{outcome="rejected"}'), 2);
    for (const stage of ['admission', 'verify_wait', 'verify', 'respond']) {
      assert.equal(count(stage), admitted, stage);
    }
    // The bad signature never reaches the registry; the double spend does, and waits for the
    // durability of what came before it.
    assert.equal(count('commit'), settled + 1);
    assert.equal(count('durability'), settled + 1);
    assert.equal(sum('ecny_answers_total{code="SETTLED"}'), settled);
    assert.equal(sum('ecny_answers_total{code="BAD_SIGNATURE"}'), 1);
    assert.equal(sum('ecny_http_requests_total{route="/v1/tx/batch",status="200"}'), 1);
    assert.equal(sum('ecny_journal_group_records_sum'), settled);

    // Contiguous stages on one clock: their sum is the end-to-end sum, less only the few
    // microseconds between handing a transaction to the pool and the pool queueing it.
    const stages = STAGES.reduce(
      (s, stage) => s + sum(`ecny_stage_seconds_sum{stage="${stage}"}`),
      0,
    );
    const endToEnd =
      sum('ecny_settlement_seconds_sum{outcome="settled"}') +
      sum('ecny_settlement_seconds_sum{outcome="rejected"}');
    assert.ok(stages <= endToEnd * (1 + 1e-9), `stages ${stages} > end to end ${endToEnd}`);
    assert.ok(stages >= endToEnd * 0.95, `stages ${stages} cover too little of ${endToEnd}`);

    // CPU by thread, as /v1/stats reads it: the main thread and one series per verification
    // worker (Linux /proc; this machine's CI is Linux).
    const threads = stats.threads as { verify: Array<{ tid: number }> } | null;
    if (threads !== null) {
      assert.ok(sum('ecny_thread_cpu_seconds_total{thread="main",mode="user"}') > 0);
      assert.ok(threads.verify.length > 0);
      for (const v of threads.verify)
        sampleOf(m, `ecny_thread_cpu_seconds_total{thread="verify",tid="${v.tid}",mode="user"}`);
    } else assert.notEqual(process.platform, 'linux', '/proc/self/task is read on Linux');

    const lint = promtoolCheck((await client.get('/metrics')).text);
    if (lint === null) assert.ok(!process.env.CI, 'CI installs promtool (.ci/run)');
    else assert.ok(lint.ok, lint.output);
  });

  test('engine events reach diagnostics_channel subscribers', async () => {
    const stats = obj(await client.get('/v1/stats'));
    const settled = events.answers.filter((e) => e.status === 'settled');
    assert.equal(settled.length, stats.settled);
    assert.equal(events.answers.length, stats.admitted);
    for (const e of events.answers) {
      assert.match(e.txid, /^[0-9a-f]{64}$/);
      assert.ok(e.submittedAt <= e.verifiedAt && e.verifiedAt <= e.answeredAt, JSON.stringify(e));
    }
    assert.deepEqual(
      events.answers.filter((e) => e.status === 'rejected').map((e) => e.code),
      ['BAD_SIGNATURE', 'ALREADY_SPENT'],
    );
    assert.equal(
      events.commits.reduce((n, e) => n + e.records, 0),
      stats.settled,
      'journal commits cover every settlement',
    );
    // One signature per admitted transaction, and one key check per open or enroll.
    const keyChecks = events.batches.reduce((n, e) => n + e.keyChecks, 0);
    assert.equal(keyChecks, (stats.pool as { keyChecks: number }).keyChecks);
    assert.ok(keyChecks > 0, 'the ledger was set up with opens');
    assert.equal(events.batches.reduce((n, e) => n + e.items, 0) - keyChecks, stats.admitted);
    const batch = events.requests.filter((e) => e.route === '/v1/tx/batch');
    assert.deepEqual(
      batch.map((e) => [e.status, e.transactions]),
      [[200, 18]],
    );
    assert.ok(events.requests.some((e) => e.route === '/metrics' && e.status === 200));
  });
});
