import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENTS, runLoad } from '../../load/index.js';
import { answer, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

for (const client of CLIENTS) {
  describe(`dependency ordering (${client} client)`, () => {
    it('never sends an op before its dependency was answered', async () => {
      const answered = new Set<number | string>();
      const violations: Array<{ id: number | string; dep: number }> = [];
      // Slow, uneven answers (0-24 ms) so that many ops fall due before their dependency returns.
      const stub = await startStub((tx, res) => {
        if (tx.dep >= 0 && !answered.has(tx.dep)) violations.push({ id: tx.id, dep: tx.dep });
        const delay = typeof tx.id === 'number' ? (tx.id * 7) % 25 : 0;
        setTimeout(() => {
          answered.add(tx.id);
          answer(res, tx.want);
        }, delay);
      });
      try {
        const lanes = 10;
        const workload = syntheticWorkload({
          ops: 600,
          rate: 1000,
          lanes,
          // each op spends the previous op of its lane: chains of 60
          dependsOn: (i) => (i >= lanes ? i - lanes : -1),
        });
        const run = await runLoad(workload, {
          target: stub.url,
          client,
          processes: 2,
          connections: 32,
          statsIntervalMs: 0,
        });
        assert.deepEqual(violations, []);
        const m = run.measured;
        assert.equal(m.outcome.passed, true, JSON.stringify(m.outcome));
        assert.equal(m.totals.sent, 600);
        assert.ok(m.dependencies.waited > 0, 'some ops had to wait for their dependency');
        assert.ok(m.dependencies.waitP99 > 0);
      } finally {
        await stub.close();
      }
    });
  });
}
