import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineSample } from '../../load/engine-stats.js';
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

  it('turns cumulative stage totals into per-second means', () => {
    const doc = (n: number, admission: number, verify: number, settled: number) => ({
      queueDepth: 1,
      timing: {
        stages: {
          admission: { count: n, seconds: admission },
          verify: { count: n, seconds: verify },
        },
        settlement: { settled: { count: n, seconds: settled }, rejected: { count: 0, seconds: 0 } },
      },
    });
    const sample = engineSample(doc(30, 0.03, 0.25, 0.5), doc(10, 0.01, 0.05, 0.1));
    assert.ok(sample?.stagesMs);
    assert.equal(sample.stagesMs['admission'], 1); // 20 ms over 20 transactions
    assert.equal(sample.stagesMs['verify'], 10);
    assert.equal(sample.stagesMs['durability'], 0); // absent from the document: nothing passed
    assert.equal(sample.engineMs, 20);
    assert.equal(
      engineSample(doc(30, 0.03, 0.25, 0.5))?.stagesMs,
      undefined,
      'one reading: no means',
    );
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
