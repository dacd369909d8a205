/** `ecny-bench merge`: shard result directories -> one run, thresholds judged on the whole. */
import { mergedVerdict, mergeShardRuns } from '../../runner/index.js';
import { thresholdLines } from '../../thresholds/index.js';
import { type Command, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const USAGE = `usage: ecny-bench merge --out <dir> <shard-result-dir> <shard-result-dir> ...
The shards' thresholds are judged again over the merged run. Exit 0 passed, 1 a correctness
check failed, 2 the directories are not shards of one run, 99 a threshold was crossed.`;

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
    const result = await mergeShardRuns(positionals, values.out);
    console.log(
      `merged ${positionals.length} shards: ${result.totals.sent} sent, ${result.totals.settled} settled -> ${values.out}`,
    );
    for (const line of thresholdLines(result.thresholds ?? [])) console.log(`  ${line}`);
    const verdict = mergedVerdict(result);
    return verdict === 'failed'
      ? EXIT.failed
      : verdict === 'thresholds'
        ? EXIT.thresholds
        : EXIT.ok;
  },
};
