/**
 * Merging shard runs (one per host, `--shard i/N`) into one result, exactly: histograms decoded
 * from each latency.hlog and added per second and overall, counts summed, percentiles
 * recomputed from the sums. Seconds align on each shard's own start (t = 0 at its start-at),
 * which is the same instant when the shards were started with one `--start-at`.
 */

import { type ResultFiles, readResults, writeResults } from './files.js';
import { makeRunId } from './run-id.js';
import type { RunResult } from './schema.js';
import { type EngineSample, HISTOGRAM_KINDS, SecondsAccumulator } from './series.js';
import { type MismatchSample, offlineOf, summarizeRun } from './summary.js';

/** Thrown when the directories are not shards of one run. */
export class MergeError extends Error {
  readonly code = 'MERGE_INCOMPATIBLE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * Merges shard result directories into `outDir` and returns the merged result.
 * Refuses (MergeError) runs of different scenarios, variants, seeds, parameters or kinds, and
 * two directories of the same shard (which would count it twice).
 */
export async function mergeResults(dirs: readonly string[], outDir: string): Promise<RunResult> {
  if (dirs.length === 0) throw new MergeError('mergeResults needs at least one directory');
  const runs: ResultFiles[] = [];
  for (const dir of dirs) runs.push(await readResults(dir));
  checkCompatible(runs, dirs);
  const first = runs[0]!.result;

  const acc = new SecondsAccumulator();
  const engineSeconds = new Map<number, EngineSample>();
  let planned = 0;
  let matched = 0;
  let mismatched = 0;
  let lost = 0;
  let retried = 0;
  let processes = 0;
  let cpuSeconds = 0;
  let durationS = 0;
  const samples: MismatchSample[] = [];
  for (const { result, histograms } of runs) {
    for (const s of result.timeseries) {
      acc.addCounters(s.t, { ...s, synced: s.synced ?? 0 });
      // every shard polls the same engine: keep one reading per second, do not add them
      if (s.engine !== undefined && !engineSeconds.has(s.t)) engineSeconds.set(s.t, s.engine);
    }
    for (const interval of histograms.intervals) {
      for (const kind of HISTOGRAM_KINDS)
        acc.addHistogram(interval.t, kind, interval.histograms[kind]);
    }
    planned += result.totals.planned;
    matched += result.totals.matched;
    mismatched += result.totals.mismatched;
    lost += result.totals.lost;
    retried += result.totals.retried ?? 0;
    processes += result.generator?.processes ?? 0;
    cpuSeconds += result.generator?.cpuSeconds ?? 0;
    durationS = Math.max(durationS, result.durationS);
    samples.push(...result.outcome.samples);
  }
  const startAtMs = Math.min(...runs.map((r) => r.histograms.startAtMs));
  const startedAt = runs.map((r) => r.result.startedAt).sort()[0]!;
  const endedAt = runs
    .map((r) => r.result.endedAt)
    .sort()
    .at(-1)!;
  const accumulated = acc.finish(startAtMs);
  const measured = summarizeRun({
    accumulated,
    tally: { planned, matched, mismatched, lost, retried, samples },
    allowDrops: runs.every((r) => r.result.config['allowDrops'] === true),
    startedAt,
    endedAt,
    durationS,
    engineSeconds,
    ...(runs.some((r) => r.result.timeseries.some((s) => s.synced !== undefined))
      ? offlineOf(first.scenario.params, coversEveryShard(runs))
      : {}),
    ...(first.engine === undefined ? {} : { engine: first.engine }),
    generator: { processes, cpuSeconds },
  });
  const merged: RunResult = {
    ...first,
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
  await writeResults(outDir, merged, accumulated.histograms);
  return merged;
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
