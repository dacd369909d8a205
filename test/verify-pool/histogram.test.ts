import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createHistogram,
  decodeHistogram,
  distribution,
  encodeHistogram,
  HIGHEST_MICROS,
  percentiles,
  recordMicros,
} from '../../engine/metrics/index.js';

describe('engine/metrics histograms', () => {
  test('percentiles are in milliseconds, zeros when empty', () => {
    const h = createHistogram();
    assert.deepEqual(percentiles(h), {
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      p9999: 0,
      max: 0,
    });
    for (let us = 1; us <= 1000; us++) recordMicros(h, us * 10); // 10 µs .. 10 ms
    const p = percentiles(h);
    assert.equal(p.count, 1000);
    assert.ok(Math.abs(p.min - 0.01) < 0.0001);
    assert.ok(Math.abs(p.p50 - 5) / 5 < 0.002);
    assert.ok(Math.abs(p.p99 - 9.9) / 9.9 < 0.002);
    assert.ok(Math.abs(p.max - 10) / 10 < 0.002);
    assert.ok(Math.abs(p.mean - 5.005) / 5.005 < 0.002);
    assert.ok(p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.p9999);
  });

  test('recordMicros clamps out-of-range values instead of throwing', () => {
    const h = createHistogram();
    recordMicros(h, -3);
    recordMicros(h, HIGHEST_MICROS * 10);
    recordMicros(h, Number.NaN);
    assert.equal(h.totalCount, 2);
    assert.equal(percentiles(h).min, 0);
  });

  test('encode/decode round-trips and decoded histograms merge with add()', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 100; i++) recordMicros(a, i);
    for (let i = 1; i <= 100; i++) recordMicros(b, 1_000_000 + i);
    const decoded = decodeHistogram(encodeHistogram(a));
    assert.deepEqual(distribution(decoded), distribution(a));
    decoded.add(decodeHistogram(encodeHistogram(b)));
    assert.equal(decoded.totalCount, 200);
    assert.ok(Math.abs(decoded.maxValue - 1_000_100) / 1_000_100 < 0.001);
    // A decoded histogram also absorbs a fresh one holding the largest trackable value.
    const big = createHistogram();
    recordMicros(big, HIGHEST_MICROS);
    decoded.add(big);
    assert.equal(decoded.totalCount, 201);
  });
});
