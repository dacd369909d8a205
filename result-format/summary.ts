/**
 * From accumulated per-second data and the outcome tally to the measured part of result.json.
 * Shared by the driver (live run) and `mergeResults` (shard files), so both compute every
 * figure the same way.
 */
import type { ClassAccumulator } from './classes.js';
import { percentiles, spectrum } from './histogram.js';
import type { RunResult, SecondSample } from './schema.js';
import { type Accumulated, addCounters, type EngineSample, emptyCounters } from './series.js';

/** A mismatch kept for the reader: op index (in `ops`), expected outcome, what came back. */
export interface MismatchSample {
  readonly op: number;
  readonly expected: string;
  readonly got: string;
}

/** How many mismatch samples a run keeps. */
export const MAX_MISMATCH_SAMPLES = 10;

/** Outcome counts that are not per second. */
export interface OutcomeTally {
  /** Ops this run was to send (its share of the workload, after any schedule override). */
  readonly planned: number;
  readonly matched: number;
  readonly mismatched: number;
  /** Sent, and no answer before the end + grace (or a connection error after retries). */
  readonly lost: number;
  readonly retried: number;
  readonly samples: readonly MismatchSample[];
}

/** The measured fields of a `RunResult`: everything but identity, config and environment. */
export type MeasuredRun = Pick<
  RunResult,
  | 'startedAt'
  | 'endedAt'
  | 'durationS'
  | 'totals'
  | 'outcome'
  | 'rejectionsByCode'
  | 'latency'
  | 'dependencies'
  | 'timeseries'
  | 'byType'
  | 'byChannel'
  | 'engine'
  | 'generator'
  | 'resources'
>;

export interface SummaryInput {
  readonly accumulated: Accumulated;
  readonly tally: OutcomeTally;
  /** Dropped sends fail the run unless this is true. */
  readonly allowDrops: boolean;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Length of the measured phase (planned schedule), the denominator of the rates. */
  readonly durationS: number;
  readonly engineSeconds?: ReadonlyMap<number, EngineSample>;
  /**
   * For workloads with offline payments: every second then reports `synced`, and, given the
   * payments made in each second (workload `params.offlineMade`), the offline `backlog` (made so
   * far minus answered so far). A shard omits `made`: it answers only its share of them.
   */
  readonly offline?: { readonly made?: readonly number[] };
  readonly engine?: Readonly<Record<string, unknown>>;
  readonly generator?: { readonly processes: number; readonly cpuSeconds: number };
  readonly resources?: RunResult['resources'];
  /** Failure causes found elsewhere (e.g. a shard that failed for its own reasons). */
  readonly extraReasons?: readonly string[];
  /** Per operation type and per channel, when the generators counted them. */
  readonly classes?: ClassAccumulator;
}

/**
 * The `offline` part of a SummaryInput for a workload with these parameters, spread into it:
 * `{}` when it made no offline payments; `made` only when `whole` (every shard's answers counted).
 */
export function offlineOf(
  params: Readonly<Record<string, unknown>>,
  whole: boolean,
): Pick<SummaryInput, 'offline'> {
  const made = params['offlineMade'];
  if (!Array.isArray(made) || !made.every((n) => Number.isSafeInteger(n) && n >= 0)) return {};
  return { offline: whole ? { made: made as number[] } : {} };
}

/** Computes totals, pass/fail, percentiles and the time series. */
export function summarizeRun(input: SummaryInput): MeasuredRun {
  const { accumulated, tally } = input;
  const total = emptyCounters();
  const timeseries: SecondSample[] = [];
  const { offline } = input;
  let made = 0;
  for (const s of accumulated.seconds) {
    addCounters(total, s.counters);
    const engine = input.engineSeconds?.get(s.t);
    made += offline?.made?.[s.t] ?? 0;
    timeseries.push({
      t: s.t,
      offered: s.counters.offered,
      sent: s.counters.sent,
      achieved: s.counters.achieved,
      settled: s.counters.settled,
      rejectedByCode: s.counters.rejectedByCode,
      dropped: s.counters.dropped,
      errors: s.counters.errors,
      latency: s.latency,
      uncorrected: s.uncorrected,
      ...(offline === undefined ? {} : { synced: s.counters.synced }),
      ...(offline?.made === undefined ? {} : { backlog: made - total.synced }),
      ...(engine === undefined ? {} : { engine }),
      ...(s.sendLagP99 === undefined ? {} : { sendLagP99: s.sendLagP99 }),
    });
  }
  const rejected = Object.values(total.rejectedByCode).reduce((a, b) => a + b, 0);
  const reasons: string[] = [];
  if (tally.mismatched > 0) reasons.push(`${tally.mismatched} mismatched`);
  if (tally.lost > 0) reasons.push(`${tally.lost} lost`);
  if (total.dropped > 0 && !input.allowDrops) reasons.push(`${total.dropped} dropped`);
  for (const r of input.extraReasons ?? []) if (!reasons.includes(r)) reasons.push(r);
  const duration = input.durationS > 0 ? input.durationS : 1;
  const { overall } = accumulated;
  const wait = percentiles(overall.dependencyWait);
  return {
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    durationS: input.durationS,
    totals: {
      planned: tally.planned,
      sent: total.sent,
      dropped: total.dropped,
      settled: total.settled,
      rejected,
      errors: total.errors,
      matched: tally.matched,
      mismatched: tally.mismatched,
      lost: tally.lost,
      achievedPerSecond: total.achieved / duration,
      settledPerSecond: total.settled / duration,
      retried: tally.retried,
    },
    outcome: {
      passed: reasons.length === 0,
      reasons,
      samples: [...tally.samples].sort((a, b) => a.op - b.op).slice(0, MAX_MISMATCH_SAMPLES),
    },
    rejectionsByCode: total.rejectedByCode,
    latency: {
      corrected: percentiles(overall.corrected),
      uncorrected: percentiles(overall.uncorrected),
      spectrum: spectrum(overall.corrected),
      uncorrectedSpectrum: spectrum(overall.uncorrected),
      sendLag: percentiles(overall.sendLag),
    },
    dependencies: { waited: wait.count, waitP50: wait.p50, waitP99: wait.p99 },
    timeseries,
    ...(input.classes === undefined ? {} : input.classes.summarize(input.durationS)),
    ...(input.engine === undefined ? {} : { engine: input.engine }),
    ...(input.generator === undefined ? {} : { generator: input.generator }),
    ...(input.resources === undefined ? {} : { resources: input.resources }),
  };
}
