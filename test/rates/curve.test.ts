/** Arrival curves: the inversion puts exactly the planned count where the curve says. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ArrivalCurve,
  curvePieces,
  eventTimes,
  hourlyProfileCurve,
  perSecond,
  rateAt,
  totalArea,
} from '../../rates/index.js';

/** Expected count in [a, b) for `n` events under `curve`. */
function expectedIn(curve: ArrivalCurve, n: number, a: number, b: number): number {
  const segs = curvePieces(curve);
  const total = totalArea(segs);
  // Numeric integral with fine steps (exact enough for piecewise-linear curves).
  const steps = 20_000;
  let area = 0;
  for (let k = 0; k < steps; k++) {
    const u = a + ((k + 0.5) / steps) * (b - a);
    area += rateAt(segs, u) * ((b - a) / steps);
  }
  return (area / total) * n;
}

function countIn(times: Float64Array, a: number, b: number): number {
  let c = 0;
  for (const t of times) if (t >= a && t < b) c++;
  return c;
}

const CURVES: Record<string, ArrivalCurve> = {
  constant: { kind: 'constant' },
  ramp: { kind: 'ramp', from: 1, to: 5 },
  'ramp down to zero': { kind: 'ramp', from: 4, to: 0 },
  steps: {
    kind: 'steps',
    steps: [
      { until: 0.25, rate: 1 },
      { until: 0.5, rate: 0 },
      { until: 0.75, rate: 4 },
      { until: 1, rate: 2 },
    ],
  },
  curve: {
    kind: 'curve',
    points: [
      { t: 0, rate: 0 },
      { t: 0.3, rate: 3 },
      { t: 0.3, rate: 10 },
      { t: 0.4, rate: 1 },
      { t: 1, rate: 1 },
    ],
  },
};

describe('arrival curves', () => {
  for (const [name, curve] of Object.entries(CURVES)) {
    it(`${name}: exact total, ascending, counts within one of the integral`, () => {
      const n = 5_003;
      const times = eventTimes(curve, n);
      assert.equal(times.length, n);
      for (let i = 1; i < n; i++) assert.ok(times[i]! >= times[i - 1]!);
      assert.ok(times[0]! > 0 && times[n - 1]! < 1);
      for (let k = 0; k < 10; k++) {
        const a = k / 10;
        const b = (k + 1) / 10;
        const got = countIn(times, a, b);
        const want = expectedIn(curve, n, a, b);
        assert.ok(Math.abs(got - want) <= 1.5, `${name} [${a}, ${b}): ${got} vs ${want}`);
      }
    });
  }

  it('puts nothing where the rate is zero', () => {
    const times = eventTimes(CURVES.steps!, 1_000);
    assert.equal(countIn(times, 0.25, 0.5), 0);
  });

  it('per-second counts sum to the total', () => {
    const times = eventTimes(CURVES.curve!, 777);
    const ms = Array.from(times, (u) => u * 12_345);
    const rate = perSecond(ms, 12_345);
    assert.equal(rate.length, 13);
    assert.equal(
      rate.reduce((a, b) => a + b, 0),
      777,
    );
  });

  it('builds daily profiles with a jump at midnight between day weights', () => {
    const curve = hourlyProfileCurve(
      18,
      30,
      [
        [0, 1],
        [12, 3],
        [24, 1],
      ],
      [1, 2],
    );
    assert.equal(curve.kind, 'curve');
    if (curve.kind !== 'curve') return;
    assert.equal(curve.points[0]!.t, 0);
    assert.equal(curve.points[curve.points.length - 1]!.t, 1);
    // 18:00 on day 0 is halfway from 12:00 (3) to 24:00 (1).
    assert.ok(Math.abs(curve.points[0]!.rate - 2) < 1e-9);
    // Midnight: day 0 ends at 1, day 1 starts at 2 (its weight).
    const midnight = curve.points.filter((p) => Math.abs(p.t - 6 / 30) < 1e-12);
    assert.deepEqual(
      midnight.map((p) => p.rate),
      [1, 2],
    );
  });
});
