import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  planRamp,
  type StepSecond,
  stepSchedule,
  summarizeStep,
} from '../../../capacity/analysis/index.js';
import { scheduleArrivals } from '../../../rates/index.js';

/** A synthetic second: `rate` offered and answered, the given p99. */
function second(t: number, over: Partial<StepSecond> = {}): StepSecond {
  return {
    t,
    offered: 1000,
    sent: 1000,
    achieved: 1000,
    settled: 980,
    dropped: 0,
    errors: 0,
    shed: 0,
    latencyCount: 1000,
    p99Ms: 10,
    p50Ms: 2,
    ...over,
  };
}

describe('capacity/analysis/steps: planning', () => {
  test('each step plans exactly the operations its schedule sends', () => {
    for (const start of [1, 3, 7.5, 333.3, 2500])
      for (const d of [1, 3, 10]) {
        const plan = planRamp(
          { start, step: start / 3, maxSteps: 3, stepDurationS: d, warmupS: 0 },
          Number.MAX_SAFE_INTEGER,
        );
        for (const s of plan.steps) {
          const sent = scheduleArrivals(stepSchedule(s.rate, d), Number.MAX_SAFE_INTEGER).length;
          assert.equal(s.ops, sent, `rate ${s.rate}, ${d} s`);
          assert.equal(s.ops, Math.ceil(s.rate * d - 1e-9), `rate ${s.rate}, ${d} s`);
        }
      }
  });

  test('rates go start, start+step, ...; each step takes the next slice of operations', () => {
    const plan = planRamp(
      { start: 500, step: 250, maxSteps: 4, stepDurationS: 4, warmupS: 1 },
      1_000_000,
    );
    assert.deepEqual(
      plan.steps.map((s) => s.rate),
      [500, 750, 1000, 1250],
    );
    assert.deepEqual(
      plan.steps.map((s) => s.ops),
      [2000, 3000, 4000, 5000],
    );
    assert.deepEqual(
      plan.steps.map((s) => s.firstOp),
      [0, 2000, 5000, 9000],
    );
    assert.equal(plan.opsNeeded, 14_000);
    assert.equal(plan.opsUsed, 14_000);
    assert.equal(plan.truncated, 0);
  });

  test('the plan stops at the last step the workload can fill, and says how many it dropped', () => {
    const plan = planRamp(
      { start: 500, step: 500, maxSteps: 5, stepDurationS: 2, warmupS: 1 },
      6500,
    );
    // 1000 + 2000 + 3000 = 6000 fit; the fourth step (4000 more) does not.
    assert.equal(plan.steps.length, 3);
    assert.equal(plan.opsUsed, 6000);
    assert.equal(plan.truncated, 2);
    assert.equal(plan.opsNeeded, 1000 + 2000 + 3000 + 4000 + 5000);
  });

  test('bad plans are refused with the field named', () => {
    const ok = { start: 100, step: 100, maxSteps: 3, stepDurationS: 3, warmupS: 1 };
    assert.throws(() => planRamp({ ...ok, start: 0 }, 1e6), /start/);
    assert.throws(() => planRamp({ ...ok, step: -1 }, 1e6), /step/);
    assert.throws(() => planRamp({ ...ok, maxSteps: 0 }, 1e6), /maxSteps/);
    assert.throws(() => planRamp({ ...ok, stepDurationS: 2.5 }, 1e6), /stepDurationS/);
    assert.throws(() => planRamp({ ...ok, warmupS: 3 }, 1e6), /warmupS/);
  });
});

describe('capacity/analysis/steps: summarising a step', () => {
  test('warm-up seconds and the drain after the schedule are left out', () => {
    // 5 s step, 2 s warm-up: t = 0, 1 are warm-up (slow, high latency), t = 5, 6 are the drain.
    const seconds = [
      second(0, { achieved: 100, settled: 90, p99Ms: 900 }),
      second(1, { achieved: 600, settled: 590, p99Ms: 400 }),
      second(2),
      second(3),
      second(4),
      second(5, { offered: 0, sent: 0, achieved: 3000, settled: 3000, p99Ms: 2000 }),
      second(6, { offered: 0, sent: 0, achieved: 50, settled: 50, p99Ms: 3000 }),
    ];
    const s = summarizeStep(seconds, { offered: 1000, durationS: 5, warmupS: 2 });
    assert.equal(s.measuredS, 3);
    assert.equal(s.achieved, 1000);
    assert.equal(s.settled, 980);
    assert.equal(s.offeredMeasured, 1000);
    assert.equal(s.p99Ms, 10, 'neither the warm-up nor the drain latency counts');
    assert.equal(s.p50Ms, 2);
    assert.equal(s.errorRate, 0);
    assert.equal(s.offered, 1000);
    assert.equal(s.latencyExact, false);
  });

  test('a kept second with no data still counts as elapsed: rates are per measured second', () => {
    const s = summarizeStep([second(1), second(3)], { offered: 1000, durationS: 4, warmupS: 1 });
    // t = 2 is missing: 2000 answers over 3 measured seconds.
    assert.equal(s.measuredS, 3);
    assert.ok(Math.abs(s.achieved - 2000 / 3) < 1e-9);
  });

  test('engine cores: the mean over the kept seconds that report them, null when none do', () => {
    const s = summarizeStep(
      [
        second(0, { engineCores: 0.2 }),
        second(1, { engineCores: 1.5 }),
        second(2),
        second(3, { engineCores: 1.7 }),
      ],
      { offered: 1000, durationS: 4, warmupS: 1 },
    );
    assert.ok(Math.abs(s.engineCores! - 1.6) < 1e-9, 'the warm-up second and t=2 are left out');
    const none = summarizeStep([second(1), second(2)], { offered: 1000, durationS: 3, warmupS: 1 });
    assert.equal(none.engineCores, null);
  });

  test('without histograms, p99 is the largest per-second p99 (an upper bound)', () => {
    const s = summarizeStep(
      [second(1, { p99Ms: 5 }), second(2, { p99Ms: 40 }), second(3, { p99Ms: 12 })],
      { offered: 1000, durationS: 4, warmupS: 1 },
    );
    assert.equal(s.p99Ms, 40);
  });

  test('with merged histograms, p99 comes from them, over exactly the kept seconds', () => {
    let asked: readonly number[] = [];
    const s = summarizeStep(
      [second(0), second(1), second(2), second(3), second(4)],
      { offered: 1000, durationS: 4, warmupS: 1 },
      (kept) => {
        asked = kept;
        return { p50Ms: 1.5, p99Ms: 17, count: 3000 };
      },
    );
    assert.deepEqual(asked, [1, 2, 3]);
    assert.equal(s.p99Ms, 17);
    assert.equal(s.p50Ms, 1.5);
    assert.equal(s.latencyExact, true);
  });

  test('nothing answered: p99 is NaN (the elbow rule counts that as a latency failure)', () => {
    const s = summarizeStep(
      [second(1, { achieved: 0, settled: 0, latencyCount: 0, errors: 1000 })],
      { offered: 1000, durationS: 2, warmupS: 1 },
    );
    assert.ok(Number.isNaN(s.p99Ms));
    assert.ok(Number.isNaN(s.p50Ms));
    assert.equal(s.achieved, 0);
    assert.equal(s.errorRate, 1);
  });

  test('error rate: failures and shed load over everything answered or failed', () => {
    const s = summarizeStep([second(1, { achieved: 900, errors: 50, shed: 45 })], {
      offered: 1000,
      durationS: 2,
      warmupS: 1,
    });
    assert.ok(Math.abs(s.errorRate - 95 / 950) < 1e-12);
    assert.equal(s.errors, 50);
    assert.equal(s.shed, 45);
  });

  test('dropped sends are counted, and show as achieved below offered', () => {
    const s = summarizeStep([second(1, { sent: 700, achieved: 700, settled: 690, dropped: 300 })], {
      offered: 1000,
      durationS: 2,
      warmupS: 1,
    });
    assert.equal(s.dropped, 300);
    assert.equal(s.achieved, 700);
  });

  test('bad options are refused', () => {
    assert.throws(() => summarizeStep([], { offered: 0, durationS: 2, warmupS: 1 }), /offered/);
    assert.throws(() => summarizeStep([], { offered: 1, durationS: 2, warmupS: 2 }), /warmupS/);
    assert.throws(() => summarizeStep([], { offered: 1, durationS: 1.5, warmupS: 0 }), /whole/);
  });
});
