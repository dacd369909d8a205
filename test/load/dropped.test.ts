import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoad } from '../../load/index.js';
import { answer, type Stub, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('dropped sends', () => {
  let stub: Stub;
  before(async () => {
    stub = await startStub((tx, res) => setTimeout(() => answer(res, tx.want), 5));
  });
  after(() => stub.close());

  // 2000 ops at a million per second, two in flight, 5 ms per answer: impossible by design.
  const impossible = {
    connections: 2,
    maxLagMs: 20,
    schedule: { type: 'constant', rate: 1_000_000, durationMs: 1000 },
    statsIntervalMs: 0,
  } as const;

  it('drops what cannot be sent within the lateness bound, counts it and fails the run', async () => {
    const run = await runLoad(syntheticWorkload({ ops: 2000, rate: 100 }), {
      ...impossible,
      target: stub.url,
    });
    const m = run.measured;
    assert.equal(m.totals.planned, 2000);
    assert.ok(m.totals.dropped > 0);
    assert.equal(m.totals.sent + m.totals.dropped, 2000);
    assert.equal(
      m.timeseries.reduce((a, s) => a + s.offered, 0),
      2000,
    );
    assert.equal(
      m.timeseries.reduce((a, s) => a + s.dropped, 0),
      m.totals.dropped,
    );
    // dropped ops are not lost answers
    assert.equal(m.totals.lost, 0);
    assert.equal(m.totals.matched, m.totals.sent);
    assert.equal(m.outcome.passed, false);
    assert.deepEqual(m.outcome.reasons, [`${m.totals.dropped} dropped`]);
  });

  it('passes with drops when they are explicitly allowed', async () => {
    const run = await runLoad(syntheticWorkload({ ops: 2000, rate: 100 }), {
      ...impossible,
      target: stub.url,
      allowDrops: true,
    });
    assert.ok(run.measured.totals.dropped > 0);
    assert.equal(run.measured.outcome.passed, true);
  });

  it('drops the ops that depend on a dropped op', async () => {
    // 40 chains of 10, two in flight: most chain heads are dropped, and their chains with them
    const lanes = 40;
    const before = stub.received.length;
    const run = await runLoad(
      syntheticWorkload({
        ops: 400,
        rate: 100,
        lanes,
        dependsOn: (i) => (i >= lanes ? i - lanes : -1),
      }),
      { ...impossible, target: stub.url, allowDrops: true },
    );
    const m = run.measured;
    assert.ok(m.totals.dropped > 0);
    assert.equal(m.totals.sent + m.totals.dropped, 400);
    assert.equal(m.totals.mismatched, 0);
    const sent = new Set(stub.received.slice(before).map((b) => b.id));
    for (const b of stub.received.slice(before)) {
      if (b.dep >= 0)
        assert.ok(sent.has(b.dep), `op ${b.id} was sent although its dependency ${b.dep} was not`);
    }
  });
});
