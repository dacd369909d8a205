import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saturate } from '../../load/index.js';
import { tableServer } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('saturate (autocannon, closed loop)', () => {
  it('sends only valid independent ops, each at most once, and checks their answers', async () => {
    const stub = await tableServer(new Map([[2, 'ALREADY_SPENT']]));
    try {
      const workload = syntheticWorkload({
        ops: 3000,
        rate: 1000,
        expected: (i) => (i % 3 === 1 ? 'NOT_OWNER' : 'SETTLED'),
        dependsOn: (i) => (i % 3 === 0 || i < 8 ? -1 : i - 8),
      });
      const result = await saturate(workload, { target: stub.url, connections: 4, durationS: 1 });
      const ids = stub.received.map((b) => b.id as number);
      assert.equal(new Set(ids).size, ids.length, 'no body sent twice');
      for (const id of ids)
        assert.ok(id % 3 !== 1 && (id % 3 === 0 || id < 8), `op ${id} is not usable`);
      const m = result.measured;
      assert.ok(m.totals.settled > 0);
      // op 2 is answered wrongly by the stub
      const got2 = ids.includes(2);
      assert.equal(m.totals.mismatched, got2 ? 1 : 0);
      if (got2)
        assert.deepEqual(m.outcome.samples[0], {
          op: 2,
          expected: 'SETTLED',
          got: 'ALREADY_SPENT',
        });
      assert.equal(result.latency.count, m.totals.settled + m.totals.rejected);
      assert.ok(result.maxThroughput > 0);
      assert.equal(result.config['tool'], 'autocannon');
    } finally {
      await stub.close();
    }
  });
});
