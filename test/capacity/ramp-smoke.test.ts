/**
 * A short smoke test of `ecny-bench capacity` through the real CLI: a two-step ramp at tiny
 * rates on one verification thread against an embedded engine, on the small suzhou-subsidy
 * workload, under both signature suites (the default `--suites`). It checks the plumbing (a
 * workload and genesis journal per suite, engine per setting, one runLoad per step, a results
 * directory per suite, capacity.json, charts, `report`, the side-by-side projection), not the
 * machine: the SLO is set so high that the Ed25519 steps pass on any machine, and no time or
 * rate is asserted. SM2 costs ~9x the CPU per payment: on a machine starved by other work its
 * tiny ramp may fall short of the keep-up criterion, so for SM2 only the plumbing is required
 * (a run directory, and a row in the side-by-side table, with numbers or "no elbow").
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult } from '../../result-format/index.js';
import { cli } from './cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecny-capacity-smoke-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('capacity: a two-step ramp per suite writes capacity runs that report can re-render', {
  timeout: 480_000,
}, async () => {
  const run = await cli([
    'capacity',
    'suzhou-subsidy',
    '--scale',
    'small',
    '--start',
    '40',
    '--step',
    '40',
    '--step-duration',
    '2',
    '--warmup',
    '1',
    '--max-steps',
    '2',
    '--threads-sweep',
    '1',
    '--batch-sweep',
    '16',
    '--slo-ms',
    '10000',
    '--out',
    dir,
  ]);
  const sm2NoElbow = /\n {2}sm2 +no elbow: nothing to project/.test(run.out);
  assert.equal(run.code, sm2NoElbow ? 1 : 0, run.out);
  assert.match(run.out, /ramp 1\/1: threads=1, max batch=16/);
  assert.match(run.out, /Projection to the target \(300,000 TPS\)/);
  assert.match(run.out, /NOT trustworthy/, 'one N cannot be trusted, and it says so');
  // Both suites measured, then projected side by side from their own ramps.
  assert.match(run.out, /=== signature suite ed25519 ===[\s\S]*=== signature suite sm2 ===/);
  assert.match(run.out, /Projection to 300,000 TPS per signature suite/);
  assert.match(run.out, /\n {2}ed25519 +[0-9,.]+ +[0-9,.]+ +[0-9,]+ +[0-9,]+ +\S+ +1\.00x\n/);
  assert.match(
    run.out,
    /\n {2}sm2 +([0-9,.]+ +[0-9,.]+ +[0-9,]+ +[0-9,]+ +\S+ +[0-9.]+x|no elbow: nothing to project)\n/,
  );

  const runIds = await readdir(dir);
  assert.equal(runIds.length, 2, runIds.join(', '));
  const suites: string[] = [];
  for (const runId of runIds) suites.push(await checkRun(join(dir, runId)));
  assert.deepEqual(suites.sort(), ['ed25519', 'sm2']);
});

/** One suite's run directory: steps, capacity.json, charts, `report`. Returns its suite. */
async function checkRun(runDir: string): Promise<string> {
  const capacity = JSON.parse(await readFile(join(runDir, 'capacity.json'), 'utf8')) as {
    kind: string;
    workload: { suite: string };
    analysis: { best: { setting: { threads: number } } | null };
  };
  assert.equal(capacity.kind, 'ecny-bench/capacity');
  const strict = capacity.workload.suite === 'ed25519';
  const result = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.kind, 'capacity');
  const steps = result.steps ?? [];
  assert.deepEqual(
    steps.map((s) => s['kind']),
    ['step', 'step', 'sweep-point'],
  );
  assert.deepEqual(
    steps.filter((s) => s['kind'] === 'step').map((s) => s['offered']),
    [40, 80],
  );
  // Whether 80 tx/s saturates depends on what else the machine runs: the test checks the
  // sweep point records an elbow kind, not which one (no throughput is asserted in tests).
  assert.ok(
    ['knee', 'unconfirmed-knee', 'never-saturated', 'none'].includes(
      String(steps[2]!['elbowKind']),
    ),
    String(steps[2]!['elbowKind']),
  );
  assert.ok(result.timeseries.length >= 4, 'both steps are on the time axis');
  assert.equal((result.config['capacity'] as { scale: string }).scale, 'small');

  if (strict && capacity.analysis.best !== null)
    assert.equal(capacity.analysis.best.setting.threads, 1);

  const files = await readdir(runDir);
  for (const f of [
    'capacity-throughput.png',
    'capacity-latency.png',
    ...(strict ? ['capacity-usl.png'] : []),
    'report.html',
  ])
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  const report = await cli(['report', runDir]);
  assert.equal(report.code, 0, report.out);
  return capacity.workload.suite;
}
