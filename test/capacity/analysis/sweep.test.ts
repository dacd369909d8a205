import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  analyzeCapacity,
  type CapacityAnalysisInput,
  capacityStepEntries,
  capacitySummaryLines,
  type MeasuredRampStep,
  type RampRecord,
  suiteProjectionLines,
} from '../../../capacity/analysis/index.js';

/**
 * A ramp over an engine that keeps up to `capacity` tx/s (p99 low), then flattens at it with a
 * p99 far past the SLO. Steps sit back to back on the time axis from `t0`.
 */
function ramp(
  threads: number,
  maxBatch: number,
  capacity: number,
  rates: readonly number[],
  t0 = 0,
  engineCores: number | null = null,
): RampRecord {
  const steps: MeasuredRampStep[] = rates.map((offered, i) => {
    const over = offered > capacity;
    const achieved = over ? capacity : offered;
    return {
      offered,
      achieved,
      p99Ms: over ? 800 : 8 + i,
      errorRate: 0,
      settled: achieved * 0.98,
      offeredMeasured: offered,
      p50Ms: over ? 300 : 2,
      measuredS: 4,
      warmupS: 1,
      sent: offered * 4,
      dropped: over ? (offered - capacity) * 4 : 0,
      errors: 0,
      shed: 0,
      latencyExact: true,
      engineCores,
      tStart: t0 + i * 5,
      seconds: 5,
    };
  });
  const failing = steps.filter((s) => s.offered > capacity).length;
  return {
    setting: { threads, maxBatch },
    steps,
    stopped: failing >= 2 ? '2 consecutive failing steps' : `max steps reached (${steps.length})`,
  };
}

function input(ramps: RampRecord[], extra: Partial<CapacityAnalysisInput> = {}) {
  return {
    ramps,
    criteria: { sloP99Ms: 50 },
    peakPlannedTps: 2200,
    coresPerMachine: 2,
    headroom: 0.7,
    machine: 'a test machine, 2 cores',
    assumptions: { signatureSuite: 'Ed25519', backend: 'node:crypto (OpenSSL)' },
    ...extra,
  } satisfies CapacityAnalysisInput;
}

describe('capacity/analysis/sweep', () => {
  const ramps = [
    ramp(1, 64, 1200, [500, 1000, 1500, 2000]),
    ramp(2, 64, 2100, [500, 1000, 1500, 2000, 2500, 3000], 20),
    ramp(1, 256, 1300, [500, 1000, 1500, 2000], 50),
    ramp(2, 256, 2300, [500, 1000, 1500, 2000, 2500, 3000], 70),
  ];

  test('an elbow per ramp, the best ramp, USL per batch size, both projections', () => {
    const a = analyzeCapacity(input(ramps));
    assert.deepEqual(
      a.ramps.map((r) => [r.elbow.kind, r.elbowStep?.offered]),
      [
        ['knee', 1000],
        ['knee', 2000],
        ['knee', 1000],
        ['knee', 2000],
      ],
    );
    // Highest elbow settled rate: threads=2 at either batch size reaches 2000 offered; the
    // first one found wins a tie.
    assert.deepEqual(a.best?.setting, { threads: 2, maxBatch: 64 });
    assert.equal(a.best?.elbowSettledTps, 2000 * 0.98);
    assert.equal(a.best?.perCoreTps, (2000 * 0.98) / 2);
    assert.deepEqual(
      a.usl.map((u) => [u.maxBatch, u.points.map((p) => p.n)]),
      [
        [64, [1, 2]],
        [256, [1, 2]],
      ],
    );
    for (const u of a.usl) {
      assert.equal(u.fit?.trustworthy, false, 'two distinct N cannot be trusted');
      assert.match(u.fit!.reason, /2 distinct N/);
    }
    assert.ok(a.notes.some((n) => /NOT trustworthy/.test(n)));
    assert.equal(a.target?.targetTps, 300_000);
    assert.equal(a.peak?.targetTps, 2200);
    assert.match(a.target!.recommendation, /^Indicative only/);
    assert.ok(a.target!.assumptions.some((l) => l.includes('threads=2, max batch=64')));
    assert.equal(a.target!.sloMs, 50);
  });

  test('the per-core rate divides by the engine CPU measured at the elbow, not by threads', () => {
    // One verification thread while the engine kept 1.6 cores busy: the main thread bounds it.
    const a = analyzeCapacity(input([ramp(1, 256, 2000, [1000, 2000, 3000, 4000], 0, 1.6)]));
    assert.equal(a.best?.perCoreBasis, 'engine-cpu');
    assert.equal(a.best?.engineCores, 1.6);
    assert.equal(a.best?.perCoreTps, (2000 * 0.98) / 1.6);
    assert.equal(a.target?.linear.cores, Math.ceil(300_000 / (((2000 * 0.98) / 1.6) * 0.7)));
    assert.ok(a.target!.assumptions.some((l) => /÷ 1\.60 engine cores busy/.test(l)));
    assert.ok(a.notes.some((n) => /USL's N counts verification threads only/.test(n)));
    const text = capacitySummaryLines(a).join('\n');
    assert.match(text, /Best setting: .*÷ 1\.60 engine cores busy .*: 1,225 per engine core\./);
    // Without the engine's CPU the threads stand in, and the line says what that leaves out.
    const b = analyzeCapacity(input([ramp(1, 256, 2000, [1000, 2000, 3000, 4000])]));
    assert.equal(b.best?.perCoreBasis, 'verification-threads');
    assert.equal(b.best?.perCoreTps, 2000 * 0.98);
    assert.ok(b.target!.assumptions.some((l) => /main thread's share is left out/.test(l)));
  });

  test('a ramp that never fails is a lower bound, and says so', () => {
    const a = analyzeCapacity(input([ramp(1, 64, 99_999, [500, 1000])]));
    assert.equal(a.ramps[0]!.elbow.kind, 'never-saturated');
    assert.ok(a.notes.some((n) => /never saturated/.test(n)));
  });

  test('no elbow anywhere: nothing is projected', () => {
    const a = analyzeCapacity(input([ramp(1, 64, 100, [500, 1000])]));
    assert.equal(a.best, null);
    assert.equal(a.target, null);
    assert.equal(a.peak, null);
    assert.equal(a.usl[0]!.fit, null);
    assert.ok(capacitySummaryLines(a).some((l) => /nothing to project/.test(l)));
  });

  test('no planned peak: only the target projection', () => {
    const a = analyzeCapacity(input(ramps, { peakPlannedTps: null }));
    assert.equal(a.peak, null);
    assert.notEqual(a.target, null);
  });

  test('steps entries: every step, then one sweep point per ramp; plain JSON', () => {
    const a = analyzeCapacity(input(ramps));
    const entries = capacityStepEntries(a, ramps);
    const steps = entries.filter((e) => e.kind === 'step');
    const sweep = entries.filter((e) => e.kind === 'sweep-point');
    assert.equal(steps.length, 4 + 6 + 4 + 6);
    assert.equal(sweep.length, 4);
    assert.deepEqual(JSON.parse(JSON.stringify(entries)), entries, 'JSON round trip');
    // Exactly one elbow per ramp, on the step the analysis chose.
    for (const [r, ramp] of a.ramps.entries()) {
      const elbows = steps.filter((e) => e.ramp === r && e.elbow);
      assert.equal(elbows.length, 1);
      assert.equal(elbows[0]!.offered, ramp.elbowStep!.offered);
    }
    const first = steps[0]!;
    assert.deepEqual(
      { ramp: first.ramp, threads: first.threads, maxBatch: first.maxBatch, step: first.step },
      { ramp: 0, threads: 1, maxBatch: 64, step: 0 },
    );
    assert.equal(first.tStart, 0);
    assert.equal(first.tEnd, 5);
    assert.equal(first.role, 'pass');
    const collapse = steps.filter((e) => e.ramp === 0 && e.role === 'collapse');
    assert.deepEqual(
      collapse.map((e) => e.offered),
      [1500, 2000],
    );
    assert.deepEqual(collapse[0]!.failed, ['throughput', 'latency']);
    assert.deepEqual(sweep[1], {
      kind: 'sweep-point',
      ramp: 1,
      threads: 2,
      maxBatch: 64,
      elbowKind: 'knee',
      elbowOffered: 2000,
      elbowAchieved: 2000,
      elbowSettled: 1960,
      elbowP99Ms: 11,
      limitedBy: ['throughput', 'latency'],
      reason: a.ramps[1]!.elbow.reason,
      stopped: '2 consecutive failing steps',
      steps: 6,
    });
  });

  test('NaN latencies become null in the entries (JSON has no NaN)', () => {
    const r = ramp(1, 64, 1000, [500, 1000]);
    const broken = {
      ...r,
      steps: [{ ...r.steps[0]!, p99Ms: Number.NaN, p50Ms: Number.NaN }, r.steps[1]!],
    };
    const entries = capacityStepEntries(analyzeCapacity(input([broken])), [broken]);
    const first = entries[0]!;
    assert.equal(first.kind, 'step');
    assert.equal(first.kind === 'step' ? first.p99Ms : undefined, null);
  });

  test('the summary prints every step, the fit, the projections and their assumptions', () => {
    const text = capacitySummaryLines(analyzeCapacity(input(ramps))).join('\n');
    assert.match(text, /Ramp threads=1, max batch=64 \(2 consecutive failing steps\)/);
    assert.match(text, /<- elbow/);
    assert.match(text, /NOT trustworthy/);
    assert.match(text, /Projection to the target \(300,000 TPS\)/);
    assert.match(text, /Projection to the scenario's planned peak \(2,200 TPS\)/);
    assert.match(text, /Assumptions:/);
    assert.match(text, /Headroom: cores planned at 70%/);
  });
});

describe('suiteProjectionLines', () => {
  test('puts each suite’s measured projection side by side, relative to the first', () => {
    const ed = analyzeCapacity(input([ramp(1, 256, 3000, [1000, 2000, 3000, 4000, 5000])]));
    const sm2 = analyzeCapacity(input([ramp(1, 256, 600, [200, 400, 600, 800, 1000])]));
    const lines = suiteProjectionLines([
      { suite: 'ed25519', analysis: ed },
      { suite: 'sm2', analysis: sm2 },
    ]);
    const row = (suite: string) => lines.find((l) => l.trimStart().startsWith(suite))!;
    assert.match(lines[1]!, /300,000 TPS per signature suite/);
    const edCores = ed.target!.linear.cores;
    const smCores = sm2.target!.linear.cores;
    assert.ok(smCores > edCores, 'the slower suite needs more cores');
    assert.match(row('ed25519'), new RegExp(`\\b${edCores.toLocaleString('en-US')}\\b.*1\\.00x$`));
    assert.match(row('sm2'), new RegExp(`${(smCores / edCores).toFixed(2)}x$`));
    const none = analyzeCapacity(input([ramp(1, 256, 100, [1000, 2000, 3000])]));
    assert.equal(none.best, null);
    assert.match(
      suiteProjectionLines([{ suite: 'sm2', analysis: none }]).at(-1)!,
      /sm2 +no elbow: nothing to project/,
    );
  });
});
