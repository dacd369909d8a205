import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  E_CNY_DESIGN_TPS,
  fitUsl,
  type ProjectionInput,
  projectCapacity,
  uslCoresFor,
  uslThroughput,
} from '../../../capacity/analysis/index.js';

const assumptions = {
  signatureSuite: 'Ed25519 (RFC 8032), one signature per transfer',
  backend: '@noble/curves',
  perCoreSource: 'elbow rate ÷ engine cores, 2-core CI runner',
};
const base: ProjectionInput = {
  perCoreTps: 5000,
  coresPerMachine: 32,
  headroom: 0.75,
  sloMs: 50,
  assumptions,
};

describe('capacity/analysis/projection', () => {
  test('linear: 300,000 ÷ (5,000 × 0.75) = 80 cores = 3 machines of 32', () => {
    const r = projectCapacity(base);
    assert.equal(r.targetTps, E_CNY_DESIGN_TPS);
    assert.equal(r.targetTps, 300_000);
    assert.deepEqual(r.linear, { usablePerCoreTps: 3750, cores: 80, machines: 3 });
    assert.equal(r.usl, null);
    assert.match(r.recommendation, /^80 engine cores on 3 machine\(s\), assuming linear scaling/);
    // Exact quotients stay exact: 300,000 ÷ 7,500 = 40 cores = 5 machines of 8.
    assert.deepEqual(projectCapacity({ ...base, perCoreTps: 10_000, coresPerMachine: 8 }).linear, {
      usablePerCoreTps: 7500,
      cores: 40,
      machines: 5,
    });
    // Floating-point dust (150.00000000000003) does not buy an extra core.
    const dusty = projectCapacity({ ...base, headroom: 1, perCoreTps: 2000 * (1 - 2 ** -52) });
    assert.equal(dusty.linear.cores, 150);
  });

  test('USL peak below the target: one engine cannot reach it, shard by coin-id prefix', () => {
    // λ = 10,000, σ = 0.05, κ = 0.001: N* = √(0.95 / 0.001) = 30.82;
    // X(31) = 310,000 / (1 + 1.5 + 0.93) = 90,379.0 > X(30) = 300,000 / 3.32 = 90,361.4.
    // Shard of 31 cores at 75%: 67,784.3 usable TPS -> ⌈300,000 / 67,784.3⌉ = ⌈4.43⌉ = 5 shards.
    const r = projectCapacity({ ...base, usl: { lambda: 10_000, sigma: 0.05, kappa: 0.001 } });
    const u = r.usl!;
    assert.ok(Math.abs(u.peak!.n - 30.822) < 0.001);
    assert.ok(Math.abs(u.ceilingTps! - 90_379.0) < 0.1);
    assert.equal(u.singleEngine.reachable, false);
    assert.equal(u.singleEngine.cores, null);
    assert.match(
      u.singleEngine.reason,
      /cannot reach 300,000 TPS .* tops out at 90,379 TPS near N = 30.8/,
    );
    assert.equal(u.sharded.coresPerShard, 31);
    assert.ok(Math.abs(u.sharded.tpsPerShard - 67_784.26) < 0.01);
    assert.deepEqual(
      { shards: u.sharded.shards, totalCores: u.sharded.totalCores, machines: u.sharded.machines },
      { shards: 5, totalCores: 155, machines: 5 },
    );
    assert.match(r.recommendation, /5 shards of 31 cores .*: 5 machines, 155 cores$/);
  });

  test('USL reachable inside one machine: the smallest N with X(N) × headroom >= target', () => {
    // λ = 20,000, σ = 0.01, κ = 0.0001, need 300,000 / 0.75 = 400,000:
    // X(26) = 520,000 / 1.315 = 395,437 < 400,000 <= X(27) = 540,000 / 1.3302 = 405,954.
    const r = projectCapacity({ ...base, usl: { lambda: 20_000, sigma: 0.01, kappa: 0.0001 } });
    assert.equal(r.usl!.singleEngine.cores, 27);
    assert.equal(r.usl!.singleEngine.fitsOneMachine, true);
    assert.equal(r.usl!.sharded.shards, 1);
    assert.match(
      r.recommendation,
      /^one engine with 27 of the machine's 32 cores reaches 300,000 TPS/,
    );
    assert.ok(
      r.assumptions.includes('Sharding: not needed, one engine on one machine reaches the target.'),
    );
  });

  test('USL reachable only beyond one machine: sharded anyway', () => {
    // σ = κ = 0 is linear: 300,000 / 0.75 / 5,000 = 80 cores > 32; shards of 32 cores give
    // 160,000 × 0.75 = 120,000 usable TPS -> ⌈2.5⌉ = 3 shards.
    const r = projectCapacity({ ...base, usl: { lambda: 5000, sigma: 0, kappa: 0 } });
    const u = r.usl!;
    assert.equal(u.ceilingTps, null);
    assert.equal(u.singleEngine.cores, 80);
    assert.equal(u.singleEngine.fitsOneMachine, false);
    assert.match(u.singleEngine.reason, /would need 80 cores, more than the 32 of one machine/);
    assert.deepEqual(u.sharded, {
      coresPerShard: 32,
      tpsPerShard: 120_000,
      shards: 3,
      totalCores: 96,
      machines: 3,
    });
  });

  test('contention only (κ = 0): the closed form, and the λ/σ ceiling', () => {
    // N >= T(1 − σ) / (λ − σT) = 300,000 × 0.98 / (10,000 − 6,000) = 73.5 -> 74.
    // X(73) = 730,000 / 2.44 = 299,180 < 300,000 <= X(74) = 740,000 / 2.46 = 300,813.
    const amdahl = { lambda: 10_000, sigma: 0.02, kappa: 0 };
    const r = projectCapacity({ ...base, headroom: 1, coresPerMachine: 128, usl: amdahl });
    assert.equal(r.usl!.singleEngine.cores, 74);
    assert.equal(r.usl!.ceilingTps, 500_000);
    const capped = projectCapacity({ ...base, usl: { ...amdahl, sigma: 0.05 } });
    assert.equal(capped.usl!.ceilingTps, 200_000);
    assert.equal(capped.usl!.singleEngine.reachable, false);
    assert.match(capped.usl!.singleEngine.reason, /λ\/σ, approached but never reached/);
  });

  test('uslCoresFor agrees with a brute-force search', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 50_000, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 0.05, noNaN: true })),
        fc.double({ min: 100, max: 1e6, noNaN: true }),
        (lambda, sigma, kappa, need) => {
          const p = { lambda, sigma, kappa };
          let brute: number | null = null;
          for (let n = 1; n <= 5000; n++) {
            if (uslThroughput(p, n) >= need) {
              brute = n;
              break;
            }
          }
          const got = uslCoresFor(p, need);
          if (brute !== null) assert.equal(got, brute);
          // Beyond the brute-force range: either unreachable or a valid, minimal answer.
          else if (got !== null) {
            assert.ok(
              got > 5000 && uslThroughput(p, got) >= need && uslThroughput(p, got - 1) < need,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('every assumption is listed as a printable line', () => {
    const r = projectCapacity({
      ...base,
      usl: { lambda: 10_000, sigma: 0.05, kappa: 0.001 },
      assumptions: { ...assumptions, extra: ['Journal: one NVMe device per engine'] },
    });
    const text = r.assumptions.join('\n');
    for (const needle of [
      /Target: 300,000 TPS, the figure publicly reported as e-CNY's design target, served at p99 <= 50 ms/,
      /Signature suite: Ed25519 \(RFC 8032\), one signature per transfer/,
      /Crypto backend: @noble\/curves/,
      /Per-core rate: 5,000 settled TPS per engine core, measured as elbow rate ÷ engine cores, 2-core CI runner/,
      /SLO: p99 <= 50 ms/,
      /Headroom: cores planned at 75% of their measured capacity \(25% spare/,
      /32 cores each/,
      /USL contention σ = 0.05: 5% of the work is serialised/,
      /USL coherency penalty κ = 0.001: .*peaks at N\* = 30.8 cores/,
      /quality \(points, R²\) is not known/,
      /partitioned by coin-id prefix \(as OpenCBDC shards its unspent set\)/,
      /Cross-shard transactions .* not modelled/,
      /^Journal: one NVMe device per engine$/m,
    ]) {
      assert.match(text, needle);
    }
    for (const line of r.assumptions) assert.ok(!line.includes('\n') && line.length > 0);
    const other = projectCapacity({ ...base, targetTps: 50_000 });
    assert.match(other.assumptions[0]!, /^Target: 50,000 TPS, served at/);
    assert.match(other.assumptions.join('\n'), /USL: no fit supplied/);
  });

  test('an untrustworthy USL fit (2-core sweep) is carried through and flagged', () => {
    const fit = fitUsl([
      { n: 1, x: 10_000 },
      { n: 2, x: 19_000 },
    ]);
    const r = projectCapacity({ ...base, usl: fit });
    assert.equal(r.usl!.trustworthy, false);
    assert.match(r.recommendation, /^Indicative only \(USL fit not trustworthy\): /);
    assert.ok(r.assumptions.some((l) => /^USL fit NOT trustworthy: only 2 distinct N/.test(l)));
  });

  test('invalid input is refused', () => {
    assert.throws(() => projectCapacity({ ...base, perCoreTps: 0 }), RangeError);
    assert.throws(() => projectCapacity({ ...base, targetTps: -1 }), RangeError);
    assert.throws(() => projectCapacity({ ...base, headroom: 0 }), /headroom/);
    assert.throws(() => projectCapacity({ ...base, headroom: 1.2 }), /headroom/);
    assert.throws(() => projectCapacity({ ...base, coresPerMachine: 2.5 }), /coresPerMachine/);
    assert.throws(() => projectCapacity({ ...base, sloMs: 0 }), /sloMs/);
    assert.throws(
      () => projectCapacity({ ...base, usl: { lambda: 1, sigma: 1.5, kappa: 0 } }),
      /usl.sigma/,
    );
    assert.throws(
      () => projectCapacity({ ...base, usl: { lambda: 0, sigma: 0, kappa: 0 } }),
      /usl.lambda/,
    );
  });
});
