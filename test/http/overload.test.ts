/**
 * Admission control over HTTP: with tiny queues (maxInflight, maxQueue), a burst gets 503
 * OVERLOADED + Retry-After for the excess; every other answer is right, and nothing is lost:
 * the refused transactions were not admitted and settle when sent again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tx } from '../../engine/domain/index.js';
import { genesis, YUAN } from '../fixtures/ledger.js';
import {
  Client,
  engineState,
  obj,
  settleAll,
  spendEach,
  splitCoins,
  startServer,
} from './helpers.js';

const BURST = 300;

test('a burst past maxInflight/maxQueue gets 503 OVERLOADED with Retry-After; nothing is lost', async () => {
  const server = await startServer({
    engine: { threads: 1, maxInflight: 8, maxQueue: 4, maxBatch: 2 },
    http: { retryAfterS: 2 },
  });
  const burstClient = new Client(server.url, BURST);
  try {
    const l = genesis();
    await settleAll(server.client, l.genesis);
    const coins = await splitCoins(server.client, l, l.w.p1, BURST, YUAN);
    const txs = spendEach(l.w.p1, coins, l.w.m1, YUAN);
    const before = await engineState(server.client);

    const replies = await Promise.all(txs.map((tx) => burstClient.tx(tx)));
    const refused: Tx[] = [];
    let settled = 0;
    replies.forEach((reply, i) => {
      const tx = txs[i]!;
      if (reply.status === 503) {
        assert.equal(obj(reply).code, 'OVERLOADED', reply.text);
        assert.equal(reply.headers['retry-after'], '2');
        refused.push(tx);
      } else {
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, { status: 'settled', txid: tx.txidHex });
        settled++;
      }
    });
    console.log(`# burst of ${BURST}: ${settled} settled, ${refused.length} refused with 503`);
    assert.ok(refused.length > 0, 'the burst never filled the queues');
    assert.ok(settled > 0);
    const mid = await engineState(server.client);
    assert.equal(mid.settled, before.settled + settled, 'a 503 was admitted after all');
    const stats = obj(await server.client.get('/v1/stats'));
    assert.ok((stats.maxInflight as number) <= 8, 'maxInflight exceeded');
    assert.equal(stats.overloaded, refused.length);
    // Nothing lost: every refused transaction was left untouched and settles now.
    for (const tx of refused) {
      const reply = await server.client.tx(tx);
      assert.deepEqual(reply.body, { status: 'settled', txid: tx.txidHex });
    }
    const end = await engineState(server.client);
    assert.equal(end.settled, before.settled + BURST);
    assert.equal(end.journalRecords, before.journalRecords + BURST);
  } finally {
    await burstClient.close();
    await server.close();
  }
});
