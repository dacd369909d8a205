import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { findElbow, type RampStep } from '../../../capacity/analysis/index.js';

/** A ramp of 1k..10k tx/s over an engine that saturates at `capacity`. */
function ramp(
  capacity: number,
  shape: (offered: number) => Partial<RampStep> = () => ({}),
): RampStep[] {
  const steps: RampStep[] = [];
  for (let offered = 1000; offered <= 10_000; offered += 1000) {
    const over = offered > capacity;
    steps.push({
      offered,
      achieved: over ? capacity : offered * 0.999,
      p99Ms: over ? 400 : 5 + 20 * (offered / capacity) ** 4,
      errorRate: 0,
      ...shape(offered),
    });
  }
  return steps;
}

describe('capacity/analysis/elbow', () => {
  test('clean knee, throughput-limited: the last step that keeps up', () => {
    // Latency stays fine one step past the knee so that throughput is what broke first.
    const steps = ramp(6000, (o) => (o === 7000 ? { p99Ms: 30 } : {}));
    const r = findElbow(steps);
    assert.equal(r.kind, 'knee');
    assert.equal(r.elbow?.offered, 6000);
    assert.equal(r.index, 5);
    assert.deepEqual(r.limitedBy, ['throughput']);
    assert.deepEqual(r.steps[6]!.failed, ['throughput']);
    assert.deepEqual(r.steps[7]!.failed, ['throughput', 'latency']);
    assert.deepEqual(
      r.steps.map((s) => s.role),
      [
        'pass',
        'pass',
        'pass',
        'pass',
        'pass',
        'pass',
        'collapse',
        'collapse',
        'after-collapse',
        'after-collapse',
      ],
    );
    assert.match(r.reason, /elbow at 6000 tx\/s/);
  });

  test('latency-limited: keeps up with the load but p99 blows the SLO first', () => {
    const steps = ramp(100_000, (o) => ({ p99Ms: o >= 8000 ? 60 + o / 100 : 10 }));
    const r = findElbow(steps);
    assert.equal(r.elbow?.offered, 7000);
    assert.deepEqual(r.limitedBy, ['latency']);
    assert.match(r.reason, /p99 140 ms > SLO 50 ms at offered 8000/);
  });

  test('error-limited, and custom criteria', () => {
    const steps = ramp(100_000, (o) => ({ errorRate: o >= 5000 ? 0.05 : 0.002 }));
    assert.equal(findElbow(steps).elbow?.offered, 4000);
    assert.deepEqual(findElbow(steps).limitedBy, ['errors']);
    // A 10% error budget moves the elbow to the top; a 0.1% budget fails everything.
    assert.equal(findElbow(steps, { maxErrorRate: 0.1 }).kind, 'never-saturated');
    assert.equal(findElbow(steps, { maxErrorRate: 0.001 }).elbow, null);
    // A looser SLO or achieved ratio moves the knee of a soft curve.
    const soft = ramp(100_000, (o) => ({ p99Ms: o / 100 })); // 10 .. 100 ms
    assert.equal(findElbow(soft).elbow?.offered, 5000);
    assert.equal(findElbow(soft, { sloP99Ms: 80 }).elbow?.offered, 8000);
    const lagging = ramp(100_000, (o) => ({ achieved: o * (1 - o / 100_000) })); // 99% .. 90%
    assert.equal(findElbow(lagging).elbow?.offered, 5000);
    assert.equal(findElbow(lagging, { minAchievedRatio: 0.9 }).kind, 'never-saturated');
  });

  test('noisy curve: one failing step below a higher passing one does not hide the elbow', () => {
    const steps = ramp(8000, (o) =>
      o === 4000 ? { p99Ms: 120 } : o === 6000 ? { achieved: 5500 } : {},
    );
    const r = findElbow(steps);
    assert.equal(r.kind, 'knee');
    assert.equal(r.elbow?.offered, 8000);
    assert.equal(r.steps[3]!.role, 'noise');
    assert.equal(r.steps[5]!.role, 'noise');
    assert.match(r.reason, /2 isolated failing steps below it ignored as noise/);
    // The strict rule (sustainedFailures = 1) stops at the first failure instead.
    assert.equal(findElbow(steps, { sustainedFailures: 1 }).elbow?.offered, 3000);
  });

  test('two consecutive failures are the collapse: a later "recovery" is ignored', () => {
    const steps = ramp(100_000, (o) => (o === 3000 || o === 4000 ? { p99Ms: 90 } : {}));
    const r = findElbow(steps);
    assert.equal(r.elbow?.offered, 2000);
    assert.deepEqual(
      r.steps.slice(2, 6).map((s) => s.role),
      ['collapse', 'collapse', 'after-collapse', 'after-collapse'],
    );
    assert.ok(r.steps[4]!.pass);
    // With a 3-step rule the same two failures are only noise.
    assert.equal(findElbow(steps, { sustainedFailures: 3 }).elbow?.offered, 10_000);
  });

  test('never saturating: the elbow is the top step, flagged as a lower bound', () => {
    const r = findElbow(ramp(1e9));
    assert.equal(r.kind, 'never-saturated');
    assert.equal(r.elbow?.offered, 10_000);
    assert.deepEqual(r.limitedBy, []);
    assert.match(r.reason, /extend the ramp/);
  });

  test('saturated from the first step: no elbow, with a reason', () => {
    const r = findElbow(ramp(500));
    assert.equal(r.elbow, null);
    assert.equal(r.index, null);
    assert.equal(r.kind, 'none');
    assert.deepEqual(r.limitedBy, ['throughput', 'latency']);
    assert.match(r.reason, /no step passes below the collapse: .*start the ramp lower/);
    // A first step that fails alone is noise like any other.
    const firstNoisy = ramp(5000, (o) => (o === 1000 ? { p99Ms: 80 } : {}));
    assert.equal(findElbow(firstNoisy).elbow?.offered, 5000);
    assert.equal(findElbow([]).kind, 'none');
  });

  test('a lone failure at the very top is an unconfirmed knee', () => {
    const steps = ramp(9000);
    const r = findElbow(steps);
    assert.equal(r.kind, 'unconfirmed-knee');
    assert.equal(r.elbow?.offered, 9000);
    assert.equal(r.steps[9]!.role, 'trailing-failure');
    assert.deepEqual(r.limitedBy, ['throughput', 'latency']);
  });

  test('steps in any order; indices refer to the caller array', () => {
    const steps = ramp(6000);
    const shuffled = [
      steps[7]!,
      steps[2]!,
      steps[5]!,
      steps[0]!,
      steps[9]!,
      steps[1]!,
      steps[4]!,
      steps[8]!,
      steps[3]!,
      steps[6]!,
    ];
    const r = findElbow(shuffled);
    assert.equal(r.elbow?.offered, 6000);
    assert.equal(r.index, 2);
    assert.deepEqual(
      r.steps.map((s) => s.offered),
      steps.map((s) => s.offered),
    );
  });

  test('a step with no latency measured (NaN p99) fails latency rather than passing', () => {
    const steps = ramp(100_000, (o) => (o >= 9000 ? { p99Ms: Number.NaN } : {}));
    const r = findElbow(steps);
    assert.equal(r.elbow?.offered, 8000);
    assert.deepEqual(r.limitedBy, ['latency']);
  });

  test('malformed steps and criteria are refused', () => {
    const ok: RampStep = { offered: 1000, achieved: 1000, p99Ms: 1, errorRate: 0 };
    assert.throws(() => findElbow([{ ...ok, offered: 0 }]), /offered must be > 0/);
    assert.throws(() => findElbow([{ ...ok, achieved: -1 }]), RangeError);
    assert.throws(() => findElbow([{ ...ok, errorRate: 1.5 }]), RangeError);
    assert.throws(() => findElbow([{ ...ok, p99Ms: -1 }]), RangeError);
    assert.throws(() => findElbow([ok], { minAchievedRatio: 0 }), RangeError);
    assert.throws(() => findElbow([ok], { sustainedFailures: 1.5 }), RangeError);
    assert.throws(() => findElbow([ok], { sloP99Ms: -5 }), RangeError);
  });

  test('property: the elbow is the highest passing step below the first run of 2 failures', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 20 }), (passes) => {
        const steps = passes.map((pass, i) => ({
          offered: 1000 * (i + 1),
          achieved: 1000 * (i + 1),
          p99Ms: pass ? 10 : 100,
          errorRate: 0,
        }));
        const r = findElbow(steps);
        let collapse = passes.length;
        for (let i = 0; i + 1 < passes.length; i++) {
          if (!passes[i] && !passes[i + 1]) {
            collapse = i;
            break;
          }
        }
        const expected = passes.slice(0, collapse).lastIndexOf(true);
        assert.equal(r.index, expected >= 0 ? expected : null);
        if (r.elbow !== null) assert.ok(r.elbow.pass);
      }),
      { numRuns: 500 },
    );
  });

  test('property: one isolated noisy step below the elbow never moves it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 9000 }),
        fc.integer({ min: 0, max: 9 }),
        (capacity, noisyAt) => {
          const clean = ramp(capacity);
          const base = findElbow(clean);
          fc.pre(base.index !== null && noisyAt < base.index);
          const noisy = clean.map((s, i) => (i === noisyAt ? { ...s, p99Ms: 500 } : s));
          assert.equal(findElbow(noisy).index, base.index);
        },
      ),
      { numRuns: 300 },
    );
  });
});
