import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fitUsl,
  type UslParams,
  type UslPoint,
  uslPeakN,
  uslThroughput,
} from '../../../capacity/analysis/index.js';
import { gaussian, prng } from '../../fixtures/prng.js';

/** A worker sweep like a 64-core machine would give, 3 trials per N. */
const SWEEP = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64];

function synthetic(p: UslParams, noise: number, seed: number, ns = SWEEP, trials = 3): UslPoint[] {
  const r = prng(seed);
  const points: UslPoint[] = [];
  for (const n of ns) {
    for (let t = 0; t < trials; t++)
      points.push({ n, x: uslThroughput(p, n) * (1 + noise * gaussian(r)) });
  }
  return points;
}

const CASES: UslParams[] = [
  { lambda: 1000, sigma: 0.05, kappa: 0.001 }, // peak inside the sweep (N* ≈ 31)
  { lambda: 20_000, sigma: 0.02, kappa: 0.0002 }, // peak just beyond it (N* = 70)
  { lambda: 5000, sigma: 0.1, kappa: 0.005 }, // early peak (N* ≈ 13), clearly retrograde
  { lambda: 800, sigma: 0, kappa: 0.0005 }, // pure coherency
  { lambda: 3000, sigma: 0.2, kappa: 0 }, // pure contention (Amdahl)
];

describe('capacity/analysis/usl', () => {
  test('uslThroughput and the peak formula', () => {
    const p = { lambda: 1000, sigma: 0.1, kappa: 0.01 };
    assert.equal(uslThroughput(p, 1), 1000);
    assert.equal(uslThroughput(p, 2), 2000 / (1 + 0.1 + 0.02));
    assert.equal(uslPeakN(p), Math.sqrt(0.9 / 0.01));
    assert.equal(uslPeakN({ ...p, kappa: 0 }), null);
    assert.equal(uslPeakN({ ...p, sigma: 1 }), 1); // N* = 0 clamps to one worker
  });

  test('recovers the parameters exactly from noise-free data, with either weighting', () => {
    for (const p of [
      ...CASES,
      { lambda: 1234, sigma: 0, kappa: 0 },
      { lambda: 10, sigma: 0.9, kappa: 0.3 },
    ]) {
      const points = SWEEP.map((n) => ({ n, x: uslThroughput(p, n) }));
      for (const weighting of ['relative', 'absolute'] as const) {
        const f = fitUsl(points, { weighting });
        const label = `${JSON.stringify(p)} ${weighting}`;
        assert.ok(Math.abs(f.lambda / p.lambda - 1) < 1e-5, label);
        assert.ok(Math.abs(f.sigma - p.sigma) < 1e-5, label);
        assert.ok(Math.abs(f.kappa - p.kappa) <= 1e-5 * Math.max(p.kappa, 1e-3), label);
        // Bounds are hit exactly, not approached: κ = 1e-12 would predict a peak at N ≈ 10⁶.
        if (p.kappa === 0) assert.equal(f.kappa, 0, label);
        if (p.sigma === 0) assert.equal(f.sigma, 0, label);
        assert.ok(f.rSquared > 0.999999 && f.trustworthy, label);
      }
    }
  });

  test('recovers λ, σ, κ and the peak from data with 3-5% multiplicative noise (seeded)', () => {
    for (const p of CASES) {
      for (const noise of [0.03, 0.05]) {
        for (let seed = 1; seed <= 8; seed++) {
          const f = fitUsl(synthetic(p, noise, seed * 7919 + Math.round(noise * 100)));
          const label = `${JSON.stringify(p)} noise ${noise} seed ${seed}: ${JSON.stringify({ l: f.lambda, s: f.sigma, k: f.kappa })}`;
          assert.ok(f.trustworthy, `${label} ${f.reason}`);
          assert.ok(Math.abs(f.lambda / p.lambda - 1) < 0.06, `λ ${label}`);
          assert.ok(Math.abs(f.sigma - p.sigma) < 0.025, `σ ${label}`);
          if (p.kappa > 0) {
            assert.ok(Math.abs(f.kappa / p.kappa - 1) < 0.6, `κ ${label}`);
            // What capacity planning uses: where and how high the curve peaks.
            const trueX = uslThroughput(p, uslPeakN(p)!);
            assert.ok(f.peak !== null && Math.abs(f.peak.x / trueX - 1) < 0.06, `peak X ${label}`);
            assert.ok(Math.abs(f.peak.n / uslPeakN(p)! - 1) < 0.35, `peak N ${label}`);
          } else {
            // κ = 0 is on the boundary, so noise can only push it up; whatever κ is found must not
            // bend the curve more than the noise does across the sweep.
            assert.ok(f.kappa < 5e-4, `κ ${label}`);
            assert.ok(
              Math.abs(uslThroughput(f, 64) / uslThroughput(p, 64) - 1) < 0.07,
              `X(64) ${label}`,
            );
          }
          assert.ok(f.sigma >= 0 && f.sigma <= 1 && f.kappa >= 0 && f.kappa <= 1 && f.lambda > 0);
        }
      }
    }
  });

  test('two points (a 2-core machine: N = 1, 2) are reported as untrustworthy, honestly', () => {
    const f = fitUsl([
      { n: 1, x: 10_000 },
      { n: 1, x: 10_200 },
      { n: 2, x: 18_500 },
      { n: 2, x: 18_900 },
    ]);
    assert.equal(f.trustworthy, false);
    assert.equal(f.distinctN, 2);
    assert.deepEqual(f.pinned, ['kappa']);
    assert.equal(f.kappa, 0);
    assert.equal(f.peak, null);
    assert.match(f.reason, /only 2 distinct N \(1, 2\)/);
    assert.match(f.reason, /at least 4 distinct N/);
    assert.match(f.reason, /2-core machine only yields N = 1, 2/);
    // The numbers that are returned still describe the two points.
    assert.ok(Math.abs(f.lambda - 10_100) < 50);
    assert.ok(f.sigma > 0.05 && f.sigma < 0.12);
  });

  test('three distinct N are still too few; one N pins σ too', () => {
    const three = fitUsl([1, 2, 4].map((n) => ({ n, x: uslThroughput(CASES[0]!, n) })));
    assert.equal(three.trustworthy, false);
    assert.match(three.reason, /only 3 distinct N/);
    const one = fitUsl([
      { n: 2, x: 1900 },
      { n: 2, x: 2100 },
    ]);
    assert.equal(one.trustworthy, false);
    assert.deepEqual(one.pinned, ['sigma', 'kappa']);
    assert.ok(Math.abs(one.lambda - 1000) < 10);
    assert.match(one.reason, /σ and κ were pinned to 0/);
  });

  test('data the USL cannot describe get a poor R² and are untrustworthy', () => {
    const zigzag = SWEEP.map((n, i) => ({ n, x: i % 2 === 0 ? 1000 : 5000 }));
    const f = fitUsl(zigzag);
    assert.ok(f.rSquared < 0.9);
    assert.equal(f.trustworthy, false);
    assert.match(f.reason, /R² = .* is below 0.9/);
    // The threshold is the caller's: a near-perfect fit fails an impossible one.
    const good = synthetic(CASES[0]!, 0.03, 3);
    assert.equal(fitUsl(good).trustworthy, true);
    assert.equal(fitUsl(good, { minRSquared: 0.99999 }).trustworthy, false);
  });

  test('residuals, RMSE and R² are consistent and in input order', () => {
    const points = synthetic(CASES[0]!, 0.04, 42);
    const f = fitUsl(points);
    assert.equal(f.residuals.length, points.length);
    let sse = 0;
    for (const [i, r] of f.residuals.entries()) {
      assert.equal(r.n, points[i]!.n);
      assert.equal(r.x, points[i]!.x);
      assert.ok(Math.abs(r.predicted - uslThroughput(f, r.n)) < 1e-9 * r.predicted);
      assert.ok(Math.abs(r.residual - (r.x - r.predicted)) < 1e-9);
      sse += r.residual ** 2;
    }
    assert.ok(Math.abs(f.rmse - Math.sqrt(sse / points.length)) < 1e-9 * f.rmse);
    const mean = points.reduce((s, p) => s + p.x, 0) / points.length;
    const sst = points.reduce((s, p) => s + (p.x - mean) ** 2, 0);
    assert.ok(Math.abs(f.rSquared - (1 - sse / sst)) < 1e-12);
  });

  test('a peak far beyond the measured range is flagged as extrapolated', () => {
    const p = { lambda: 1000, sigma: 0.01, kappa: 0.00001 }; // N* ≈ 315
    const f = fitUsl([1, 2, 4, 8, 16].map((n) => ({ n, x: uslThroughput(p, n) })));
    assert.ok(f.trustworthy);
    assert.ok(f.notes.some((n) => /far beyond the largest measured N = 16/.test(n)));
  });

  test('invalid points are refused', () => {
    assert.throws(() => fitUsl([]), RangeError);
    assert.throws(() => fitUsl([{ n: 0, x: 1 }]), /n must be >= 1/);
    assert.throws(() => fitUsl([{ n: 1, x: -1 }]), /x must be >= 0/);
    assert.throws(() => fitUsl([{ n: 1, x: Number.NaN }]), RangeError);
    assert.throws(() => fitUsl([{ n: 1, x: 0 }]), /every throughput is 0/);
  });
});
