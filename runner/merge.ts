/**
 * Merging the shards of one run, as `ecny-bench merge` and a run's coordinator both do: the
 * exact merge of result-format (histograms added, counts summed), then the first shard's
 * thresholds judged again over the whole run, since each shard judged them on its share alone.
 */
import { mergeResults, type RunResult, readResult } from '../result-format/index.js';
import { parseThresholds, rejudge, thresholdsPassed } from '../thresholds/index.js';

/** The first shard's thresholds, judged again over the merged figures. */
function judgeAgain(first: RunResult) {
  return (merged: RunResult): RunResult => {
    const outcomes = first.thresholds ?? [];
    const specs = [
      ...parseThresholds(
        outcomes.filter((o) => o.source === 'flag').map((o) => o.expression),
        'flag',
      ),
      ...parseThresholds(
        outcomes.filter((o) => o.source === 'scenario').map((o) => o.expression),
        'scenario',
      ),
    ];
    return rejudge(merged, specs);
  };
}

/**
 * Merges shard result directories into `outDir` (MergeError when they are not shards of one
 * run) and judges the thresholds again; `finish` adds last touches before the files are written.
 */
export async function mergeShardRuns(
  dirs: readonly string[],
  outDir: string,
  finish: (merged: RunResult) => RunResult = (merged) => merged,
): Promise<RunResult> {
  const first = dirs.length === 0 ? null : await readResult(dirs[0]!).catch(() => null);
  return mergeResults(dirs, outDir, (merged) =>
    finish(first === null ? merged : judgeAgain(first)(merged)),
  );
}

/** The verdict of a merged run: `failed` (a correctness check), `thresholds` (crossed) or `pass`. */
export function mergedVerdict(result: RunResult): 'pass' | 'failed' | 'thresholds' {
  if (!result.outcome.passed) return 'failed';
  return thresholdsPassed(result.thresholds) ? 'pass' : 'thresholds';
}
