/**
 * A short smoke test of `ecny-bench capacity` through the real CLI: a two-step ramp at tiny
 * rates on one verification thread against an embedded engine, on the small xiongan-retail
 * workload. It checks the plumbing (genesis journal, engine per setting, one runLoad per step,
 * results directory, capacity.json, charts, `report`), not the machine: the SLO is set so high
 * that the steps pass on any machine, and no time or rate is asserted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../result-format/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function cli(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecny-capacity-smoke-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('capacity: a two-step ramp writes a capacity run that report can re-render', {
  timeout: 120_000,
}, async () => {
  const run = await cli([
    'capacity',
    'xiongan-retail',
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
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /ramp 1\/1: threads=1, max batch=16/);
  assert.match(run.out, /Projection to the target \(300,000 TPS\)/);
  assert.match(run.out, /NOT trustworthy/, 'one N cannot be trusted, and it says so');

  const [runId] = await readdir(dir);
  const runDir = join(dir, runId!);
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
  assert.equal(steps[2]!['elbowKind'], 'never-saturated');
  assert.ok(result.timeseries.length >= 4, 'both steps are on the time axis');
  assert.equal((result.config['capacity'] as { scale: string }).scale, 'small');

  const capacity = JSON.parse(await readFile(join(runDir, 'capacity.json'), 'utf8')) as {
    kind: string;
    analysis: { best: { setting: { threads: number } } | null };
  };
  assert.equal(capacity.kind, 'ecny-bench/capacity');
  assert.equal(capacity.analysis.best?.setting.threads, 1);

  const files = await readdir(runDir);
  for (const f of [
    'capacity-throughput.png',
    'capacity-latency.png',
    'capacity-usl.png',
    'report.html',
  ])
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  const report = await cli(['report', runDir]);
  assert.equal(report.code, 0, report.out);
});
