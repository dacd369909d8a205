/**
 * `ecny-bench history`: trend charts (PNG + history.html) and the job-summary Markdown of a
 * results history (docs/history.md), seeded with the committed gate baselines.
 */
import { writeFile } from 'node:fs/promises';
import {
  committedBaselineRecords,
  DEFAULT_HISTORY_FILE,
  historyMarkdown,
  orderRecords,
  readHistory,
  writeHistory,
} from '../../history/index.js';
import { type Command, env, int, parse, UsageError } from './args.js';
import { appendStepSummary } from './run-summary.js';

const USAGE = `usage: ecny-bench history [--file ${DEFAULT_HISTORY_FILE}] [--out results/history] [--last 10]
  [--no-seed] [--markdown FILE]
Reads the JSON Lines history that \`run --history\` and \`gate --history\` append to, adds every
committed version of the gate baselines (results/baselines/*.json, from git) unless --no-seed,
and writes one PNG per trend chart plus history.html into --out: each gate metric over commits
with the baseline and the gate's threshold band (regressions flagged), and each scenario's p99
and throughput over commits. The Markdown summary (sparklines and tables of the last --last
points) goes to --markdown FILE, and is appended to $GITHUB_STEP_SUMMARY when that is set.
Exit 0 written; 2 unusable input (an unreadable file, nothing to chart).`;

const FLAGS = {
  file: { type: 'string' },
  out: { type: 'string' },
  last: { type: 'string' },
  'no-seed': { type: 'boolean' },
  markdown: { type: 'string' },
} as const;

export const history: Command = {
  name: 'history',
  summary: 'trend charts of the results history (gate metrics, p99, throughput over commits)',
  async run(argv) {
    const { values, positionals } = parse(argv, FLAGS, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${positionals[0]}\n${USAGE}`);
    const flag = (n: Exclude<keyof typeof FLAGS, 'no-seed'>) =>
      (values[n] as string | undefined) ?? env(n);
    const file = flag('file') ?? DEFAULT_HISTORY_FILE;
    const outDir = flag('out') ?? 'results/history';
    const last = int('last', flag('last'), 10, 1);
    const read = await readHistory(file);
    const seeds = values['no-seed'] === true ? [] : committedBaselineRecords();
    for (const s of read.skipped.slice(0, 5))
      console.error(`history: ${file}:${s.line} skipped: ${s.reason}`);
    if (read.skipped.length > 5)
      console.error(`history: ${read.skipped.length - 5} more unreadable lines skipped`);
    const records = orderRecords([...seeds, ...read.records]);
    if (records.length === 0)
      throw new UsageError(
        `nothing to chart: ${read.found ? `${file} holds no records` : `no history at ${file}`}` +
          `${values['no-seed'] === true ? '' : ' and no committed baselines'} (append with run/gate --history)`,
      );
    const files = await writeHistory(records, outDir, {
      file: read.found ? file : null,
      seeded: seeds.length,
      skipped: read.skipped.length,
    });
    const markdown = historyMarkdown(records, last);
    const markdownFile = flag('markdown');
    if (markdownFile !== undefined) {
      await writeFile(markdownFile, markdown);
      files.push(markdownFile);
    }
    await appendStepSummary(markdown);
    console.log(
      `history: ${records.length} records (${read.records.length} from ${read.found ? file : 'no file'}, ${seeds.length} committed baseline versions)`,
    );
    for (const f of files) console.log(`  ${f}`);
    return 0;
  },
};
