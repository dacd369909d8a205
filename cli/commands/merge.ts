/** `ecny-bench merge`: shard result directories -> one run, thresholds judged on the whole. */
import { mergeResults, type RunResult, readResult } from '../../result-format/index.js';
import {
  parseThresholds,
  rejudge,
  thresholdLines,
  thresholdsPassed,
} from '../../thresholds/index.js';
import { type Command, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const USAGE = `usage: ecny-bench merge --out <dir> <shard-result-dir> <shard-result-dir> ...
The shards' thresholds are judged again over the merged run. Exit 0 passed, 1 a correctness
check failed, 2 the directories are not shards of one run, 99 a threshold was crossed.`;

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

export const merge: Command = {
  name: 'merge',
  summary: 'combine the result directories of a sharded run exactly (histograms added)',
  async run(argv) {
    const { values, positionals } = parse(argv, { out: { type: 'string' } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.out || positionals.length < 2) throw new UsageError(USAGE);
    const first = await readResult(positionals[0]!).catch(() => null);
    const result = await mergeResults(
      positionals,
      values.out,
      first === null ? undefined : judgeAgain(first),
    );
    console.log(
      `merged ${positionals.length} shards: ${result.totals.sent} sent, ${result.totals.settled} settled -> ${values.out}`,
    );
    for (const line of thresholdLines(result.thresholds ?? [])) console.log(`  ${line}`);
    if (!result.outcome.passed) return EXIT.failed;
    return thresholdsPassed(result.thresholds) ? EXIT.ok : EXIT.thresholds;
  },
};
