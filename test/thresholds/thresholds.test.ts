import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../../result-format/index.js';
import { SCENARIOS } from '../../scenarios/catalog/index.js';
import {
  crossedAbortThreshold,
  type Figures,
  figuresOfResult,
  formatThresholdValue,
  judgeThresholds,
  parseThresholds,
  ThresholdError,
  thresholdLines,
  thresholdMarkdown,
  thresholdsPassed,
} from '../../thresholds/index.js';
import { steadyResult } from '../charts/fixtures/results.js';

function problemsOf(expressions: string[]): { code: string; expression: string }[] {
  try {
    parseThresholds(expressions);
  } catch (error) {
    assert.ok(error instanceof ThresholdError);
    assert.equal(error.code, 'BAD_THRESHOLD');
    return error.problems.map((p) => ({ code: p.code, expression: p.expression }));
  }
  assert.fail('expected a ThresholdError');
}

describe('parsing', () => {
  test('the forms users write, in canonical units', () => {
    const specs = parseThresholds([
      'p99<50ms',
      'p99.9 < 0.2s',
      'p999<=200',
      'latency.p50<500us',
      'service.p99<20ms',
      'settled_rate>=0.99',
      'achieved_ratio>=99.5%',
      'dropped==0',
      'rejected.OVERLOADED<=10',
      'rejected_rate.TIER_LIMIT<1%',
      'throughput>=1000/s',
      'errors!=1',
      'p90 < 50 ms',
    ]);
    assert.deepEqual(
      specs.map((s) => [s.expression, s.metric, s.op, s.limit, s.unit]),
      [
        ['p99<50ms', 'p99', '<', 50, 'ms'],
        ['p99.9<0.2s', 'p99.9', '<', 200, 'ms'],
        ['p99.9<=200', 'p99.9', '<=', 200, 'ms'],
        ['p50<500us', 'p50', '<', 0.5, 'ms'],
        ['service.p99<20ms', 'service.p99', '<', 20, 'ms'],
        ['settled_rate>=0.99', 'settled_rate', '>=', 0.99, 'ratio'],
        ['achieved_ratio>=99.5%', 'achieved_ratio', '>=', 0.995, 'ratio'],
        ['dropped==0', 'dropped', '==', 0, 'count'],
        ['rejected.OVERLOADED<=10', 'rejected.OVERLOADED', '<=', 10, 'count'],
        ['rejected_rate.TIER_LIMIT<1%', 'rejected_rate.TIER_LIMIT', '<', 0.01, 'ratio'],
        ['throughput>=1000/s', 'throughput', '>=', 1000, 'per-second'],
        ['errors!=1', 'errors', '!=', 1, 'count'],
        ['p90<50ms', 'p90', '<', 50, 'ms'],
      ],
    );
    assert.ok(specs.every((s) => s.source === 'flag' && s.abortOnFail === undefined));
  });

  test('abortOnFail, with and without a delay', () => {
    const [now, later, ms] = parseThresholds(
      ['p99<50ms abortOnFail', 'dropped==0 abortOnFail=10s', 'errors==0, abortOnFail=1500ms'],
      'scenario',
    );
    assert.deepEqual(now!.abortOnFail, { delayS: 0 });
    assert.deepEqual(later!.abortOnFail, { delayS: 10 });
    assert.deepEqual(ms!.abortOnFail, { delayS: 1.5 });
    assert.equal(later!.source, 'scenario');
  });

  test('every problem of every expression at once, each with its code', () => {
    assert.deepEqual(
      problemsOf([
        'p99 fast',
        'p98<50ms',
        'p99<50kg',
        'settled_rate>=99',
        'dropped<0.5',
        'p99<50ms abortOnFial',
        'p99<50ms abortOnFail=soon',
        'rejected.lowercase==0',
        'p99<50ms',
      ]),
      [
        { code: 'THRESHOLD_SYNTAX', expression: 'p99 fast' },
        { code: 'THRESHOLD_UNKNOWN_METRIC', expression: 'p98<50ms' },
        { code: 'THRESHOLD_BAD_UNIT', expression: 'p99<50kg' },
        { code: 'THRESHOLD_BAD_VALUE', expression: 'settled_rate>=99' },
        { code: 'THRESHOLD_BAD_VALUE', expression: 'dropped<0.5' },
        { code: 'THRESHOLD_BAD_OPTION', expression: 'p99<50ms abortOnFial' },
        { code: 'THRESHOLD_BAD_OPTION', expression: 'p99<50ms abortOnFail=soon' },
        { code: 'THRESHOLD_UNKNOWN_METRIC', expression: 'rejected.lowercase==0' },
      ],
    );
  });

  test('messages name the expression and say what would be right', () => {
    assert.throws(
      () => parseThresholds(['settled_rate>=99']),
      /threshold "settled_rate>=99": settled_rate is a ratio between 0 and 1: write 99% or 0.99/,
    );
    assert.throws(
      () => parseThresholds(['p99<50kg']),
      /"kg" is not a unit of p99: give a duration/,
    );
  });
});

test("every registered scenario's default thresholds parse", () => {
  for (const def of SCENARIOS.values()) {
    const specs = parseThresholds(def.thresholds ?? [], 'scenario');
    assert.equal(specs.length, def.thresholds?.length ?? 0, def.name);
  }
});

describe('judging', () => {
  const steady = steadyResult();
  const figures = figuresOfResult(steady);

  test('reads each metric from the result', () => {
    const t = steady.totals;
    const outcomes = judgeThresholds(
      parseThresholds([
        `p99<=${steady.latency.corrected.p99}ms`,
        `p99<${steady.latency.corrected.p99}ms`,
        `service.max<=${steady.latency.uncorrected.max}`,
        `dropped==${t.dropped}`,
        `rejected.ALREADY_SPENT==${steady.rejectionsByCode['ALREADY_SPENT'] ?? 0}`,
        `throughput>=${Math.floor(t.achievedPerSecond)}`,
      ]),
      figures,
    );
    assert.deepEqual(
      outcomes.map((o) => o.passed),
      [true, false, true, true, true, true],
    );
    assert.equal(outcomes[0]!.value, steady.latency.corrected.p99);
    assert.equal(outcomes[5]!.value, (t.settled + t.rejected) / steady.durationS);
    assert.equal(thresholdsPassed(outcomes), false);
    assert.equal(thresholdsPassed([]), true);
  });

  test("settled_rate: the run's own expected count, else the whole workload's, else it fails", () => {
    const shardOwn: RunResult = {
      ...steady,
      totals: { ...steady.totals, expectedSettled: steady.totals.settled * 2 },
    };
    const [own] = judgeThresholds(
      parseThresholds(['settled_rate>=0.4']),
      figuresOfResult(shardOwn),
    );
    assert.equal(own!.value, 0.5);
    const cut: RunResult = {
      ...shardOwn,
      incomplete: { cause: 'signal', by: 'SIGINT', afterS: 3, reason: 'stopped' },
    };
    const [none] = judgeThresholds(parseThresholds(['settled_rate>=0.4']), figuresOfResult(cut));
    assert.equal(none!.value, null, 'a run cut short never sent its later ops');
    const whole: RunResult = {
      ...steady,
      scenario: {
        ...steady.scenario,
        expectedCounts: { SETTLED: steady.totals.planned - 10, TIER_LIMIT: 10 },
      },
    };
    const [rate] = judgeThresholds(parseThresholds(['settled_rate>=0.5']), figuresOfResult(whole));
    assert.equal(rate!.value, steady.totals.settled / (steady.totals.planned - 10));
    const shard: RunResult = {
      ...whole,
      scenario: { ...whole.scenario, expectedCounts: { SETTLED: 10 * steady.totals.planned } },
    };
    const [unknown] = judgeThresholds(
      parseThresholds(['settled_rate>=0.5']),
      figuresOfResult(shard),
    );
    assert.equal(unknown!.value, null);
    assert.equal(unknown!.passed, false);
    assert.match(unknown!.note!, /^not measured: the expected settlements are unknown/);
  });

  test('abortOnFail waits for its delay, and never aborts on a metric not measured yet', () => {
    const specs = parseThresholds(['p99<50ms abortOnFail=5s', 'errors==0']);
    const at = (seconds: number, p99: number, count = 100): Figures => ({
      ...figures,
      latency: { ...figures.latency, p99, count },
      seconds,
      errors: 3,
    });
    assert.equal(crossedAbortThreshold(specs, at(4, 80)), null, 'before its delay');
    assert.equal(crossedAbortThreshold(specs, at(5, 40)), null, 'met');
    assert.equal(crossedAbortThreshold(specs, at(5, 80)), specs[0], 'crossed after its delay');
    assert.equal(crossedAbortThreshold(specs, at(9, 80, 0)), null, 'no answers yet');
  });
});

describe('formatting', () => {
  test('values with units, lines and a Markdown table', () => {
    assert.equal(formatThresholdValue(12.345, 'ms'), '12.3 ms');
    assert.equal(formatThresholdValue(1437.2, 'ms'), '1,437 ms');
    assert.equal(formatThresholdValue(0.99234, 'ratio'), '99.234%');
    assert.equal(formatThresholdValue(0.5, 'ratio'), '50%');
    assert.equal(formatThresholdValue(1, 'ratio'), '100%');
    assert.equal(formatThresholdValue(12_345, 'count'), '12,345');
    assert.equal(formatThresholdValue(153.4, 'per-second'), '153/s');
    assert.equal(formatThresholdValue(null, 'ms'), 'not measured');
    const outcomes = judgeThresholds(
      parseThresholds(['p99<1ms', 'dropped>=0 abortOnFail']),
      figuresOfResult(steadyResult()),
    );
    const lines = thresholdLines(outcomes);
    assert.match(lines[0]!, /^CROSSED p99<1ms {5}p99 = 912 ms$/);
    assert.match(lines[1]!, /^pass {4}dropped>=0 {2}dropped = 591$/);
    const md = thresholdMarkdown(outcomes);
    assert.ok(md.includes('| ❌ crossed | `p99<1ms` | 912 ms | flag |'), md);
    assert.ok(md.includes('| ✅ pass | `dropped>=0` | 591 | flag |'), md);
  });
});
