import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoad } from '../../load/index.js';
import { answer, type Stub, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('pacing', () => {
  let stub: Stub;
  /** Epoch ms at which each op id reached the stub. */
  const arrivedAt = new Map<number, number>();
  before(async () => {
    stub = await startStub((tx, res) => {
      arrivedAt.set(Number(tx.id), Date.now());
      answer(res, tx.want);
    });
  });
  after(() => stub.close());

  it('sends no op before its intended time, however sends are grouped onto timer ticks', async () => {
    // 500/s: answers come back between timer ticks, which is when the generator decides to send
    // now or wait for the tick; slow enough for the generator (and the stub, which dates the
    // arrivals) to keep time, so that an early send would show.
    const workload = syntheticWorkload({ ops: 500, rate: 500 });
    const run = await runLoad(workload, {
      target: stub.url,
      processes: 1,
      connections: 4,
      statsIntervalMs: 0,
      // A loaded machine may drop late sends; what was sent is the subject here.
      allowDrops: true,
    });
    assert.equal(run.measured.outcome.passed, true, JSON.stringify(run.measured.outcome));
    assert.equal(arrivedAt.size, run.measured.totals.sent);
    assert.ok(arrivedAt.size > 0);
    // Date.now() is whole ms and the two processes read their clocks apart: 1 ms of slack.
    const early: string[] = [];
    for (const [i, at] of arrivedAt) {
      const intended = run.startAtMs + workload.ops.at[i]!;
      if (at < Math.floor(intended) - 1) {
        early.push(`op ${i} at ${at}, intended ${intended.toFixed(2)}`);
      }
    }
    assert.deepEqual(early, []);
  });
});
