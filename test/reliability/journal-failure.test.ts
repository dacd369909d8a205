/**
 * Disk full under load (injected with the test-only serve flag --fault-journal-fail-after-bytes):
 * the engine fails closed. It stops acknowledging, /healthz says why (503 + reason), no view
 * shows state the journal does not hold, a stop exits 1, and a restart recovers exactly the
 * acknowledged transactions.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { coinIdOf, type Tx, toWire } from '../../engine/domain/index.js';
import { journalTxs } from '../engine/helpers.js';
import { genesis, YUAN } from '../fixtures/ledger.js';
import {
  Client,
  obj,
  scratchDir,
  settleAll,
  spendEach,
  splitCoins,
  startEngine,
} from '../http/helpers.js';
import { recordFigures } from './figures.js';

const TRANSFERS = 300;
/** Room for about 60 transfer records (8 framing + 127 body + 64 signature bytes each). */
const FAIL_AFTER_BYTES = 60 * 199;

test('disk full: the engine fails closed, says why, and acknowledges nothing unjournaled', async () => {
  const dir = await scratchDir('ecny-diskfull-');
  const journalPath = join(dir, 'journal.ecj');
  const l = genesis();
  let txs: Tx[] = [];
  // A healthy engine writes the genesis and the coins to spend.
  const healthy = await startEngine({ journalPath, args: ['--threads', '1'] });
  const setupClient = new Client(healthy.url);
  try {
    await settleAll(setupClient, l.genesis);
    const coins = await splitCoins(setupClient, l, l.w.p1, TRANSFERS, YUAN);
    txs = spendEach(l.w.p1, coins, l.w.m1, YUAN);
  } finally {
    await setupClient.close();
    assert.equal(await healthy.stop(), 0);
  }
  const before = journalTxs(journalPath).length;

  const faulty = await startEngine({
    journalPath,
    args: ['--threads', '1', '--fault-journal-fail-after-bytes', String(FAIL_AFTER_BYTES)],
  });
  const exited = once(faulty.child, 'exit');
  const client = new Client(faulty.url, 48);
  const acked = new Set<string>();
  const refused = new Set<string>();
  try {
    // The first ones one at a time (one record per group: these fit), then concurrent singles
    // and batches of 10 until every transfer has an answer.
    const SEQUENTIAL = 30;
    for (const tx of txs.slice(0, SEQUENTIAL)) {
      const r = await client.tx(tx);
      if (r.status === 200) acked.add(tx.txidHex);
      else {
        assert.equal(obj(r).code, 'UNAVAILABLE', r.text);
        refused.add(tx.txidHex);
      }
    }
    const work: Array<Promise<void>> = [];
    for (let i = SEQUENTIAL; i < txs.length; ) {
      const slice = i % 50 === 0 ? txs.slice(i, i + 10) : [txs[i]!];
      i += slice.length;
      const answer =
        slice.length === 1
          ? client.tx(slice[0]!).then((r) => {
              if (r.status === 503) assert.ok(r.headers['retry-after']);
              return [obj(r)];
            })
          : client.post('/v1/tx/batch', { txs: slice.map(toWire) }).then((r) => {
              // Refused whole once failed closed (decided before the body is read).
              if (r.status === 503) {
                assert.ok(r.headers['retry-after']);
                return slice.map(() => obj(r));
              }
              return obj(r).results as Array<Record<string, unknown>>;
            });
      work.push(
        answer.then((results) => {
          slice.forEach((tx, j) => {
            const r = results[j]!;
            if (r.status === 'settled') acked.add(tx.txidHex);
            else {
              assert.equal(r.code, 'UNAVAILABLE', JSON.stringify(r));
              refused.add(tx.txidHex);
            }
          });
        }),
      );
    }
    await Promise.all(work);
    assert.equal(acked.size + refused.size, TRANSFERS);
    assert.ok(acked.size > 0, 'nothing settled before the disk filled');
    assert.ok(refused.size > 0, 'the disk never filled');
    console.log(`# disk full: ${acked.size} acknowledged, ${refused.size} refused UNAVAILABLE`);

    // It says why, everywhere an operator looks.
    const health = await client.get('/healthz');
    assert.equal(health.status, 503);
    assert.equal(obj(health).code, 'UNAVAILABLE');
    assert.match(String(obj(health).message), /ENOSPC|no space/);
    assert.ok(health.headers['retry-after']);
    const stats = obj(await client.get('/v1/stats'));
    assert.match(String(stats.failure), /ENOSPC/);
    assert.equal(stats.settled, acked.size);
    assert.match((await client.get('/metrics')).text, /^ecny_up 0$/m);
    // Nothing more is acknowledged, and no view shows state the journal lacks.
    const retry = await client.tx(txs.find((t) => refused.has(t.txidHex))!);
    assert.equal(retry.status, 503);
    assert.equal(obj(retry).code, 'UNAVAILABLE');
    for (const tx of txs.filter((t) => refused.has(t.txidHex)).slice(0, 20)) {
      const coin = await client.get(`/v1/coins/${coinIdOf(tx.txid, 0)}`);
      assert.notEqual(coin.status, 200, `a view shows unjournaled ${tx.txidHex}: ${coin.text}`);
    }
    for (const path of ['/v1/reconcile', `/v1/wallets/${l.w.m1.publicKey}`]) {
      const view = await client.get(path);
      assert.equal(view.status, 503, `${path}: ${view.text}`);
      assert.equal(obj(view).code, 'UNAVAILABLE');
    }
    // Every acknowledged transfer is in the file right now.
    const journal = new Set(journalTxs(journalPath).map((t) => t.txidHex));
    for (const txid of acked) assert.ok(journal.has(txid), `acknowledged ${txid} not journaled`);
    for (const txid of refused) assert.ok(!journal.has(txid), `refused ${txid} journaled`);
  } finally {
    await client.close();
    faulty.child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 1, 'a fail-closed engine exits 1 when stopped');

  // Restarted on a healthy disk: exactly the acknowledged transfers are there.
  const restarted = await startEngine({ journalPath, args: ['--threads', '1'] });
  const again = new Client(restarted.url);
  try {
    const recovered = obj(await again.get('/healthz')).recovered as { records: number };
    assert.equal(recovered.records, before + acked.size);
    assert.equal(obj(await again.get('/v1/reconcile')).ok, true);
    for (const tx of txs) {
      const coin = await again.get(`/v1/coins/${coinIdOf(tx.txid, 0)}`);
      assert.equal(coin.status, acked.has(tx.txidHex) ? 200 : 404, tx.txidHex);
    }
    // The refused ones were never applied: they settle now.
    const one = txs.find((t) => refused.has(t.txidHex))!;
    assert.deepEqual((await again.tx(one)).body, { status: 'settled', txid: one.txidHex });
  } finally {
    await again.close();
    assert.equal(await restarted.stop(), 0);
  }
  await recordFigures('journal-failure', {
    injected: `ENOSPC after ${FAIL_AFTER_BYTES} record bytes`,
    transfersSent: TRANSFERS,
    acknowledged: acked.size,
    refusedUnavailable: refused.size,
    recoveredExactly: acked.size,
    unjournaledAcknowledged: 0,
  });
});
