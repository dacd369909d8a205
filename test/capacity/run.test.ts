/**
 * The capacity runner's pure parts: slicing the workload per step, reading a step's per-second
 * data, combining the steps into one run, and the shape of the capacity result.json with the
 * charts built from it. Synthetic data throughout: nothing here runs an engine or a clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  analyzeCapacity,
  capacityStepEntries,
  combineSteps,
  type MeasuredRampStep,
  mergedLatency,
  type RampRecord,
  type StepRun,
  sliceWorkload,
  stepSecondOf,
  stepSeconds,
  summarizeStep,
} from '../../capacity/index.js';
import { buildCapacityUslChart, uslLabel } from '../../charts/builders/capacity-usl.js';
import { buildRunCharts } from '../../charts/index.js';
import type { LoadRun } from '../../load/index.js';
import {
  buildRunResult,
  createHistogram,
  type Environment,
  percentiles,
  RESULT_SCHEMA,
  type RunResult,
  recordMicros,
  SecondsAccumulator,
  summarizeRun,
} from '../../result-format/index.js';
import type { Workload } from '../../scenarios/workload/index.js';

const ENV: Environment = {
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cores: 2,
  memoryBytes: 8e9,
  os: 'Linux test x64',
  node: 'v20.20.0',
  packages: {},
  gitCommit: null,
  hostname: 'test',
};

function workload(n: number): Workload {
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    meta: {
      format: 'ecny-bench/workload/v1',
      scenario: 'synthetic',
      seed: 's',
      params: { scale: 'small' },
      centralBankKey: '00'.repeat(32),
      day: 0,
      durationMs: 10_000,
      plannedRate: [100],
      expectedCounts: { SETTLED: n },
      lanes: 3,
    },
    genesis: {
      bodies: ['{"g":0}'],
      expected: ['SETTLED'],
      at: [0],
      dependsOn: [-1],
      lane: [0],
      type: ['issue'],
    },
    ops: {
      bodies: idx.map((i) => `{"op":${i}}`),
      expected: idx.map(() => 'SETTLED'),
      at: idx.map((i) => i * 10),
      // Every op from 3 on spends the output of the op 3 before it (same lane).
      dependsOn: idx.map((i) => (i >= 3 ? i - 3 : -1)),
      lane: idx.map((i) => i % 3),
      type: idx.map(() => 'transfer'),
    },
  };
}

/**
 * A step's LoadRun as runLoad returns it: `perSecond` answers per second, latencies spread
 * evenly over [lo, hi] ms, `rate` offered per second.
 */
function load(
  seconds: readonly { t: number; n: number; lo: number; hi: number; rate: number }[],
  startAtMs: number,
): LoadRun {
  const acc = new SecondsAccumulator();
  for (const s of seconds) {
    acc.addCounters(s.t, {
      offered: s.rate,
      sent: s.rate,
      achieved: s.n,
      settled: s.n - 1,
      rejectedByCode: { ALREADY_SPENT: 1 },
      synced: 0,
      dropped: 0,
      errors: 0,
    });
    const h = createHistogram();
    for (let i = 0; i < s.n; i++) recordMicros(h, (s.lo + ((s.hi - s.lo) * i) / s.n) * 1000);
    acc.addHistogram(s.t, 'corrected', h);
    acc.addHistogram(s.t, 'uncorrected', h);
  }
  const accumulated = acc.finish(startAtMs);
  const total = seconds.reduce((a, s) => a + s.n, 0);
  const measured = summarizeRun({
    accumulated,
    tally: { planned: total, matched: total, mismatched: 0, lost: 0, retried: 0, samples: [] },
    allowDrops: true,
    startedAt: new Date(startAtMs).toISOString(),
    endedAt: new Date(startAtMs + 5000).toISOString(),
    durationS: seconds.length,
    generator: { processes: 1, cpuSeconds: 0.5 },
  });
  return { measured, histograms: accumulated.histograms, config: {}, genesis: null, startAtMs };
}

describe('capacity command: pure parts', () => {
  test('a step slice keeps dependencies inside it and drops those on earlier steps', () => {
    const w = workload(10);
    const s = sliceWorkload(w, 4, 5);
    assert.deepEqual(s.ops.bodies, ['{"op":4}', '{"op":5}', '{"op":6}', '{"op":7}', '{"op":8}']);
    // op 4 -> 1, 5 -> 2, 6 -> 3 were sent in an earlier step; 7 -> 4 and 8 -> 5 are in the slice.
    assert.deepEqual(s.ops.dependsOn, [-1, -1, -1, 0, 1]);
    assert.deepEqual(s.ops.at, [0, 10, 20, 30, 40]);
    assert.deepEqual(s.ops.lane, [1, 2, 0, 1, 2]);
    assert.equal(s.genesis.bodies.length, 0, 'genesis was sent once, before the ramps');
    assert.equal(s.meta, w.meta);
    assert.throws(() => sliceWorkload(w, 8, 5), /outside/);
  });

  test('a step second: shed load is OVERLOADED and UNAVAILABLE answers', () => {
    const run = load([{ t: 0, n: 10, lo: 1, hi: 2, rate: 10 }], 0);
    const s = {
      ...run.measured.timeseries[0]!,
      rejectedByCode: { OVERLOADED: 2, UNAVAILABLE: 1, ALREADY_SPENT: 4 },
    };
    const second = stepSecondOf(s);
    assert.equal(second.shed, 3);
    assert.equal(second.latencyCount, 10);
    assert.equal(second.p99Ms, s.latency.p99);
  });

  test('step p99 from merged histograms is exact, not the worst second', () => {
    const run = load(
      [
        { t: 0, n: 100, lo: 100, hi: 200, rate: 100 }, // warm-up: slow
        { t: 1, n: 100, lo: 1, hi: 2, rate: 100 },
        { t: 2, n: 100, lo: 1, hi: 40, rate: 100 },
      ],
      0,
    );
    const merged = mergedLatency(run.histograms);
    const kept = merged([1, 2]);
    const union = createHistogram();
    for (let i = 0; i < 100; i++) recordMicros(union, (1 + i / 100) * 1000);
    for (let i = 0; i < 100; i++) recordMicros(union, (1 + (39 * i) / 100) * 1000);
    assert.equal(kept.p99Ms, percentiles(union).p99);
    assert.equal(kept.count, 200);
    const step = summarizeStep(
      run.measured.timeseries.map(stepSecondOf),
      { offered: 100, durationS: 3, warmupS: 1 },
      merged,
    );
    assert.equal(step.p99Ms, kept.p99Ms);
    assert.ok(step.p99Ms < 100, 'the warm-up second is left out');
  });

  test('steps are combined back to back on one time axis, counts and samples added exactly', () => {
    const a = load(
      [
        { t: 0, n: 50, lo: 1, hi: 2, rate: 50 },
        { t: 1, n: 50, lo: 1, hi: 2, rate: 50 },
      ],
      1_000_000,
    );
    const b = load(
      [
        { t: 0, n: 100, lo: 1, hi: 3, rate: 100 },
        { t: 1, n: 100, lo: 1, hi: 3, rate: 100 },
        { t: 2, n: 7, lo: 5, hi: 6, rate: 0 }, // drain after the schedule
      ],
      1_010_000,
    );
    assert.equal(stepSeconds(a, 2), 2);
    assert.equal(stepSeconds(b, 2), 3, 'the drain second belongs to the step');
    const setting = { threads: 1, maxBatch: 64 };
    const runs: StepRun[] = [
      { ramp: 0, setting, rate: 50, firstOp: 0, load: a, tStart: 0 },
      { ramp: 0, setting, rate: 100, firstOp: 100, load: b, tStart: 2 },
    ];
    const { measured, histograms } = combineSteps(runs, 2, 1);
    assert.deepEqual(
      measured.timeseries.map((s) => [s.t, s.offered, s.achieved]),
      [
        [0, 50, 50],
        [1, 50, 50],
        [2, 100, 100],
        [3, 100, 100],
        [4, 0, 7],
      ],
    );
    assert.equal(measured.totals.sent, 300);
    assert.equal(measured.totals.settled, 307 - 5);
    assert.equal(measured.totals.planned, 307);
    assert.equal(measured.durationS, 5);
    assert.equal(measured.latency.corrected.count, 307);
    assert.equal(measured.outcome.passed, true);
    assert.equal(measured.generator?.cpuSeconds, 1);
    assert.deepEqual(
      histograms.intervals.map((i) => i.t),
      [0, 1, 2, 3, 4],
    );
    assert.throws(() => combineSteps([], 2, 1), /no steps/);
  });
});

/** Synthetic ramp steps over an engine that keeps up to `capacity`. */
function rampSteps(capacity: number, rates: readonly number[], t0: number): MeasuredRampStep[] {
  return rates.map((offered, i) => {
    const achieved = Math.min(offered, capacity);
    return {
      offered,
      achieved,
      p99Ms: offered > capacity ? 900 : 5 + i,
      errorRate: 0,
      settled: achieved * 0.98,
      offeredMeasured: offered,
      p50Ms: 1,
      measuredS: 2,
      warmupS: 1,
      sent: offered * 2,
      dropped: 0,
      errors: 0,
      shed: 0,
      latencyExact: true,
      engineCores: null,
      tStart: t0 + 3 * i,
      seconds: 3,
    };
  });
}

describe('capacity result.json', () => {
  const ramps: RampRecord[] = [
    {
      setting: { threads: 1, maxBatch: 64 },
      steps: rampSteps(1100, [500, 1000, 1500, 2000], 0),
      stopped: '2 consecutive failing steps',
    },
    {
      setting: { threads: 2, maxBatch: 64 },
      steps: rampSteps(2100, [500, 1000, 1500, 2000, 2500, 3000], 12),
      stopped: '2 consecutive failing steps',
    },
  ];
  const analysis = analyzeCapacity({
    ramps,
    criteria: { sloP99Ms: 50 },
    peakPlannedTps: 442,
    coresPerMachine: 2,
    headroom: 0.7,
    machine: 'test',
    assumptions: { signatureSuite: 'Ed25519', backend: 'node:crypto' },
  });
  const run = load(
    Array.from({ length: 30 }, (_, t) => ({ t, n: 100, lo: 1, hi: 9, rate: 100 })),
    Date.parse('2026-11-23T12:00:00Z'),
  );
  const built = buildRunResult({
    kind: 'capacity',
    meta: workload(3).meta,
    config: {
      sloMs: 50,
      capacity: { criteria: { minAchievedRatio: 0.95, sloP99Ms: 50 } },
    },
    measured: run.measured,
    environment: ENV,
    runId: 'capacity-test',
  });
  const result: RunResult = { ...built, steps: capacityStepEntries(analysis, ramps) };

  test('is a normal run result of kind capacity, with the steps filled and JSON-safe', () => {
    assert.equal(result.schema, RESULT_SCHEMA);
    assert.equal(result.kind, 'capacity');
    assert.equal(result.steps?.length, 4 + 6 + 2);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  });

  test('gets the usual run charts plus the three capacity charts', () => {
    const ids = buildRunCharts(result).map((c) => c.id);
    for (const id of ['throughput', 'capacity-throughput', 'capacity-latency', 'capacity-usl'])
      assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    const plain = buildRunCharts({ ...result, kind: 'run', steps: [] }).map((c) => c.id);
    assert.ok(!plain.some((id) => id.startsWith('capacity-')));
  });

  test('achieved vs offered: one line per ramp, the diagonal, and a diamond per elbow', () => {
    const chart = buildRunCharts(result).find((c) => c.id === 'capacity-throughput')!;
    const labels = chart.config.data.datasets.map((d) => d.label);
    assert.deepEqual(labels, [
      'achieved = offered',
      'keep-up limit (95% of offered)',
      'threads=1, batch=64',
      'threads=2, batch=64',
      'elbow (diamond)',
    ]);
    const elbows = chart.config.data.datasets.at(-1)!.data;
    assert.deepEqual(elbows, [
      { x: 1000, y: 1000 },
      { x: 2000, y: 2000 },
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(chart.config)), chart.config);
  });

  test('latency vs throughput: p99 on a log axis over the answered rate, with the SLO', () => {
    const chart = buildRunCharts(result).find((c) => c.id === 'capacity-latency')!;
    const scales = chart.config.options?.scales as Record<string, { type?: string }>;
    assert.equal(scales['y']?.type, 'logarithmic');
    const ramp1 = chart.config.data.datasets.find((d) => d.label === 'threads=1, batch=64')!;
    assert.deepEqual(
      ramp1.data.map((p) => (p as { x: number }).x),
      [500, 1000, 1100, 1100],
    );
    assert.ok(chart.config.data.datasets.some((d) => d.label === 'SLO 50 ms'));
  });

  test('USL: measured elbows, the fitted curve (dashed: 2 distinct N) and linear scaling', () => {
    const config = buildCapacityUslChart(result);
    const [points, curve, linear] = config.data.datasets;
    assert.deepEqual(points!.data, [
      { x: 1, y: 980 },
      { x: 2, y: 1960 },
    ]);
    assert.match(curve!.label ?? '', /untrustworthy: 2 distinct N/);
    assert.ok((curve as { borderDash?: number[] }).borderDash !== undefined, 'dashed');
    assert.match(linear!.label ?? '', /linear/);
    // The curve passes through the points it was fitted to (two points, two free parameters).
    const at = (n: number) =>
      curve!.data.find((p: unknown) => (p as { x: number }).x === n) as { y: number };
    assert.ok(Math.abs(at(1).y - 980) / 980 < 0.01);
    assert.ok(Math.abs(at(2).y - 1960) / 1960 < 0.01);
    assert.doesNotMatch(
      uslLabel(64, analysis.usl[0]!.fit!),
      /[λσκ]/,
      'spelt out for the Latin-only canvas',
    );
  });

  test('malformed steps entries are skipped, not drawn', () => {
    const odd: RunResult = {
      ...result,
      steps: [{ kind: 'step', ramp: 'x' }, { kind: 'sweep-point' }, ...(result.steps ?? [])],
    };
    const chart = buildRunCharts(odd).find((c) => c.id === 'capacity-throughput')!;
    assert.equal(chart.config.data.datasets.length, 5);
  });
});
