import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLoad } from '../../load/index.js';
import { answer, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('engine stats polling', () => {
  it('fills SecondSample.engine from GET /v1/stats', async () => {
    let polls = 0;
    const stub = await startStub(
      (tx, res) => answer(res, tx.want),
      (req, res) => {
        if (req.method !== 'GET' || req.url !== '/v1/stats') return false;
        polls++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            settled: polls,
            queueDepth: 7,
            pool: { wait: { p50: 0.5, p99: 2 }, verify: { p50: 1, p99: 3 } },
            cpu: { percentSinceLast: 42 },
          }),
        );
        return true;
      },
    );
    try {
      const run = await runLoad(syntheticWorkload({ ops: 1000, rate: 400 }), {
        target: stub.url,
        connections: 4,
        statsIntervalMs: 500,
      });
      const withEngine = run.measured.timeseries.filter((s) => s.engine !== undefined);
      assert.ok(withEngine.length > 0, 'at least one second has engine figures');
      assert.deepEqual(withEngine[0]!.engine, {
        queueDepth: 7,
        poolWaitP50: 0.5,
        poolWaitP99: 2,
        verifyP50: 1,
        verifyP99: 3,
        cpuPercent: 42,
        poolWindow: 'lifetime',
      });
      assert.equal(typeof run.measured.engine?.['settled'], 'number');
      assert.equal(run.measured.outcome.passed, true);
    } finally {
      await stub.close();
    }
  });

  it('tolerates an engine without /v1/stats', async () => {
    const stub = await startStub((tx, res) => answer(res, tx.want));
    try {
      const run = await runLoad(syntheticWorkload({ ops: 300, rate: 300 }), {
        target: stub.url,
        connections: 4,
      });
      assert.ok(run.measured.timeseries.every((s) => s.engine === undefined));
      assert.equal(run.measured.engine, undefined);
      assert.equal(run.measured.outcome.passed, true);
    } finally {
      await stub.close();
    }
  });
});
