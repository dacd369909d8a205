/**
 * A short real run of every scenario variant: workload -> embedded engine process over HTTP ->
 * open-model load -> every answer checked against its expected outcome -> books reconciled
 * through the API. Slow (a real engine per variant), so it lives in test/serial.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runScenario } from '../../runner/index.js';
import { getScenario, scenarioVariants } from '../../scenarios/catalog/index.js';

const DURATION_S = 4;

for (const { scenario, variant } of scenarioVariants()) {
  test(`${scenario}/${variant}: a short run passes outcome checking and reconciles`, async () => {
    const out = await mkdtemp(join(tmpdir(), 'ecny-bench-run-'));
    try {
      const report = await runScenario({
        scenario,
        scenarioOptions: { variant, scale: 'small', durationS: DURATION_S, seed: 'ci' },
        engineArgs: [],
        load: { processes: 2, connections: 8 },
        sloMs: 50,
        outDir: out,
        charts: false,
        log: () => {},
      });
      const r = report.result;
      assert.equal(r.totals.mismatched, 0, JSON.stringify(r.outcome.samples));
      assert.equal(r.totals.lost, 0);
      assert.equal(r.totals.matched, r.totals.planned - r.totals.dropped);
      assert.ok(r.totals.settled > 0, 'something settled');
      assert.equal(r.reconciliation?.ok, true, JSON.stringify(r.reconciliation));
      assert.equal(report.passed, r.totals.dropped === 0);
      // The scenario's default thresholds were judged, each with a value.
      assert.deepEqual(
        r.thresholds?.map((t) => t.expression) ?? [],
        getScenario(scenario).thresholds ?? [],
      );
      for (const t of r.thresholds ?? []) assert.notEqual(t.value, null, t.expression);
      // The files on disk say the same as the returned result.
      const onDisk = JSON.parse(
        await readFile(join(report.dir, 'result.json'), 'utf8'),
      ) as typeof r;
      assert.deepEqual(onDisk.totals, r.totals);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
}
