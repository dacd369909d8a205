/**
 * The settlement pipeline with its real stages: the verification pool (worker threads) and the
 * journal (a file in a scratch directory). Issue "Settlement engine core".
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeTx, type Tx } from '../../engine/domain/index.js';
import type { Outcome } from '../../engine/pipeline/index.js';
import {
  defaultEngineConfig,
  type EngineConfig,
  type EngineFaults,
  type EngineService,
  memoryStoreOf,
  openEngineService,
} from '../../engine/service/index.js';
import { cast, coinOf, DAY, genesis, type Ledger, op, out, YUAN } from '../fixtures/ledger.js';
import { scratchDir } from '../http/helpers.js';
import { journalTxs, replayLedger } from './helpers.js';

function config(journalPath: string, faults?: EngineFaults): EngineConfig {
  return {
    ...defaultEngineConfig(),
    centralBankKey: cast().cb.publicKey,
    today: DAY,
    journalPath,
    threads: 2,
    maxBatch: 32,
    ...(faults ? { faults } : {}),
  };
}

async function settleGenesis(service: EngineService, l: Ledger): Promise<void> {
  for (const tx of l.genesis) {
    assert.deepEqual(await service.engine.submit(tx), { status: 'settled', txid: tx.txidHex });
  }
}

/**
 * `count` independent one-yuan transfers out of wallet p1: splits first (at most 31 coins each,
 * within the 32-output limit), then one spend per coin. Splits are applied to the mirror `l`.
 */
function splitAndSpend(l: Ledger, count: number): { splits: Tx[]; spends: Tx[] } {
  const from = l.w.p1;
  const splits: Tx[] = [];
  const spends: Tx[] = [];
  for (let left = count; left > 0; ) {
    const n = Math.min(31, left);
    left -= n;
    const { inputs, change } = l.pick(from, n * YUAN);
    const outputs = Array.from({ length: n }, () => out(from, YUAN));
    if (change > 0) outputs.push(out(from, change));
    const split = l.settle(op.transfer(from, inputs, outputs));
    splits.push(split);
    for (let i = 0; i < n; i++)
      spends.push(op.transfer(from, [coinOf(split, i)], [out(l.w.m1, YUAN)]));
  }
  return { splits, spends };
}

async function settleSplits(service: EngineService, splits: readonly Tx[]): Promise<void> {
  for (const tx of splits) assert.equal((await service.engine.submit(tx)).status, 'settled');
}

describe('settlement pipeline (real pool + journal)', () => {
  test('a flipped signature byte is BAD_SIGNATURE and changes nothing', async () => {
    const path = join(await scratchDir(), 'j.ecj');
    const service = await openEngineService(config(path));
    try {
      const l = genesis();
      await settleGenesis(service, l);
      const good = l.pay('transfer', l.w.p2, l.w.m1, 10 * YUAN);
      for (const at of [0, 31, 32, 63]) {
        const sig = Buffer.from(good.signature);
        sig[at]! ^= 0x01;
        const bad = makeTx(good, sig);
        assert.equal(bad.txidHex, good.txidHex, 'same body, same id');
        const outcome = await service.engine.submit(bad);
        assert.equal(outcome.status, 'rejected');
        assert.equal(outcome.status === 'rejected' && outcome.rejection.code, 'BAD_SIGNATURE');
      }
      assert.equal(memoryStoreOf(service).registry.settledCount, l.genesis.length);
      assert.equal(memoryStoreOf(service).registry.isSettled(good.txidHex), false);
      // The good one still settles afterwards: nothing of the bad ones stuck.
      assert.equal((await service.engine.submit(good)).status, 'settled');
      assert.equal(service.stats().rejectedByCode['BAD_SIGNATURE'], 4);
    } finally {
      await service.close();
    }
  });

  test('two spends of one coin back to back: the first settles, the second is ALREADY_SPENT', async () => {
    const path = join(await scratchDir(), 'j.ecj');
    const service = await openEngineService(config(path));
    try {
      const l = genesis();
      await settleGenesis(service, l);
      // A 1,000-yuan coin passed back and forth keeps 20 rounds inside the daily limits (change
      // back to oneself counts against no limit).
      const value = 1_000 * YUAN;
      const [whole] = l.registry.coinsOf(l.w.m1.publicKey);
      const split = op.transfer(
        l.w.m1,
        [whole!.id],
        [out(l.w.m1, value), out(l.w.m1, whole!.value - value)],
      );
      assert.equal((await service.engine.submit(split)).status, 'settled');
      l.settle(split);
      let coin = coinOf(split, 0);
      for (let round = 0; round < 20; round++) {
        const first = op.transfer(l.w.m1, [coin], [out(l.w.p1, value)]);
        const second = op.transfer(l.w.m1, [coin], [out(l.w.m2, value)]);
        // Submitted in the same tick: both are in the pool before either verdict comes back.
        const [a, b] = await Promise.all([
          service.engine.submit(first),
          service.engine.submit(second),
        ]);
        assert.deepEqual(a, { status: 'settled', txid: first.txidHex });
        assert.equal(b.status, 'rejected');
        if (b.status === 'rejected') {
          assert.equal(b.rejection.code, 'ALREADY_SPENT');
          assert.equal(b.rejection.index, 0);
          assert.equal(b.txid, second.txidHex);
        }
        l.settle(first);
        // Send it back so the next round has a coin of m1 again.
        const back = op.transfer(l.w.p1, [coinOf(first, 0)], [out(l.w.m1, value)]);
        assert.equal((await service.engine.submit(back)).status, 'settled');
        l.settle(back);
        coin = coinOf(back, 0);
      }
      assert.equal(memoryStoreOf(service).registry.reconcile().ok, true);
    } finally {
      await service.close();
    }
  });

  test('a settled answer means the record is already in the journal file', async () => {
    const path = join(await scratchDir(), 'j.ecj');
    const service = await openEngineService(config(path));
    try {
      const l = genesis();
      await settleGenesis(service, l);
      const { splits, spends } = splitAndSpend(l, 120);
      await settleSplits(service, splits);
      let checked = 0;
      await Promise.all(
        spends.map((tx) =>
          service.engine.submit(tx).then((outcome) => {
            assert.deepEqual(outcome, { status: 'settled', txid: tx.txidHex });
            // Read the file at the moment of the answer, before anything else can run.
            const inFile = journalTxs(path).some((t) => t.txidHex === tx.txidHex);
            assert.ok(inFile, `settled ${tx.txidHex} is not in the journal yet`);
            checked++;
          }),
        ),
      );
      assert.equal(checked, spends.length);
      const stats = service.stats();
      assert.ok(
        stats.journal && stats.journal.fsyncs < stats.journal.records,
        'group commit shared fsyncs',
      );
    } finally {
      await service.close();
    }
    const replayed = replayLedger(path, genesis().cb.publicKey);
    assert.equal(replayed.txids.length, genesis().genesis.length + 4 + 120);
  });

  // ~60 transfer records' worth of bytes (framing + body + signature), or 28 good fsyncs (27 sequential ones come first, then the burst).
  const faultCases: Array<{ name: string; error: RegExp; faults: EngineFaults }> = [
    {
      name: 'ENOSPC on write',
      error: /ENOSPC/,
      faults: { journal: { failWriteAfterBytes: 60 * 190 } },
    },
    { name: 'EIO on fsync', error: /EIO/, faults: { journal: { failSyncAfter: 28 } } },
  ];
  for (const fault of faultCases) {
    test(`fail-closed on ${fault.name}: nothing undurable is settled; a restart recovers exactly the acknowledged`, async () => {
      const path = join(await scratchDir(), 'j.ecj');
      const l = genesis();
      // A clean start writes the genesis; the faulty engine then opens the same file.
      const clean = await openEngineService(config(path));
      await settleGenesis(clean, l);
      await clean.close();

      const { splits, spends } = splitAndSpend(l, 200);
      const journalBefore = journalTxs(path).length;
      const service = await openEngineService(config(path, fault.faults));
      const acked = new Set<string>();
      const answers: Outcome[] = [];
      await settleSplits(service, splits);
      for (const tx of splits) acked.add(tx.txidHex);
      // Sequential first, so some groups certainly succeed, then a concurrent burst.
      for (const tx of spends.slice(0, 20)) {
        const o = await service.engine.submit(tx);
        answers.push(o);
        if (o.status === 'settled') acked.add(tx.txidHex);
      }
      await Promise.all(
        spends.slice(20).map((tx) =>
          service.engine.submit(tx).then((o) => {
            answers.push(o);
            if (o.status === 'settled') {
              acked.add(tx.txidHex);
              assert.ok(
                journalTxs(path).some((t) => t.txidHex === tx.txidHex),
                'a settled answer with its record missing from the file',
              );
            }
          }),
        ),
      );
      const failure = service.engine.failure;
      assert.ok(failure, 'the engine must have failed closed');
      assert.match(failure.message, fault.error);
      const unavailable = answers.filter((a) => a.status === 'unavailable');
      assert.ok(unavailable.length > 0, 'some transactions were refused');
      assert.equal(
        answers.filter((a) => a.status === 'rejected' || a.status === 'overloaded').length,
        0,
        'only settled or unavailable answers',
      );
      // Once failed, nothing more is acknowledged.
      const later = l.pay('transfer', l.w.p2, l.w.m1, YUAN);
      const after = await service.engine.submit(later);
      assert.equal(after.status, 'unavailable');
      assert.equal(service.stats().failure, failure.message);
      await assert.rejects(service.close(), /failed/);

      // A fresh service on the same file holds exactly what was acknowledged.
      const reopened = await openEngineService(config(path));
      try {
        const registry = memoryStoreOf(reopened).registry;
        assert.equal(reopened.recovery.records, journalBefore + acked.size);
        for (const tx of [...splits, ...spends])
          assert.equal(registry.isSettled(tx.txidHex), acked.has(tx.txidHex), tx.txidHex);
        assert.equal(registry.isSettled(later.txidHex), false);
        assert.equal(registry.reconcile().ok, true);
        assert.equal(reopened.engine.failure, null);
        // And the recovered engine works: an unacknowledged spend can be sent again.
        const retry = spends.find((tx) => !acked.has(tx.txidHex))!;
        assert.equal((await reopened.engine.submit(retry)).status, 'settled');
      } finally {
        await reopened.close();
      }
    });
  }
});
