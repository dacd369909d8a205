/**
 * Admission by time, decided before a request is read: the pool estimates how long a new item
 * would wait, the engine's `screen()` refuses while that passes `maxQueueDelayMs`, and the HTTP
 * ingress answers 503 OVERLOADED before reading the body (so a refused body is never parsed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignatureStage } from '../../engine/pipeline/index.js';
import { SettlementEngine } from '../../engine/pipeline/index.js';
import { type DurableLog, MemoryStore, Registry } from '../../engine/registry/index.js';
import { VerifyPool } from '../../engine/verify-pool/index.js';
import { cast, genesis, YUAN } from '../fixtures/ledger.js';
import { Client, obj, settleAll, spendEach, splitCoins, startServer } from '../http/helpers.js';
import { makeItems } from '../verify-pool/fixtures.js';

/** A verifier whose queue delay the test sets; verdicts are never delivered (not needed here). */
function stage(delay: { ms: number }): SignatureStage {
  return {
    submit: () => true,
    queueDelayMs: () => delay.ms,
    close: () => Promise.resolve(),
  };
}

const log: DurableLog = {
  appendParts: () => Promise.resolve(),
  pendingBytes: 0,
  maxPendingBytes: 1 << 20,
  failure: null,
  close: () => Promise.resolve(),
};

test('screen() refuses while the queue holds more than maxQueueDelayMs of work', () => {
  const delay = { ms: 0 };
  const registry = new Registry({
    centralBankKey: cast().cb.publicKey,
    acceptKey: () => true,
  });
  const engine = new SettlementEngine(new MemoryStore(registry, log), stage(delay), 1000, 100);
  assert.equal(engine.screen(), null);
  delay.ms = 100;
  assert.equal(engine.screen(), null, 'at the bound: admitted');
  delay.ms = 100.5;
  const refusal = engine.screen();
  assert.equal(refusal?.status, 'overloaded');
  assert.equal(engine.counters.overloaded, 1);
  assert.equal(engine.counters.shedEarly, 1);
  delay.ms = 3;
  assert.equal(engine.screen(), null, 'admits again once the queue drains');
});

test('the pool estimates the wait from the work it holds and the oldest waiting item', async () => {
  // ~1-2 ms of hashing per item on one thread: a few hundred items are seconds of work.
  const pool = new VerifyPool({
    backend: 'native',
    threads: 1,
    maxBatch: 8,
    extraWorkPerItem: 1000,
  });
  try {
    assert.equal(pool.queueDelayMs(), 0);
    const items = makeItems(200);
    const verdicts = items.map((it) => pool.verify(it.key, it.message, it.signature)!);
    // Before any batch came back the estimate is the oldest item's age: it grows.
    const early = pool.queueDelayMs();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(pool.queueDelayMs() > early, 'the oldest waiting item aged');
    await verdicts[20]; // a few batches done: the per-item time is known
    const held = pool.stats().held;
    const estimate = pool.queueDelayMs();
    const perItem = estimate / held;
    console.log(`# ${held} held, estimated wait ${estimate.toFixed(1)} ms`);
    assert.ok(perItem > 0.1, `per-item estimate ${perItem} ms`);
    await Promise.all(verdicts);
    assert.equal(pool.queueDelayMs(), 0, 'an empty pool has no wait');
  } finally {
    await pool.close();
  }
});

test('over HTTP a refused request is answered 503 before its body is read or parsed', async () => {
  const server = await startServer({
    // Slow verification on one thread (~10 ms per item) and a 1 ms admission bound.
    engine: { threads: 1, maxBatch: 4, extraWorkPerItem: 5000, maxQueueDelayMs: 1 },
    http: { retryAfterS: 3 },
  });
  const burst = new Client(server.url, 64);
  try {
    const l = genesis();
    await settleAll(server.client, l.genesis);
    const coins = await splitCoins(server.client, l, l.w.p1, 64, YUAN);
    const txs = spendEach(l.w.p1, coins, l.w.m1, YUAN);
    const pending = txs.map((tx) => burst.tx(tx));
    // While the burst waits: a body that is not JSON at all gets 503, not 400 MALFORMED.
    for (let i = 0; i < 1000 && server.service.stats().queueDelayMs < 20; i++)
      await new Promise((resolve) => setTimeout(resolve, 2));
    const junk = await server.client.post('/v1/tx', '{{{ not json');
    const replies = await Promise.all(pending);
    assert.equal(junk.status, 503, junk.text);
    assert.equal(obj(junk).code, 'OVERLOADED');
    assert.equal(junk.headers['retry-after'], '3');
    let refused = 0;
    replies.forEach((reply, i) => {
      if (reply.status === 503) {
        refused++;
        assert.equal(obj(reply).code, 'OVERLOADED');
        assert.equal(reply.headers['retry-after'], '3');
      } else {
        assert.deepEqual(reply.body, { status: 'settled', txid: txs[i]!.txidHex });
      }
    });
    assert.ok(refused > 0, 'the burst never passed the admission bound');
    const stats = obj(await server.client.get('/v1/stats'));
    assert.equal(stats.shedEarly, stats.overloaded, 'a refusal came after decoding');
    assert.equal(stats.shedEarly, refused + 1);
    assert.equal((stats.rejectedByCode as Record<string, number>).MALFORMED, undefined);
  } finally {
    await burst.close();
    await server.close();
  }
});
