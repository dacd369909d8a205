import { mergeResults } from '../../result-format/index.js';
import { type Command, parse, UsageError } from './args.js';

const USAGE = 'usage: ecny-bench merge --out <dir> <shard-result-dir> <shard-result-dir> ...';

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
    const result = await mergeResults(positionals, values.out);
    console.log(
      `merged ${positionals.length} shards: ${result.totals.sent} sent, ${result.totals.settled} settled -> ${values.out}`,
    );
    return result.outcome.passed ? 0 : 1;
  },
};
