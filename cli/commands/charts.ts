/**
 * `report` and `compare`: charts and HTML reports of finished runs (charts/).
 *
 *   report <run-dir>...              charts (PNG) + report.html into each run directory
 *   compare --out <dir> <run-dir>... compare-*.png + compare.html into <dir>
 *
 * A run directory is anything holding a result.json (results/<run-id>/).
 */
import { parseArgs } from 'node:util';
import {
  renderComparison,
  renderRunCharts,
  writeComparisonReport,
  writeReport,
} from '../../charts/index.js';
import { type RunResult, readResult } from '../../result-format/index.js';
import type { Command } from './args.js';

const REPORT_USAGE =
  'usage: ecny-bench report <run-dir>...  (writes *.png and report.html next to result.json)';
const COMPARE_USAGE = `usage: ecny-bench compare --out <dir> [--label NAME]... <run-dir> <run-dir>...
Labels each run by what differs between them (engine embedded or external, its flags, duration,
scale, client, commit, machine...), or by --label, given once per run in the same order.`;

function usage(message: string, text: string): number {
  console.error(`${message}\n${text}`);
  return 2;
}

/** `report <run-dir>...`: exit 0 when written, 2 on unusable input. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'render charts and report.html for finished runs',
  async run(argv) {
    let dirs: string[];
    try {
      const { positionals, values } = parseArgs({
        args: argv,
        options: { help: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        console.log(REPORT_USAGE);
        return 0;
      }
      dirs = positionals;
    } catch (error) {
      return usage((error as Error).message, REPORT_USAGE);
    }
    if (dirs.length === 0) return usage('report: no run directory given', REPORT_USAGE);
    for (const dir of dirs) {
      let result: RunResult;
      try {
        result = await readResult(dir);
      } catch (error) {
        return usage(`report: ${(error as Error).message}`, REPORT_USAGE);
      }
      const files = [...(await renderRunCharts(result, dir)), await writeReport(result, dir)];
      console.log(JSON.stringify({ runId: result.runId, files }));
    }
    return 0;
  },
};

/** `compare --out <dir> <run-dir>...`: exit 0 when written, 2 on unusable input. */
export const compareCommand: Command = {
  name: 'compare',
  summary: 'overlay several runs: percentile distributions and throughput',
  async run(argv) {
    let out: string | undefined;
    let dirs: string[];
    let labels: string[] | undefined;
    try {
      const { positionals, values } = parseArgs({
        args: argv,
        options: {
          out: { type: 'string' },
          label: { type: 'string', multiple: true },
          help: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        console.log(COMPARE_USAGE);
        return 0;
      }
      out = values.out;
      dirs = positionals;
      labels = values.label;
    } catch (error) {
      return usage((error as Error).message, COMPARE_USAGE);
    }
    if (out === undefined) return usage('compare: --out is required', COMPARE_USAGE);
    if (dirs.length < 2) return usage('compare: give at least two run directories', COMPARE_USAGE);
    if (labels !== undefined && labels.length !== dirs.length)
      return usage(
        `compare: ${labels.length} --label for ${dirs.length} runs: give one per run, in order`,
        COMPARE_USAGE,
      );
    let results: RunResult[];
    try {
      results = await Promise.all(dirs.map(readResult));
    } catch (error) {
      return usage(`compare: ${(error as Error).message}`, COMPARE_USAGE);
    }
    const files = [
      ...(await renderComparison(results, out, labels)),
      await writeComparisonReport(results, out, labels),
    ];
    console.log(JSON.stringify({ runs: results.map((r) => r.runId), files }));
    return 0;
  },
};

/** Both commands, for cli/commands/index.ts. */
export const CHART_COMMANDS: readonly Command[] = [reportCommand, compareCommand];
