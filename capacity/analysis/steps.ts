/**
 * A stepped open-loop ramp, planned and summarised: which rates, how many operations each step
 * needs, and how one step's per-second series becomes a {@link RampStep} with the warm-up
 * trimmed. Pure: the CLI runs the steps and hands the per-second data in.
 *
 * Warm-up trimming: a step starts from the previous step's state (or an idle engine), so its
 * first seconds measure the transition (queues filling, JIT, connection set-up), not the rate.
 * Only the seconds in [warmupS, durationS) of the step count. Seconds after the schedule ended
 * (the engine draining a backlog) do not count either: answers that arrive after the load
 * stopped are not capacity at that rate.
 */
import { type StepsSchedule, scheduleArrivalCount } from '../../rates/index.js';
import type { RampStep } from './elbow.js';

/** What the ramp is made of. */
export interface RampPlanInput {
  /** Rate of the first step, tx/s (> 0). */
  readonly start: number;
  /** Increase per step, tx/s (> 0). */
  readonly step: number;
  /** Steps at most (>= 1). */
  readonly maxSteps: number;
  /** Length of each step including its warm-up, whole seconds (>= 1). */
  readonly stepDurationS: number;
  /** Leading seconds of each step left out of its summary, whole seconds in [0, stepDurationS). */
  readonly warmupS: number;
}

/** One planned step. */
export interface PlannedStep {
  readonly index: number;
  /** Offered rate, tx/s. */
  readonly rate: number;
  /** Operations the step sends: the arrivals of its schedule. */
  readonly ops: number;
  /** First operation of the step in the workload (steps use consecutive slices). */
  readonly firstOp: number;
}

/** A ramp plan; `steps` may be shorter than `maxSteps` when the workload runs out. */
export interface RampPlan {
  readonly steps: readonly PlannedStep[];
  /** Operations the full plan (all `maxSteps`) would need. */
  readonly opsNeeded: number;
  /** Operations the kept steps use. */
  readonly opsUsed: number;
  /** Steps dropped because the workload has too few operations, 0 if none. */
  readonly truncated: number;
}

/**
 * The schedule of one step: its rate over its whole length, as `runLoad` sends it. A step of
 * rate r for d seconds sends ⌈r·d⌉ operations (rates/, `scheduleArrivalCount`).
 */
export function stepSchedule(rate: number, durationS: number): StepsSchedule {
  return { type: 'steps', steps: [{ rate, durationMs: durationS * 1000 }] };
}

/** Checks a ramp plan's inputs; throws RangeError naming the first bad field. */
export function checkRampPlanInput(p: RampPlanInput): void {
  if (!(Number.isFinite(p.start) && p.start > 0)) throw new RangeError('start must be > 0');
  if (!(Number.isFinite(p.step) && p.step > 0)) throw new RangeError('step must be > 0');
  if (!(Number.isSafeInteger(p.maxSteps) && p.maxSteps >= 1))
    throw new RangeError('maxSteps must be an integer >= 1');
  if (!(Number.isSafeInteger(p.stepDurationS) && p.stepDurationS >= 1))
    throw new RangeError('stepDurationS must be a whole number of seconds >= 1');
  if (!(Number.isSafeInteger(p.warmupS) && p.warmupS >= 0 && p.warmupS < p.stepDurationS))
    throw new RangeError('warmupS must be a whole number of seconds in [0, stepDurationS)');
}

/**
 * The rates start, start+step, ... and each step's slice of the workload. Every step needs
 * its own operations (a coin is spent once), so the plan is cut where `availableOps` runs out.
 */
export function planRamp(p: RampPlanInput, availableOps: number): RampPlan {
  checkRampPlanInput(p);
  const steps: PlannedStep[] = [];
  let opsNeeded = 0;
  let used = 0;
  let truncated = 0;
  for (let i = 0; i < p.maxSteps; i++) {
    const rate = p.start + i * p.step;
    const ops = scheduleArrivalCount(stepSchedule(rate, p.stepDurationS));
    opsNeeded += ops;
    if (truncated === 0 && used + ops <= availableOps) {
      steps.push({ index: i, rate, ops, firstOp: used });
      used += ops;
    } else {
      truncated++;
    }
  }
  return { steps, opsNeeded, opsUsed: used, truncated };
}

/** One second of a step as measured (t counts from the step's start). */
export interface StepSecond {
  readonly t: number;
  /** Scheduled sends in this second. */
  readonly offered: number;
  readonly sent: number;
  /** Answers (settled + rejected) received in this second. */
  readonly achieved: number;
  readonly settled: number;
  /** Sends that never went out (too late). */
  readonly dropped: number;
  /** Requests with no usable answer (connection errors, timeouts, OVERLOADED after retries). */
  readonly errors: number;
  /** Answers that were the engine shedding load (OVERLOADED / UNAVAILABLE rejections). */
  readonly shed: number;
  /** Latency samples in this second (answers). */
  readonly latencyCount: number;
  /** This second's corrected p99 and p50, ms (ignored when `latencyCount` is 0). */
  readonly p99Ms: number;
  readonly p50Ms: number;
  /**
   * The engine process's CPU this second (all its threads), in cores: 1.5 = one and a half
   * cores busy. Absent when the engine's stats were not reachable.
   */
  readonly engineCores?: number;
}

/** A step after trimming: the elbow's inputs plus what the report prints. */
export interface StepSummary extends RampStep {
  /** Settled transactions per second over the kept seconds. */
  readonly settled: number;
  /** Scheduled sends per second actually seen in the kept seconds. */
  readonly offeredMeasured: number;
  /** p50 of the kept seconds, ms (an upper bound when exact histograms were not available). */
  readonly p50Ms: number;
  /** Seconds kept (durationS − warmupS when the series is complete). */
  readonly measuredS: number;
  readonly warmupS: number;
  /** Counts over the kept seconds. */
  readonly sent: number;
  readonly dropped: number;
  readonly errors: number;
  readonly shed: number;
  /** Whether p99/p50 come from merged histograms (exact) or per-second maxima (upper bound). */
  readonly latencyExact: boolean;
  /**
   * Mean engine CPU over the kept seconds that report it, in cores (all engine threads: HTTP,
   * registry, verification); null when no kept second does.
   */
  readonly engineCores: number | null;
}

/** Exact percentiles over a set of seconds, when the caller has the histograms. */
export type MergedPercentiles = (keptSeconds: readonly number[]) => {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly count: number;
};

/**
 * Summarises one step: keeps the seconds with warmupS <= t < durationS, rates are totals over
 * the kept seconds ÷ their number (a second with no data counts as zero, it still elapsed).
 *
 * Latency: with `merged`, the exact p99 of the union of the kept seconds (histograms added, never
 * percentiles averaged). Without it, the largest per-second p99: the union's p99 can never
 * exceed it, so it is a safe upper bound and an SLO check on it errs on the strict side.
 * A step in which nothing was answered has p99 = NaN, which the elbow rule counts as a failure.
 */
export function summarizeStep(
  seconds: readonly StepSecond[],
  options: { readonly offered: number; readonly durationS: number; readonly warmupS: number },
  merged?: MergedPercentiles,
): StepSummary {
  const { offered, durationS, warmupS } = options;
  if (!(offered > 0)) throw new RangeError('offered must be > 0');
  if (!(Number.isInteger(durationS) && Number.isInteger(warmupS) && warmupS >= 0))
    throw new RangeError('durationS and warmupS must be whole seconds');
  if (!(warmupS < durationS)) throw new RangeError('warmupS must be shorter than durationS');
  const kept = seconds.filter((s) => s.t >= warmupS && s.t < durationS);
  const measuredS = durationS - warmupS;
  let offeredN = 0;
  let sent = 0;
  let achieved = 0;
  let settled = 0;
  let dropped = 0;
  let errors = 0;
  let shed = 0;
  let count = 0;
  let p99 = Number.NEGATIVE_INFINITY;
  let p50 = Number.NEGATIVE_INFINITY;
  let coreSum = 0;
  let coreSeconds = 0;
  for (const s of kept) {
    if (s.engineCores !== undefined && Number.isFinite(s.engineCores)) {
      coreSum += s.engineCores;
      coreSeconds++;
    }
    offeredN += s.offered;
    sent += s.sent;
    achieved += s.achieved;
    settled += s.settled;
    dropped += s.dropped;
    errors += s.errors;
    shed += s.shed;
    if (s.latencyCount > 0) {
      count += s.latencyCount;
      p99 = Math.max(p99, s.p99Ms);
      p50 = Math.max(p50, s.p50Ms);
    }
  }
  let latencyExact = false;
  if (merged !== undefined) {
    const m = merged(kept.map((s) => s.t));
    latencyExact = true;
    count = m.count;
    p99 = m.p99Ms;
    p50 = m.p50Ms;
  }
  const requests = achieved + errors;
  return {
    offered,
    achieved: achieved / measuredS,
    p99Ms: count > 0 ? p99 : Number.NaN,
    // Failures the engine is responsible for, among everything that got an answer or failed.
    errorRate: requests > 0 ? (errors + shed) / requests : 0,
    settled: settled / measuredS,
    offeredMeasured: offeredN / measuredS,
    p50Ms: count > 0 ? p50 : Number.NaN,
    measuredS,
    warmupS,
    sent,
    dropped,
    errors,
    shed,
    latencyExact,
    engineCores: coreSeconds > 0 ? coreSum / coreSeconds : null,
  };
}
