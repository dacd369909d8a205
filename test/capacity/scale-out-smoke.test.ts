/**
 * A short smoke test of `ecny-bench capacity --store postgres --nodes 1,2` through the real CLI:
 * a private PostgreSQL cluster, genesis once into a template database, one ramp per node count
 * on a copy of it (one tiny step each, the load spread over the nodes), the CPU read around the
 * steps, the scale-out entry and chart. It checks the plumbing, not the machine:
 * the SLO is set so high that a step fails only by not keeping up, which on a machine starved by
 * other work can happen at any rate, so whether a node count found an elbow is not asserted (a
 * scale-out point and the chart are required only for those that did), nor any time or rate.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult } from '../../result-format/index.js';
import { postgresSkipReason } from '../registry/postgres/helpers.js';
import { cli } from './cli.js';

const skip = postgresSkipReason();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecny-scale-out-smoke-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('capacity --store postgres --nodes 1,2: a ramp per node count, the scale-out curve and chart', {
  skip,
  timeout: 480_000,
}, async () => {
  const run = await cli([
    'capacity',
    // The pilot with the smallest genesis at small scale: genesis is most of this test's time.
    'suzhou-subsidy',
    '--scale',
    'small',
    '--suites',
    'ed25519',
    '--store',
    'postgres',
    '--nodes',
    '1,2',
    '--start',
    '40',
    '--step',
    '40',
    '--step-duration',
    '2',
    '--warmup',
    '1',
    '--max-steps',
    '1',
    '--slo-ms',
    '10000',
    '--out',
    dir,
  ]);
  // 1: no node count found an elbow (the machine could not keep up even with 40 tx/s).
  assert.ok(run.code === 0 || (run.code === 1 && /no elbow/.test(run.out)), run.out);
  assert.match(run.out, /ledger: a private PostgreSQL cluster for this run/);
  assert.match(run.out, /into a template database, copied for every ramp/);
  assert.match(run.out, /ramp 1\/2: nodes=1, threads=\d+, max batch=256/);
  assert.match(run.out, /ramp 2\/2: nodes=2, threads=\d+, max batch=256 \(engine pids \d+, \d+\)/);
  assert.match(run.out, /Scale-out \(elbow by engine nodes on one database\)/);
  // The private cluster's processes are sampled with each step: its bound names their share.
  assert.match(run.out, /step 1: offered .*; PostgreSQL \d+\.\d\d cores\n/);

  const [runId] = await readdir(dir);
  const runDir = join(dir, runId!);
  const result = JSON.parse(await readFile(join(runDir, 'result.json'), 'utf8')) as RunResult;
  const steps = result.steps ?? [];
  assert.deepEqual(
    steps.map((s) => [s['kind'], s['nodes'] ?? null]),
    [
      ['step', 1],
      ['step', 2],
      ['sweep-point', 1],
      ['sweep-point', 2],
      ['scale-out', null],
    ],
  );
  assert.equal((result.config['engine'] as { store: string }).store, 'postgres');
  const capacity = JSON.parse(await readFile(join(runDir, 'capacity.json'), 'utf8')) as {
    analysis: { scaleOut: { points: unknown[]; database: { microsPerTx: number } | null } };
    ramps: {
      steps: { cpu?: { engineS: number; databaseS: number | null; settled: number } }[];
      engineStats: { nodes?: unknown[] } | null;
    }[];
  };
  // Every step carries the CPU read around it: the nodes', and PostgreSQL's (a private cluster).
  for (const ramp of capacity.ramps)
    for (const step of ramp.steps) {
      assert.ok(step.cpu !== undefined && step.cpu.engineS > 0, JSON.stringify(step.cpu));
      assert.ok(step.cpu.databaseS !== null && step.cpu.databaseS > 0);
    }
  assert.equal(capacity.ramps[1]!.engineStats?.nodes?.length, 2, 'both nodes reported');
  const points = (steps.at(-1)!['points'] as unknown[]).length;
  assert.equal(points, capacity.analysis.scaleOut.points.length);
  // A node count with an elbow is a point, with the database's cost per payment.
  if (points > 0) assert.ok(capacity.analysis.scaleOut.database !== null);

  const files = await readdir(runDir);
  assert.equal(files.includes('capacity-scale-out.png'), points > 0, files.join(', '));
  assert.ok(!files.includes('capacity-usl.png'), 'no USL over threads for node ramps');
  // `report` re-rendering a capacity run is the memory ramp smoke's (ramp-smoke.test.ts).
});
