/**
 * Schedules: absolute rate shapes that override a workload's send times. Each piece sends at
 * areas 0, 1, 2, ... from its start: constant stages at k / rate (the loop the driver ran before
 * schedules became pieces serves as the oracle), ramps where the area a·t + b·t²/2 reaches k.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ScheduleSpec,
  scheduleArrivalCount,
  scheduleArrivals,
  scheduleDurationMs,
  validateSchedule,
} from '../../rates/index.js';

/** The stage-by-stage loop of constant rates: k·(1000 / rate) while inside the stage. */
function stagesOracle(steps: readonly { rate: number; durationMs: number }[]): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const step of steps) {
    if (step.rate > 0) {
      const interval = 1000 / step.rate;
      for (let k = 0; ; k++) {
        const t = k * interval;
        if (t >= step.durationMs) break;
        out.push(offset + t);
      }
    }
    offset += step.durationMs;
  }
  return out;
}

function assertClose(got: Float64Array, want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  want.forEach((t, i) => {
    assert.ok(
      Math.abs(got[i]! - t) <= 1e-9 * Math.max(1, t),
      `${what}: arrival ${i} ${got[i]} vs ${t}`,
    );
  });
}

describe('schedules', () => {
  it('constant: evenly spaced, ends at the duration, truncated to the ops available', () => {
    const at = scheduleArrivals({ type: 'constant', rate: 100, durationMs: 1000 }, 1_000_000);
    assert.equal(at.length, 100);
    assert.equal(at[1], 10);
    assert.equal(scheduleArrivals({ type: 'constant', rate: 100, durationMs: 1000 }, 7).length, 7);
  });

  it('ramp: the count is the area under the rate line, and gaps shrink as the rate grows', () => {
    const at = scheduleArrivals({ type: 'ramp', fromRate: 0, toRate: 200, durationMs: 2000 }, 1e6);
    assert.ok(Math.abs(at.length - 200) <= 1, `${at.length}`);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! > at[i - 1]!);
    assert.ok(at[1]! - at[0]! > at.at(-1)! - at.at(-2)!);
  });

  it('steps: stage after stage, pauses included', () => {
    const spec = {
      type: 'steps',
      steps: [
        { rate: 10, durationMs: 1000 },
        { rate: 0, durationMs: 500 },
        { rate: 20, durationMs: 1000 },
      ],
    } as const;
    const at = scheduleArrivals(spec, 1e6);
    assert.equal(at.length, 30);
    assert.equal(at[10], 1500);
    assert.equal(scheduleDurationMs(spec), 2500);
  });

  it('validation names the field', () => {
    assert.deepEqual(validateSchedule({ type: 'wave' }), [
      'schedule.type must be one of constant, ramp, steps, got wave',
    ]);
    assert.match(
      validateSchedule({ type: 'constant', rate: -1, durationMs: 5 })[0]!,
      /schedule.rate/,
    );
  });

  it('constant stages send k / rate within each stage, ⌈rate·d⌉ of them', () => {
    for (const rate of [1, 3, 7.5, 100, 333.3, 1000, 2500])
      for (const d of [1, 2, 3, 5, 10]) {
        const steps = [{ rate, durationMs: d * 1000 }];
        const spec: ScheduleSpec = { type: 'steps', steps };
        assertClose(
          scheduleArrivals(spec, Number.MAX_SAFE_INTEGER),
          stagesOracle(steps),
          `${rate}/s ${d} s`,
        );
        assert.equal(scheduleArrivalCount(spec), Math.ceil(rate * d - 1e-9), `${rate}/s ${d} s`);
        const constant: ScheduleSpec = { type: 'constant', rate, durationMs: d * 1000 };
        assertClose(
          scheduleArrivals(constant, Number.MAX_SAFE_INTEGER),
          stagesOracle(steps),
          'constant',
        );
      }
    const stages = [
      { rate: 10, durationMs: 1000 },
      { rate: 0, durationMs: 500 },
      { rate: 33.3, durationMs: 1500 },
      { rate: 7, durationMs: 250 },
    ];
    assertClose(
      scheduleArrivals({ type: 'steps', steps: stages }, 1e6),
      stagesOracle(stages),
      'stages',
    );
  });

  it('ramps put arrival k where the area under the rate line reaches k', () => {
    for (const [from, to, d] of [
      [0, 200, 2000],
      [50, 400, 3000],
      [400, 0, 1500],
      [300, 10, 2500],
      [120, 120, 1000],
    ] as const) {
      const got = scheduleArrivals(
        { type: 'ramp', fromRate: from, toRate: to, durationMs: d },
        1e6,
      );
      // Sends by time t (ms): a·t + b·t²/2, evaluated directly (no inversion).
      const a = from / 1000;
      const b = (to - from) / (1000 * d);
      const area = (t: number) => a * t + (b * t * t) / 2;
      assert.equal(got.length, Math.ceil(area(d) - 1e-9), `ramp ${from} -> ${to}: count`);
      got.forEach((t, k) => {
        assert.ok(t >= 0 && t < d, `ramp ${from} -> ${to}: arrival ${k} at ${t}`);
        assert.ok(
          Math.abs(area(t) - k) < 1e-9 * Math.max(1, k),
          `ramp ${from} -> ${to}: arrival ${k}`,
        );
      });
    }
  });
});
