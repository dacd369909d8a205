/**
 * Elbow (knee) detection on a stepped open-loop ramp: the highest offered rate the engine
 * sustains while keeping up with the offered load, meeting the latency SLO and keeping errors
 * low.
 *
 * Robustness rule (see docs/capacity.md): steps are walked in increasing offered rate; a single
 * failing step that is followed by a passing one is treated as noise (a GC pause or a noisy
 * neighbour on a shared machine must not hide the real elbow above it), while `sustainedFailures`
 * (default 2) consecutive failing steps mark the collapse. The elbow is the highest passing step
 * below the first collapse; anything above the collapse is ignored, even if it passes, because
 * an overloaded open-loop system that "recovers" at a higher rate is measuring a drained queue,
 * not capacity.
 */

/** One step of the ramp (warm-up already trimmed). */
export interface RampStep {
  /** Offered (scheduled) rate, tx/s. Must be > 0. */
  readonly offered: number;
  /** Achieved (completed) rate, tx/s. */
  readonly achieved: number;
  /** 99th percentile latency in ms. NaN/Infinity (nothing measured) counts as a latency failure. */
  readonly p99Ms: number;
  /** Fraction of requests that failed, 0..1. */
  readonly errorRate: number;
}

/** Pass criteria; every field is optional and has the documented default. */
export interface ElbowCriteria {
  /** Achieved must be at least this fraction of offered. Default 0.95. */
  readonly minAchievedRatio?: number;
  /** p99 must be at most this many ms. Default 50. */
  readonly sloP99Ms?: number;
  /** Error rate must be at most this fraction. Default 0.01. */
  readonly maxErrorRate?: number;
  /** Consecutive failing steps that count as the collapse. Default 2; 1 = strict. */
  readonly sustainedFailures?: number;
}

/** {@link ElbowCriteria} with the defaults filled in. */
export type ResolvedElbowCriteria = Required<ElbowCriteria>;

/** Which pass criterion a step failed. */
export type FailedCriterion = 'throughput' | 'latency' | 'errors';

/**
 * What the rule made of a step: `pass`; `noise` (an isolated failure followed by a pass, so
 * tolerated); `collapse` (part of the first sustained failure run); `after-collapse` (above the
 * collapse, ignored); `trailing-failure` (failures at the very top of the ramp, too few to call
 * sustained).
 */
export type StepRole = 'pass' | 'noise' | 'collapse' | 'after-collapse' | 'trailing-failure';

/** Per-step verdict, for the report. */
export interface StepVerdict extends RampStep {
  /** Index of the step in the caller's array. */
  readonly index: number;
  readonly achievedRatio: number;
  readonly pass: boolean;
  /** Failed criteria in the fixed order throughput, latency, errors; empty when `pass`. */
  readonly failed: readonly FailedCriterion[];
  readonly role: StepRole;
}

/**
 * `knee`: a sustained failure run follows the elbow. `unconfirmed-knee`: only the last step(s)
 * failed, too few to be sure it is not noise; the elbow is still the highest passing step.
 * `never-saturated`: every step passed, so the elbow is only a lower bound — extend the ramp.
 * `none`: no step passes below the collapse (or there are no steps).
 */
export type ElbowKind = 'knee' | 'unconfirmed-knee' | 'never-saturated' | 'none';

/** Result of {@link findElbow}. */
export interface ElbowResult {
  /** The elbow step, or null when there is none (see `reason`). */
  readonly elbow: StepVerdict | null;
  /** Index of the elbow in the caller's array, or null. */
  readonly index: number | null;
  readonly kind: ElbowKind;
  /**
   * Criteria failed by the first step of the collapse (or of the trailing failures): what broke
   * first — `['throughput']` means throughput-limited, `['latency']` latency-limited. Empty when
   * nothing failed.
   */
  readonly limitedBy: readonly FailedCriterion[];
  /** One printable sentence. */
  readonly reason: string;
  /** Every step in increasing offered rate (ties keep the caller's order). */
  readonly steps: readonly StepVerdict[];
  readonly criteria: ResolvedElbowCriteria;
}

/** Defaults used by {@link findElbow}. */
export const DEFAULT_ELBOW_CRITERIA: ResolvedElbowCriteria = Object.freeze({
  minAchievedRatio: 0.95,
  sloP99Ms: 50,
  maxErrorRate: 0.01,
  sustainedFailures: 2,
});

function resolveCriteria(criteria: ElbowCriteria): ResolvedElbowCriteria {
  const c = { ...DEFAULT_ELBOW_CRITERIA, ...criteria };
  if (!(c.minAchievedRatio > 0 && c.minAchievedRatio <= 1)) {
    throw new RangeError(`minAchievedRatio must be in (0, 1], got ${c.minAchievedRatio}`);
  }
  if (!(c.sloP99Ms > 0 && Number.isFinite(c.sloP99Ms))) {
    throw new RangeError(`sloP99Ms must be a positive number, got ${c.sloP99Ms}`);
  }
  if (!(c.maxErrorRate >= 0 && c.maxErrorRate <= 1)) {
    throw new RangeError(`maxErrorRate must be in [0, 1], got ${c.maxErrorRate}`);
  }
  if (!(Number.isInteger(c.sustainedFailures) && c.sustainedFailures >= 1)) {
    throw new RangeError(`sustainedFailures must be an integer >= 1, got ${c.sustainedFailures}`);
  }
  return c;
}

function checkStep(step: RampStep, index: number): void {
  const bad = (what: string) => new RangeError(`ramp step ${index}: ${what}`);
  if (!(Number.isFinite(step.offered) && step.offered > 0)) throw bad('offered must be > 0');
  if (!(Number.isFinite(step.achieved) && step.achieved >= 0)) throw bad('achieved must be >= 0');
  if (!(step.errorRate >= 0 && step.errorRate <= 1)) throw bad('errorRate must be in [0, 1]');
  if (step.p99Ms < 0) throw bad('p99Ms must not be negative');
}

function judgeStep(step: RampStep, c: ResolvedElbowCriteria): FailedCriterion[] {
  const failed: FailedCriterion[] = [];
  if (step.achieved < c.minAchievedRatio * step.offered) failed.push('throughput');
  // `!(<=)` so NaN (no latency measured at all) fails rather than passes.
  if (!(step.p99Ms <= c.sloP99Ms)) failed.push('latency');
  if (step.errorRate > c.maxErrorRate) failed.push('errors');
  return failed;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

function describeFailure(step: StepVerdict, c: ResolvedElbowCriteria): string {
  const parts = step.failed.map((f) => {
    if (f === 'throughput') {
      return `achieved ${fmt(step.achieved)} < ${fmt(c.minAchievedRatio * 100)}% of offered`;
    }
    if (f === 'latency') return `p99 ${fmt(step.p99Ms)} ms > SLO ${fmt(c.sloP99Ms)} ms`;
    return `error rate ${fmt(step.errorRate * 100)}% > ${fmt(c.maxErrorRate * 100)}%`;
  });
  return `${parts.join(', ')} at offered ${fmt(step.offered)} tx/s`;
}

/**
 * Find the elbow of a stepped ramp: the highest step that achieves at least
 * `minAchievedRatio` of its offered rate, meets the p99 SLO and stays within the error limit,
 * below the first run of `sustainedFailures` consecutive failing steps. Steps may come in any
 * order (they are sorted by offered rate; indices refer to the caller's array).
 *
 * @throws RangeError on malformed steps or criteria.
 */
export function findElbow(steps: readonly RampStep[], criteria: ElbowCriteria = {}): ElbowResult {
  const c = resolveCriteria(criteria);
  steps.forEach(checkStep);
  const order = steps
    .map((_, i) => i)
    .sort((a, b) => steps[a]!.offered - steps[b]!.offered || a - b);
  const judged = order.map((i) => ({ index: i, step: steps[i]!, failed: judgeStep(steps[i]!, c) }));

  // Walk up the ramp; `collapseAt` is the position (in sorted order) where the first run of
  // `sustainedFailures` consecutive failures starts.
  let collapseAt = -1;
  let run = 0;
  for (let k = 0; k < judged.length; k++) {
    if (judged[k]!.failed.length === 0) {
      run = 0;
      continue;
    }
    run++;
    if (run >= c.sustainedFailures) {
      collapseAt = k - run + 1;
      break;
    }
  }
  // Failures at the very end that did not reach `sustainedFailures`.
  let trailingFrom = judged.length;
  if (collapseAt < 0) {
    while (trailingFrom > 0 && judged[trailingFrom - 1]!.failed.length > 0) trailingFrom--;
  }

  const verdicts: StepVerdict[] = judged.map(({ index, step, failed }, k) => {
    const pass = failed.length === 0;
    let role: StepRole;
    if (collapseAt >= 0 && k >= collapseAt + c.sustainedFailures) role = 'after-collapse';
    else if (collapseAt >= 0 && k >= collapseAt) role = 'collapse';
    else if (k >= trailingFrom) role = 'trailing-failure';
    else role = pass ? 'pass' : 'noise';
    return {
      index,
      offered: step.offered,
      achieved: step.achieved,
      p99Ms: step.p99Ms,
      errorRate: step.errorRate,
      achievedRatio: step.achieved / step.offered,
      pass,
      failed,
      role,
    };
  });

  const end = collapseAt >= 0 ? collapseAt : trailingFrom;
  let elbowPos = -1;
  for (let k = end - 1; k >= 0; k--) {
    if (verdicts[k]!.pass) {
      elbowPos = k;
      break;
    }
  }
  const firstFailure = end < verdicts.length ? verdicts[end]! : null;
  const limitedBy = firstFailure === null ? [] : firstFailure.failed;
  const elbow = elbowPos >= 0 ? verdicts[elbowPos]! : null;
  const noise = verdicts.filter((v) => v.role === 'noise').length;
  const noiseNote =
    noise > 0
      ? ` (${noise} isolated failing step${noise > 1 ? 's' : ''} below it ignored as noise)`
      : '';

  let kind: ElbowKind;
  let reason: string;
  if (verdicts.length === 0) {
    kind = 'none';
    reason = 'no ramp steps';
  } else if (elbow === null) {
    kind = 'none';
    reason =
      firstFailure === null
        ? 'no step passes'
        : `no step passes below the collapse: ${describeFailure(firstFailure, c)}; start the ramp lower`;
  } else if (firstFailure === null) {
    kind = 'never-saturated';
    reason = `every step passed up to ${fmt(elbow.offered)} tx/s: capacity is at least that; extend the ramp`;
  } else if (collapseAt >= 0) {
    kind = 'knee';
    reason = `elbow at ${fmt(elbow.offered)} tx/s${noiseNote}; collapse from ${describeFailure(firstFailure, c)}`;
  } else {
    kind = 'unconfirmed-knee';
    reason =
      `elbow at ${fmt(elbow.offered)} tx/s${noiseNote}; the ramp ends with fewer than ` +
      `${c.sustainedFailures} failing steps (${describeFailure(firstFailure, c)}), so the knee is not confirmed`;
  }
  return {
    elbow,
    index: elbow === null ? null : elbow.index,
    kind,
    limitedBy,
    reason,
    steps: verdicts,
    criteria: c,
  };
}
