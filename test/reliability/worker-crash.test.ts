/**
 * Verification workers that crash mid-batch (crashAfterBatches: every worker thread exits at the
 * start of its Nth batch): the pool re-runs the batch on a replacement, so no transaction is
 * lost or applied twice, every answer is the right one, and the books reconcile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTx, type Tx, toWire } from '../../engine/domain/index.js';
import { memoryStoreOf, openEngineService } from '../../engine/service/index.js';
import { journalTxs } from '../engine/helpers.js';
import { genesis, op, out, YUAN } from '../fixtures/ledger.js';
import { Client, obj, settleAll, spendEach, splitCoins, startServer } from '../http/helpers.js';
import { recordFigures } from './figures.js';

const TRANSFERS = 360;

test('a crashing verification worker loses nothing and applies nothing twice', async () => {
  const server = await startServer({
    engine: { threads: 2, maxBatch: 8, faults: { crashAfterBatches: 4 } },
  });
  const burst = new Client(server.url, 64);
  try {
    const l = genesis();
    await settleAll(server.client, l.genesis);
    const coins = await splitCoins(server.client, l, l.w.p1, TRANSFERS, YUAN);
    const good = spendEach(l.w.p1, coins, l.w.m1, YUAN);
    // Mixed in: every 9th transfer also goes out with a broken signature, every 10th has a
    // double spend racing it (only one of the pair may settle).
    type Expect = 'settled' | 'BAD_SIGNATURE' | 'race';
    const sends: Array<{ tx: Tx; expect: Expect }> = [];
    good.forEach((tx, i) => {
      if (i % 9 === 0) {
        const sig = Buffer.from(tx.signature);
        sig[10]! ^= 4;
        sends.push({ tx: makeTx(tx, sig), expect: 'BAD_SIGNATURE' });
      }
      if (i % 10 === 0) {
        sends.push({ tx, expect: 'race' });
        sends.push({ tx: op.transfer(l.w.p1, tx.inputs, [out(l.w.m2, YUAN)]), expect: 'race' });
      } else {
        sends.push({ tx, expect: 'settled' });
      }
    });
    // Singles and batches of 12, all concurrent.
    const answers: Array<Promise<Array<Record<string, unknown>>>> = [];
    for (let i = 0; i < sends.length; ) {
      if (i % 5 === 0) {
        const slice = sends.slice(i, i + 12);
        answers.push(
          burst
            .post('/v1/tx/batch', { txs: slice.map((s) => toWire(s.tx)) })
            .then((r) => obj(r).results as Array<Record<string, unknown>>),
        );
        i += slice.length;
      } else {
        answers.push(burst.tx(sends[i]!.tx).then((r) => [obj(r)]));
        i++;
      }
    }
    const results = (await Promise.all(answers)).flat();
    assert.equal(results.length, sends.length);
    const settledTxids = new Set<string>();
    const raceWinners = new Map<string, number>();
    results.forEach((r, i) => {
      const { tx, expect } = sends[i]!;
      if (expect === 'settled') {
        assert.deepEqual(r, { status: 'settled', txid: tx.txidHex });
      } else if (expect === 'BAD_SIGNATURE') {
        assert.equal(r.code, 'BAD_SIGNATURE', JSON.stringify(r));
      } else {
        const input = tx.inputs[0]!;
        if (r.status === 'settled') raceWinners.set(input, (raceWinners.get(input) ?? 0) + 1);
        else assert.equal(r.code, 'ALREADY_SPENT', JSON.stringify(r));
      }
      if (r.status === 'settled') settledTxids.add(tx.txidHex);
    });
    for (const tx of good.filter((_, i) => i % 10 === 0))
      assert.equal(raceWinners.get(tx.inputs[0]!), 1, 'exactly one of a double spend settles');

    const stats = obj(await server.client.get('/v1/stats'));
    const pool = stats.pool as { crashes: number; retries: number; failed: number };
    console.log(`# pool: ${pool.crashes} worker crashes, ${pool.retries} batch re-runs`);
    assert.ok(pool.crashes > 0, 'no worker crashed');
    assert.ok(pool.retries > 0, 'no batch was re-run');
    assert.equal(pool.failed, 0, 'a batch ran out of retries');
    assert.equal(obj(await server.client.get('/v1/reconcile')).ok, true);
    await burst.close();
    await server.close();

    // The journal holds each settled transaction exactly once, and nothing else of the burst.
    const journal = journalTxs(server.journalPath).map((t) => t.txidHex);
    assert.equal(new Set(journal).size, journal.length, 'a transaction journaled twice');
    const sent = new Set(sends.map((s) => s.tx.txidHex));
    const burstInJournal = journal.filter((t) => sent.has(t));
    assert.deepEqual(new Set(burstInJournal), settledTxids);
    const reopened = await openEngineService({
      ...server.service.config,
      faults: {},
    });
    try {
      assert.equal(memoryStoreOf(reopened).registry.reconcile().ok, true);
      assert.equal(reopened.recovery.records, journal.length);
    } finally {
      await reopened.close();
    }
    await recordFigures('worker-crash', {
      transactions: sends.length,
      settled: settledTxids.size,
      workerCrashes: pool.crashes,
      batchReruns: pool.retries,
      lost: 0,
      appliedTwice: 0,
    });
  } finally {
    await burst.close();
    await server.close();
  }
});
