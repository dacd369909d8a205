/**
 * `report` and `compare` as commands in the shape of cli/args.ts's `Command`, for
 * cli/commands/index.ts to list; also runnable directly: `node dist/charts/cli.js report <dir>`.
 *
 *   report <run-dir>...              charts (PNG) + report.html into each run directory
 *   compare --out <dir> <run-dir>... compare-*.png + compare.html into <dir>
 *
 * A run directory is anything holding a result.json (results/<run-id>/).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RESULT_SCHEMA, type RunResult } from '../scenarios/results/schema.js';
import { renderComparison, renderRunCharts } from './render.js';
import { writeComparisonReport, writeReport } from './report.js';

/** Same shape as cli/args.ts `Command` (structural: no import of the CLI from the library). */
export interface ChartsCommand {
  readonly name: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const REPORT_USAGE =
  'usage: ecny-bench report <run-dir>...  (writes *.png and report.html next to result.json)';
const COMPARE_USAGE = 'usage: ecny-bench compare --out <dir> <run-dir> <run-dir>...';

/** Reads and minimally checks `<dir>/result.json`. Throws with the path on anything unusable. */
export async function readResult(dir: string): Promise<RunResult> {
  const file = join(dir, 'result.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== RESULT_SCHEMA) {
    throw new Error(`${file}: schema is ${JSON.stringify(schema)}, expected "${RESULT_SCHEMA}"`);
  }
  return parsed as RunResult;
}

function usage(message: string, text: string): number {
  console.error(`${message}\n${text}`);
  return 2;
}

/** `report <run-dir>...`: exit 0 when written, 2 on unusable input. */
export const reportCommand: ChartsCommand = {
  name: 'report',
  summary: 'render charts and report.html for finished runs',
  async run(argv) {
    let dirs: string[];
    try {
      const { positionals, values } = parseArgs({
        args: argv,
        options: { help: { type: 'boolean' } },
        allowPositionals: true,
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
export const compareCommand: ChartsCommand = {
  name: 'compare',
  summary: 'overlay several runs: percentile distributions and throughput',
  async run(argv) {
    let out: string | undefined;
    let dirs: string[];
    try {
      const { positionals, values } = parseArgs({
        args: argv,
        options: { out: { type: 'string' }, help: { type: 'boolean' } },
        allowPositionals: true,
      });
      if (values.help) {
        console.log(COMPARE_USAGE);
        return 0;
      }
      out = values.out;
      dirs = positionals;
    } catch (error) {
      return usage((error as Error).message, COMPARE_USAGE);
    }
    if (out === undefined) return usage('compare: --out is required', COMPARE_USAGE);
    if (dirs.length < 2) return usage('compare: give at least two run directories', COMPARE_USAGE);
    let results: RunResult[];
    try {
      results = await Promise.all(dirs.map(readResult));
    } catch (error) {
      return usage(`compare: ${(error as Error).message}`, COMPARE_USAGE);
    }
    const files = [
      ...(await renderComparison(results, out)),
      await writeComparisonReport(results, out),
    ];
    console.log(JSON.stringify({ runs: results.map((r) => r.runId), files }));
    return 0;
  },
};

/** Both commands, for cli/commands/index.ts. */
export const CHART_COMMANDS: readonly ChartsCommand[] = [reportCommand, compareCommand];

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const [name, ...rest] = process.argv.slice(2);
  const command = CHART_COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`${REPORT_USAGE}\n${COMPARE_USAGE}`);
    process.exitCode = 2;
  } else {
    command.run(rest).then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 2;
      },
    );
  }
}
