/**
 * The lean Prometheus registry (engine/metrics/prometheus.ts): histogram buckets hold what
 * Prometheus means by `le` (inclusive upper bounds, cumulative in the text), sums and counts,
 * label escaping, and names refused at registration rather than at the first scrape.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineMetrics, MetricsRegistry } from '../../engine/metrics/index.js';
import { parseExposition, promtoolCheck, sampleOf } from '../fixtures/exposition.js';

describe('MetricsRegistry', () => {
  test('a histogram counts each value in the first bucket whose bound holds it, cumulatively', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('t_latency_seconds', 'Test latency.', [0.001, 0.01, 0.1], ['stage']);
    const a = h.series('a');
    for (const v of [0, 0.001, 0.0010001, 0.01, 0.05, 0.1, 3]) a.observe(v);
    const m = parseExposition(r.render());
    const bucket = (le: string) => sampleOf(m, `t_latency_seconds_bucket{stage="a",le="${le}"}`);
    assert.equal(bucket('0.001'), 2); // 0 and 0.001: the bound is inclusive
    assert.equal(bucket('0.01'), 4);
    assert.equal(bucket('0.1'), 6);
    assert.equal(bucket('+Inf'), 7);
    assert.equal(sampleOf(m, 't_latency_seconds_count{stage="a"}'), 7);
    assert.ok(Math.abs(sampleOf(m, 't_latency_seconds_sum{stage="a"}') - 3.1620001) < 1e-12);
  });

  test('a clock step counts as 0, a non-finite value is dropped', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('t_seconds', 'Test.', [1]).series();
    h.observe(-5);
    h.observe(Number.NaN);
    h.observe(Number.POSITIVE_INFINITY);
    h.observeMs(500);
    assert.equal(h.count, 2);
    assert.equal(h.sum, 0.5);
    assert.deepEqual([...h.counts], [2, 0]);
  });

  test('one handle per label set; label values are escaped', () => {
    const r = new MetricsRegistry();
    const c = r.counter('t_events_total', 'Test events.', ['code']);
    assert.equal(c.series('X'), c.series('X'));
    c.series('X').value += 2;
    c.series('a"b\\c\nd').value++;
    const text = r.render();
    assert.match(text, /^t_events_total\{code="X"\} 2$/m);
    assert.ok(text.includes('t_events_total{code="a\\"b\\\\c\\nd"} 1'), text);
    parseExposition(text);
    assert.throws(() => c.series(), /takes labels code/);
  });

  test('bad names, bad buckets and a second family of one name are refused when registered', () => {
    const r = new MetricsRegistry();
    assert.throws(() => r.counter('bad-name_total', 'x'), /invalid metric name/);
    assert.throws(() => r.counter('t_total', 'x', ['le']), /invalid label name/);
    assert.throws(() => r.counter('t2_total', 'x', ['__x']), /invalid label name/);
    assert.throws(() => r.histogram('t_seconds', 'x', [1, 1]), /strictly increasing/);
    assert.throws(() => r.histogram('t_seconds', 'x', []), /at least one bucket/);
    r.gauge('t_gauge', 'x');
    assert.throws(() => r.gauge('t_gauge', 'x'), /registered twice/);
  });

  test('collected families read their values at each scrape', () => {
    const r = new MetricsRegistry();
    let n = 1;
    r.collected('t_things', 'gauge', 'Things.', () => [['', n]]);
    assert.match(r.render(), /^t_things 1$/m);
    n = 5;
    assert.match(r.render(), /^t_things 5$/m);
  });

  test("the engine's metric set before any traffic: every family declared, lint-clean", () => {
    const metrics = new EngineMetrics();
    const text = metrics.registry.render();
    const m = parseExposition(text);
    for (const family of ['ecny_settlement_seconds', 'ecny_stage_seconds']) {
      assert.equal(m.types.get(family), 'histogram');
    }
    assert.equal(sampleOf(m, 'ecny_stage_seconds_count{stage="commit"}'), 0);
    const lint = promtoolCheck(text);
    if (lint === null) assert.ok(!process.env.CI, 'CI installs promtool (.ci/run)');
    else assert.ok(lint.ok, lint.output);
  });
});
