import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hodgesLehmannRatio, mannWhitney, median } from '../../gate/index.js';

describe('gate/stats', () => {
  test('median of odd and even counts, input untouched', () => {
    const xs = [5, 1, 3];
    assert.equal(median(xs), 3);
    assert.deepEqual(xs, [5, 1, 3]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });

  test('Hodges–Lehmann ratio is the median of pairwise ratios and shrugs off one wild value', () => {
    assert.equal(hodgesLehmannRatio([1, 2], [2, 4]), 2); // ratios 2, 1, 4, 2 -> median 2
    const base = [100, 101, 99, 100, 100];
    assert.ok(Math.abs(hodgesLehmannRatio(base, [80, 81, 79, 80, 400]) - 0.8) < 0.02);
  });

  test('exact Mann–Whitney p-values match the textbook tables', () => {
    // Complete separation: p = 1 / C(n+m, n).
    const low = [1, 2, 3, 4, 5];
    const high = [6, 7, 8, 9, 10];
    const sep = mannWhitney(high, low);
    assert.equal(sep.u, 0);
    assert.ok(sep.exact);
    assert.ok(Math.abs(sep.pLess - 1 / 252) < 1e-12);
    assert.ok(Math.abs(sep.pGreater - 1) < 1e-12);
    assert.ok(Math.abs(mannWhitney([4, 5, 6], [1, 2, 3]).pLess - 1 / 20) < 1e-12);
    // n = m = 5, U = 2: arrangements with U <= 2 are 1 + 1 + 2 of 252.
    const u2 = mannWhitney([5, 6, 8, 9, 10], [1, 2, 3, 4, 7]);
    assert.equal(u2.u, 2);
    assert.ok(Math.abs(u2.pLess - 4 / 252) < 1e-12);
    assert.ok(Math.abs(u2.pGreater - (1 - 2 / 252)) < 1e-12);
  });

  test('ties count one half and round towards the less significant side', () => {
    const r = mannWhitney([1, 2, 3], [1, 2, 3]);
    assert.equal(r.u, 4.5);
    assert.ok(r.pLess > 0.5 && r.pGreater > 0.5);
  });

  test('the exact null distribution sums to one; p-values are probabilities', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (b, c) => {
          const r = mannWhitney(b, c);
          assert.ok(r.pLess >= 0 && r.pLess <= 1 && r.pGreater >= 0 && r.pGreater <= 1);
          // The two tails overlap at the observed U, so they cover everything.
          assert.ok(r.pLess + r.pGreater >= 1 - 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('normal approximation (large samples) agrees with the exact test near the switch-over', () => {
    const base = Array.from({ length: 50 }, (_, i) => i);
    const exact = mannWhitney(
      base,
      base.map((x) => x - 8),
    );
    const approx = mannWhitney(
      [...base, 50],
      base.map((x) => x - 8),
    );
    assert.ok(exact.exact && !approx.exact);
    assert.ok(Math.abs(exact.pLess - approx.pLess) < 0.02, `${exact.pLess} vs ${approx.pLess}`);
  });
});
