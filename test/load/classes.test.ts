/** Latency and throughput per operation type and per channel, counted by every generator. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLoad } from '../../load/index.js';
import { ClassAccumulator, classesOf } from '../../result-format/index.js';
import { answer, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('per operation type and channel', () => {
  it('counts every answer under its type and its channel, across generator processes', async () => {
    const stub = await startStub((tx, res) => answer(res, tx.want));
    try {
      const workload = syntheticWorkload({
        ops: 300,
        rate: 600,
        type: (i) => (i % 3 === 0 ? 'claim' : 'transfer'),
        channel: (i) => (i % 3 === 0 ? '' : i % 3 === 1 ? 'scan' : 'tap'),
        expected: (i) => (i % 30 === 1 ? 'ALREADY_SPENT' : 'SETTLED'),
      });
      const run = await runLoad(workload, {
        target: stub.url,
        statsIntervalMs: 0,
        processes: 2,
        connections: 4,
      });
      const m = run.measured;
      assert.equal(m.outcome.passed, true);
      const { claim, transfer } = m.byType!;
      assert.equal(claim!.planned, 100);
      assert.equal(claim!.settled, 100);
      assert.equal(transfer!.planned, 200);
      assert.equal(transfer!.settled, 190);
      assert.equal(transfer!.rejected, 10);
      assert.deepEqual(Object.keys(m.byChannel!).sort(), ['scan', 'tap']);
      assert.equal(m.byChannel!.scan!.answered, 100);
      assert.equal(m.byChannel!.scan!.rejected, 10);
      assert.equal(m.byChannel!.tap!.answered, 100);
      // Per second answers add up, latency has one sample per answer.
      for (const c of [claim!, transfer!]) {
        assert.equal(
          c.perSecond.reduce((a, b) => a + b, 0),
          c.answered,
        );
        assert.equal(c.latency.count, c.answered);
      }
      assert.equal(claim!.settledPerSecond, 100 / m.durationS);
      // Types together are the run.
      assert.equal(claim!.answered + transfer!.answered, m.totals.settled + m.totals.rejected);
    } finally {
      await stub.close();
    }
  });

  it('merges shard results exactly: two halves give the whole', () => {
    const half = (n: number, p99: number) => {
      const acc = new ClassAccumulator();
      acc.add(
        classesOf({
          byType: {
            transfer: {
              planned: n,
              answered: n,
              settled: n,
              rejected: 0,
              errors: 0,
              dropped: 0,
              settledPerSecond: 0,
              peakPerSecond: n,
              latency: {
                count: 0,
                min: 0,
                mean: 0,
                p50: 0,
                p90: 0,
                p99,
                p999: 0,
                p9999: 0,
                max: 0,
              },
              perSecond: [n],
              histogram: '',
            },
          },
        }),
      );
      return acc.summarize(1);
    };
    const acc = new ClassAccumulator();
    acc.add(classesOf(half(3, 1)));
    acc.add(classesOf(half(4, 2)));
    const { byType } = acc.summarize(2);
    assert.equal(byType.transfer!.answered, 7);
    assert.deepEqual(byType.transfer!.perSecond, [7]);
    assert.equal(byType.transfer!.settledPerSecond, 3.5);
  });
});
