/**
 * Graceful shutdown: SIGTERM while hundreds of requests are inside the engine (verification is
 * slowed with --extra-work) answers every one of them, exits 0, and a restart replays them all.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coinIdOf, type Tx, toWire } from '../../engine/domain/index.js';
import { genesis, YUAN } from '../fixtures/ledger.js';
import {
  Client,
  obj,
  type Reply,
  scratchDir,
  settleAll,
  spendEach,
  splitCoins,
  startEngine,
} from './helpers.js';

const SINGLES = 200;
const BATCHES = 2;
const PER_BATCH = 20;
const TOTAL = SINGLES + BATCHES * PER_BATCH;

test('SIGTERM drains in-flight requests, all answered, and the journal replays them', async () => {
  const dir = await scratchDir('ecny-shutdown-');
  const journalPath = join(dir, 'journal.ecj');
  // ~2.4 ms of extra hashing per signature on one worker: the burst takes a while to verify.
  const args = ['--threads', '1', '--extra-work', '1000'];
  const first = await startEngine({ journalPath, args });
  let stdout = '';
  first.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = once(first.child, 'exit');
  const client = new Client(first.url, SINGLES + BATCHES + 4);
  const l = genesis();
  let setup = 0;
  let txs: Tx[] = [];
  try {
    await settleAll(client, l.genesis);
    const coins = await splitCoins(client, l, l.w.p1, TOTAL, YUAN);
    setup = l.genesis.length + Math.ceil(TOTAL / 31);
    txs = spendEach(l.w.p1, coins, l.w.m1, YUAN);
    const base = obj(await client.get('/v1/stats')).admitted as number;

    const pending: Array<Promise<Reply[]>> = [];
    for (let i = 0; i < SINGLES; i++) pending.push(client.tx(txs[i]!).then((r) => [r]));
    for (let b = 0; b < BATCHES; b++) {
      const slice = txs.slice(SINGLES + b * PER_BATCH, SINGLES + (b + 1) * PER_BATCH);
      pending.push(
        client.post('/v1/tx/batch', { txs: slice.map(toWire) }).then((r) => {
          assert.equal(r.status, 200, r.text);
          return (obj(r).results as unknown[]).map((body) => ({ ...r, body }));
        }),
      );
    }
    // Wait until every request is inside the engine, then stop it while they are in flight.
    let stats = obj(await client.get('/v1/stats'));
    for (let i = 0; (stats.admitted as number) < base + TOTAL; i++) {
      assert.ok(i < 3000, `only ${(stats.admitted as number) - base} of ${TOTAL} admitted`);
      await sleep(10);
      stats = obj(await client.get('/v1/stats'));
    }
    assert.ok((stats.inflight as number) > 0, 'nothing left in flight to drain');
    console.log(`# SIGTERM with ${stats.inflight} of ${TOTAL} transactions in flight`);
    first.child.kill('SIGTERM');

    const answers = (await Promise.all(pending)).flat();
    assert.equal(answers.length, TOTAL);
    answers.forEach((reply, i) => {
      assert.deepEqual(reply.body, { status: 'settled', txid: txs[i]!.txidHex }, reply.text);
    });
    const [code] = await exited;
    assert.equal(code, 0, 'a graceful stop exits 0');
    const stopped = stdout
      .split('\n')
      .filter((line) => line.includes('"stopped"'))
      .map((line) => JSON.parse(line) as { settled: number; clean: boolean });
    assert.deepEqual(stopped, [{ event: 'stopped', settled: setup + TOTAL, clean: true }]);
  } finally {
    await client.destroy();
    await first.stop();
  }

  const second = await startEngine({ journalPath, args: ['--threads', '1'] });
  const again = new Client(second.url);
  try {
    const health = obj(await again.get('/healthz'));
    assert.equal((health.recovered as { records: number }).records, setup + TOTAL);
    const books = await again.get('/v1/reconcile');
    assert.equal(obj(books).ok, true);
    const stats = obj(await again.get('/v1/stats'));
    const lifecycle = stats.lifecycle as { byType: { transfer: number } };
    assert.equal(lifecycle.byType.transfer, Math.ceil(TOTAL / 31) + TOTAL);
    for (const tx of txs) {
      const coin = await again.get(`/v1/coins/${coinIdOf(tx.txid, 0)}`);
      assert.equal(coin.status, 200, `drained ${tx.txidHex} missing after restart`);
    }
  } finally {
    await again.close();
    assert.equal(await second.stop(), 0);
  }
});
