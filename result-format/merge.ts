/**
 * Merging shard runs (one per host, `--shard i/N`) into one result, exactly: histograms decoded
 * from each latency.hlog and added per second and overall, counts summed, percentiles
 * recomputed from the sums. Seconds align on each shard's own start (t = 0 at its start-at),
 * which is the same instant when the shards were started with one `--start-at`.
 */

import { CodedError } from '../engine/domain/index.js';
import { ClassAccumulator, classesOf } from './classes.js';
import { type ResultFiles, readResults, writeResults } from './files.js';
import { makeRunId } from './run-id.js';
import type { RunResult } from './schema.js';
import {
  type EngineSample,
  HISTOGRAM_KINDS,
  type RunHistograms,
  SecondsAccumulator,
} from './series.js';
import {
  type MeasuredRun,
  type MismatchSample,
  offlineOf,
  type SummaryInput,
  summarizeRun,
} from './summary.js';

/** Thrown when the directories are not shards of one run. */
export class MergeError extends CodedError {
  readonly code = 'MERGE_INCOMPATIBLE';
  readonly kind = 'input';
}

/**
 * Merges shard result directories into `outDir` and returns the merged result.
 * Refuses (MergeError) runs of different scenarios, variants, seeds, parameters or kinds, and
 * two directories of the same shard (which would count it twice).
 */
export async function mergeResults(
  dirs: readonly string[],
  outDir: string,
  /** Last touches before the merged result is written (e.g. thresholds judged afresh). */
  finish: (merged: RunResult) => RunResult = (merged) => merged,
): Promise<RunResult> {
  if (dirs.length === 0) throw new MergeError('mergeResults needs at least one directory');
  const runs: ResultFiles[] = [];
  for (const dir of dirs) runs.push(await readResults(dir));
  checkCompatible(runs, dirs);
  const first = runs[0]!.result;

  const startAtMs = Math.min(...runs.map((r) => r.histograms.startAtMs));
  const startedAt = runs.map((r) => r.result.startedAt).sort()[0]!;
  const endedAt = runs
    .map((r) => r.result.endedAt)
    .sort()
    .at(-1)!;
  const { measured, histograms } = mergeMeasured(
    runs.map((r) => ({ measured: r.result, histograms: r.histograms })),
    {
      startAtMs,
      allowDrops: runs.every((r) => r.result.config['allowDrops'] === true),
      startedAt,
      endedAt,
      durationS: Math.max(...runs.map((r) => r.result.durationS)),
      ...(first.engine === undefined ? {} : { engine: first.engine }),
      ...(runs.some((r) => r.result.timeseries.some((s) => s.synced !== undefined))
        ? offlineOf(first.scenario.params, coversEveryShard(runs))
        : {}),
    },
  );
  // A shard's thresholds were judged on its share alone; the caller judges them again.
  const { thresholds: _shardThresholds, incomplete: _shardIncomplete, ...identity } = first;
  const cut = runs.map((r) => r.result.incomplete).filter((i) => i !== undefined);
  const merged: RunResult = {
    ...identity,
    ...(cut.length === 0
      ? {}
      : {
          incomplete: {
            ...cut[0]!,
            afterS: Math.min(...cut.map((i) => i.afterS)),
            reason: `${cut.length} of ${runs.length} shards stopped early: ${cut[0]!.reason}`,
          },
        }),
    runId: makeRunId({
      startedAt: new Date(startedAt),
      scenario: first.scenario.name,
      ...(first.scenario.variant === undefined ? {} : { variant: first.scenario.variant }),
      scale: first.scenario.scale,
      salt: JSON.stringify(['merged', ...runs.map((r) => r.result.runId)]),
    }),
    config: {
      ...first.config,
      shard: null,
      mergedFrom: runs.map((r) => ({
        runId: r.result.runId,
        shard: r.result.config['shard'] ?? null,
        hostname: r.result.environment.hostname,
      })),
    },
    ...measured,
  };
  const final = finish(merged);
  await writeResults(outDir, final, histograms);
  return final;
}

/** One measured run to fold into a merged one, placed on the merged time axis. */
export interface MergePart {
  readonly measured: MeasuredRun;
  readonly histograms: RunHistograms;
  /** Second of the merged axis where this run's t = 0 falls (default 0: shards share one axis). */
  readonly tOffset?: number;
  /** Added to its mismatch samples' operation numbers (a run over a slice of the workload). */
  readonly opOffset?: number;
}

/** What describes the merged run rather than being summed from its parts. */
export interface MergeSummary
  extends Omit<SummaryInput, 'accumulated' | 'tally' | 'engineSeconds' | 'generator'> {
  /** Wall-clock time (ms) of t = 0 of the merged axis, for the histogram log. */
  readonly startAtMs: number;
  /** Generator processes of the merged run; default the parts' sum (shards run side by side). */
  readonly processes?: number;
}

/**
 * The exact merge, for shards of one run (`mergeResults`) and for the steps of a ramp run one
 * after another (`ecny-bench capacity`): per-second counters and histograms added on the merged
 * axis, counts and generator CPU summed, engine readings kept once per second (every shard polls
 * the same engine), percentiles recomputed from the summed histograms.
 */
export function mergeMeasured(
  parts: readonly MergePart[],
  summary: MergeSummary,
): { measured: MeasuredRun; histograms: RunHistograms } {
  const acc = new SecondsAccumulator();
  const engineSeconds = new Map<number, EngineSample>();
  let planned = 0;
  let matched = 0;
  let mismatched = 0;
  let lost = 0;
  let retried = 0;
  let processes = 0;
  let cpuSeconds = 0;
  const samples: MismatchSample[] = [];
  const classes = parts.some((p) => p.measured.byType !== undefined)
    ? new ClassAccumulator()
    : undefined;
  for (const { measured: m, histograms, tOffset = 0, opOffset = 0 } of parts) {
    const wire = classesOf(m);
    for (const c of Object.values(wire))
      c.perSecond = [...new Array<number>(tOffset).fill(0), ...c.perSecond];
    classes?.add(wire);
    for (const s of m.timeseries) {
      const t = tOffset + s.t;
      acc.addCounters(t, { ...s, synced: s.synced ?? 0 });
      if (s.engine !== undefined && !engineSeconds.has(t)) engineSeconds.set(t, s.engine);
    }
    for (const interval of histograms.intervals) {
      for (const kind of HISTOGRAM_KINDS)
        acc.addHistogram(tOffset + interval.t, kind, interval.histograms[kind]);
    }
    planned += m.totals.planned;
    matched += m.totals.matched;
    mismatched += m.totals.mismatched;
    lost += m.totals.lost;
    retried += m.totals.retried ?? 0;
    processes += m.generator?.processes ?? 0;
    cpuSeconds += m.generator?.cpuSeconds ?? 0;
    for (const s of m.outcome.samples)
      samples.push(opOffset === 0 ? s : { ...s, op: s.op + opOffset });
  }
  const { startAtMs, processes: fixedProcesses, ...described } = summary;
  const accumulated = acc.finish(startAtMs);
  const measured = summarizeRun({
    ...described,
    accumulated,
    tally: { planned, matched, mismatched, lost, retried, samples },
    engineSeconds,
    generator: { processes: fixedProcesses ?? processes, cpuSeconds },
    ...(classes === undefined ? {} : { classes }),
  });
  return { measured, histograms: accumulated.histograms };
}

function checkCompatible(runs: readonly ResultFiles[], dirs: readonly string[]): void {
  const ref = runs[0]!.result;
  const problems: string[] = [];
  const shardsSeen = new Map<string, string>();
  runs.forEach(({ result }, i) => {
    const dir = dirs[i]!;
    if (result.kind !== ref.kind) problems.push(`${dir}: kind ${result.kind}, not ${ref.kind}`);
    if (result.scenario.name !== ref.scenario.name) {
      problems.push(`${dir}: scenario ${result.scenario.name}, not ${ref.scenario.name}`);
    }
    if ((result.scenario.variant ?? null) !== (ref.scenario.variant ?? null)) {
      problems.push(
        `${dir}: variant ${String(result.scenario.variant)}, not ${String(ref.scenario.variant)}`,
      );
    }
    if (result.scenario.seed !== ref.scenario.seed) {
      problems.push(`${dir}: seed ${result.scenario.seed}, not ${ref.scenario.seed}`);
    }
    if (stableJson(result.scenario.params) !== stableJson(ref.scenario.params)) {
      problems.push(`${dir}: workload parameters differ from ${dirs[0]}`);
    }
    const shard = result.config['shard'];
    if (typeof shard === 'string') {
      const other = shardsSeen.get(shard);
      if (other !== undefined) problems.push(`${dir}: shard ${shard} already merged from ${other}`);
      shardsSeen.set(shard, dir);
    }
  });
  if (problems.length > 0) {
    throw new MergeError(`cannot merge runs of different workloads:\n  ${problems.join('\n  ')}`);
  }
}

/** JSON with sorted keys, so equal parameters compare equal whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Whether the runs hold every shard i/N of one N (each at most once: checkCompatible). */
function coversEveryShard(runs: readonly ResultFiles[]): boolean {
  const shards = runs.map((r) => r.result.config['shard']);
  if (!shards.every((s): s is string => typeof s === 'string' && /^\d+\/\d+$/.test(s)))
    return false;
  const counts = new Set(shards.map((s) => s.split('/')[1]));
  return counts.size === 1 && Number([...counts][0]) === shards.length;
}
