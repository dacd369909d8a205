/**
 * Judging thresholds: over a finished run (result.json) or over the measured phase so far (for
 * abortOnFail, checked once a second by the runner). Pure: figures in, verdicts out.
 */
import type { RunResult, ThresholdOp, ThresholdOutcome } from '../result-format/index.js';
import { type Figures, metricSpec } from './metrics.js';
import type { ThresholdSpec } from './parse.js';

/** `value op limit`. */
export function holds(value: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** The measured value of a threshold's metric, or why there is none. */
export function measure(spec: ThresholdSpec, figures: Figures): number | string {
  const metric = metricSpec(spec.metric);
  if (metric === undefined) return `unknown metric ${spec.metric}`;
  const v = metric.read(figures);
  return typeof v === 'number' && !Number.isFinite(v) ? 'not a finite number' : v;
}

/** Every threshold with its measured value and verdict. A metric that cannot be measured fails. */
export function judgeThresholds(
  specs: readonly ThresholdSpec[],
  figures: Figures,
  abortedBy?: ThresholdSpec,
): ThresholdOutcome[] {
  return specs.map((spec) => {
    const v = measure(spec, figures);
    const value = typeof v === 'number' ? v : null;
    return {
      expression: spec.expression,
      metric: spec.metric,
      op: spec.op,
      limit: spec.limit,
      unit: spec.unit,
      value,
      passed: value !== null && holds(value, spec.op, spec.limit),
      source: spec.source,
      ...(spec.abortOnFail === undefined ? {} : { abortOnFail: spec.abortOnFail }),
      ...(spec === abortedBy ? { abortedRun: true } : {}),
      ...(typeof v === 'string' ? { note: `not measured: ${v}` } : {}),
    };
  });
}

/**
 * The first abortOnFail threshold crossed by the measured phase so far, once its delay has
 * passed; null while none is. A metric not measurable yet (no answers) does not abort.
 */
export function crossedAbortThreshold(
  specs: readonly ThresholdSpec[],
  figures: Figures,
): ThresholdSpec | null {
  for (const spec of specs) {
    if (spec.abortOnFail === undefined || figures.seconds < spec.abortOnFail.delayS) continue;
    const v = measure(spec, figures);
    if (typeof v === 'number' && !holds(v, spec.op, spec.limit)) return spec;
  }
  return null;
}

/** True when there are no thresholds or every one passed. */
export function thresholdsPassed(outcomes: readonly ThresholdOutcome[] | undefined): boolean {
  return (outcomes ?? []).every((o) => o.passed);
}

/** The figures of a finished (or cut-short) run, as thresholds read them. */
export function figuresOfResult(result: RunResult): Figures {
  const t = result.totals;
  const offeredSoFar = result.timeseries.reduce((n, s) => n + s.offered, 0);
  const expected = result.scenario.expectedCounts;
  const expectedTotal =
    expected === undefined ? -1 : Object.values(expected).reduce((a, b) => a + b, 0);
  // The run's own count (its shard's share), else the workload's when the run sent all of it;
  // neither for a run cut short, which never sent its later ops.
  const expectedSettled = result.incomplete
    ? undefined
    : (t.expectedSettled ??
      (expected !== undefined && expectedTotal === t.planned
        ? (expected['SETTLED'] ?? 0)
        : undefined));
  return {
    latency: result.latency.corrected,
    service: result.latency.uncorrected,
    ...(result.latency.sendLag === undefined ? {} : { sendLag: result.latency.sendLag }),
    planned: t.planned,
    offered: result.incomplete === undefined ? t.planned : offeredSoFar,
    sent: t.sent,
    answered: t.settled + t.rejected,
    settled: t.settled,
    dropped: t.dropped,
    errors: t.errors,
    rejectedByCode: result.rejectionsByCode,
    seconds: result.durationS,
    ...(expectedSettled === undefined ? {} : { expectedSettled }),
  };
}

/** Re-judges the thresholds a result carries (after a merge, or with fresh figures). */
export function rejudge(result: RunResult, specs: readonly ThresholdSpec[]): RunResult {
  if (specs.length === 0) return result;
  return { ...result, thresholds: judgeThresholds(specs, figuresOfResult(result)) };
}
