/**
 * The CI performance gate's runner (`ecny-bench gate`, docs/gate.md). Runs repeated trials in
 * this one process (each: calibrate, measure the engine, calibrate again; ./trial.ts), judges
 * their machine-independent ratios against a committed baseline with `judgeGate`, prints the
 * Markdown verdict (also to $GITHUB_STEP_SUMMARY) and returns 0 pass / 1 regression / 2 unusable.
 *
 * The baseline is read and checked BEFORE any trial runs, so a missing or garbled file costs
 * nothing but the error message.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InterruptedError, SIGNAL_EXIT_CODES } from '../lifecycle/index.js';
import { collectEnvironment } from '../result-format/index.js';
import {
  DEFAULT_GATE_METRICS,
  type GateBaseline,
  type GateEnvironment,
  type GateResult,
  judgeGate,
  makeBaseline,
  parseBaseline,
  renderGateMarkdown,
  type Trial,
} from './decision.js';
import { median } from './stats.js';
import { type GateTrialResult, GateTrials } from './trial.js';

/** Where the committed baseline lives, relative to the working directory. */
export const DEFAULT_GATE_BASELINE = 'results/baselines/gate.json';
/** Trials per gate run: 5 v 5 is what docs/gate.md's error rates are measured for. */
export const DEFAULT_GATE_TRIALS = 5;
/** Below this, `judgeGate` cannot reach p <= 0.05 (3 v 3 gives exactly 1/20 at best). */
export const MIN_TRIALS = 3;

/** Everything `--json` writes: the verdict (null when only a baseline was written) and the raw figures. */
export interface GateRunReport {
  readonly kind: 'ecny-bench/gate-run';
  readonly version: 1;
  readonly createdAt: string;
  readonly verdict: GateResult['verdict'] | 'baseline-written';
  readonly exitCode: 0 | 1 | 2;
  readonly result: GateResult | null;
  readonly baseline: {
    readonly path: string;
    readonly createdAt: string;
    readonly environment: GateEnvironment;
    readonly trials: number;
  } | null;
  readonly environment: GateEnvironment;
  readonly trials: readonly (Trial & { readonly detail: GateTrialResult })[];
}

/** Reads and validates a baseline file; the message says what is wrong, for exit 2. */
export async function readBaseline(path: string): Promise<GateBaseline | string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOENT'
      ? `no baseline at ${path}: run \`ecny-bench gate --update-baseline\` on a quiet machine and commit it`
      : `cannot read the baseline ${path}: ${(error as Error).message}`;
  }
  try {
    return parseBaseline(JSON.parse(text));
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  }
}

/** The gate's environment record: the machine for humans, never used by the decision. */
export function gateEnvironment(extra: Record<string, string | number | boolean>): GateEnvironment {
  const e = collectEnvironment();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...(e.gitCommit === null ? {} : { commit: e.gitCommit }),
    hostname: e.hostname,
    ...extra,
  };
}

const f3 = (v: number) => v.toFixed(3);
const f0 = (v: number) => Math.round(v).toLocaleString('en-US');

/** One printable line per trial: the ratios and the figures they come from. */
export function describeTrial(i: number, n: number, t: GateTrialResult): string {
  return (
    `trial ${i}/${n}: efficiency ${f3(t.metrics.efficiency)}  cpuRatio ${f3(t.metrics.cpuRatio)}  ` +
    `(engine ${f0(t.engine.settledPerSecond)} tx/s, ${t.engine.cpuMicrosPerTx.toFixed(1)} us CPU/tx; ` +
    `pure ${f0(t.calibration.totalWallRate)} verif/s on all cores, ` +
    `${t.calibration.cpuMicrosPerVerification.toFixed(1)} us CPU/verif) ${t.wallSeconds.toFixed(1)} s`
  );
}

/** A gate run, flags resolved. */
export interface GateRunOptions {
  /** Baseline file, absolute. */
  readonly baselinePath: string;
  readonly trials: number;
  /** TEST ONLY: extra SHA-256 rounds per signature in the engine's workers. */
  readonly extraWork: number;
  /** Write the trials as the new baseline instead of judging them. */
  readonly update: boolean;
  /** Also write the verdict, the trials and their raw figures here. */
  readonly jsonPath?: string;
  /** Aborting stops after the trial in progress: no verdict, exit 130 / 143 (lifecycle/). */
  readonly signal?: AbortSignal;
  /** Receives the run's report (what --json writes) once there is one, e.g. for the history. */
  readonly onReport?: (report: GateRunReport) => Promise<void>;
}

/** The exit status of a gate stopped by a signal (130 / 143). */
function interruptedExit(reason: unknown): number {
  return reason instanceof InterruptedError
    ? SIGNAL_EXIT_CODES[reason.signal]
    : SIGNAL_EXIT_CODES.SIGINT;
}

/** Runs the gate; returns the exit code (0 pass, 1 regression, 2 unusable). */
export async function runGate(o: GateRunOptions): Promise<number> {
  const { baselinePath, trials, extraWork, update } = o;
  const jsonPath = o.jsonPath;

  // Unusable input is reported before minutes of measuring, not after.
  if (trials < MIN_TRIALS) {
    const reason = `--trials ${trials} is too few: the rank test needs at least ${MIN_TRIALS} per side`;
    console.error(`ecny-bench gate: ${reason} (exit 2)`);
    await stepSummary(`### ⚠️ Performance gate: unusable (exit 2)\n\n${reason}\n`);
    return 2;
  }
  let baseline: GateBaseline | null = null;
  if (!update) {
    const read = await readBaseline(baselinePath);
    if (typeof read === 'string') {
      console.error(`ecny-bench gate: ${read} (exit 2)`);
      await stepSummary(`### ⚠️ Performance gate: unusable (exit 2)\n\n${read}\n`);
      if (jsonPath) await writeJson(jsonPath, unusableReport(read, baselinePath));
      return 2;
    }
    baseline = read;
  }

  const load0 = loadavg()[0]!;
  const { signal } = o;
  if (signal?.aborted) return interruptedExit(signal.reason);
  const runner = await GateTrials.open({ extraWorkPerItem: extraWork });
  const measured: GateTrialResult[] = [];
  try {
    console.error(
      `gate: ${trials} trials of ${runner.options.transfers} transfers on ${runner.options.threads} verify threads` +
        `${extraWork > 0 ? `, TEST-ONLY --extra-work ${extraWork} in the engine's workers` : ''}`,
    );
    for (let i = 1; i <= trials && !signal?.aborted; i++) {
      const t = await runner.run();
      measured.push(t);
      console.error(describeTrial(i, trials, t));
    }
  } finally {
    await runner.close();
  }
  if (signal?.aborted) {
    // Fewer trials than asked would judge with less power than the rule was sized for.
    const reason = `interrupted after ${measured.length} of ${trials} trials: no verdict`;
    console.error(`ecny-bench gate: ${reason}`);
    await stepSummary(`### ⚠️ Performance gate: interrupted\n\n${reason}\n`);
    if (jsonPath)
      await writeJson(jsonPath, {
        ...unusableReport(reason, baselinePath),
        verdict: 'interrupted',
      });
    return interruptedExit(signal.reason);
  }
  const current: Trial[] = measured.map((t, i) => ({
    metrics: { ...t.metrics },
    label: `trial ${i + 1}`,
  }));
  const environment = gateEnvironment({
    backend: runner.options.backend,
    transfersPerTrial: runner.options.transfers,
    ...(extraWork > 0 ? { extraWorkPerItem: extraWork } : {}),
    // The machine is shared: the load around the measurement says how much to trust it.
    loadAverageBefore: Number(load0.toFixed(2)),
    loadAverageAfter: Number(loadavg()[0]!.toFixed(2)),
  });
  const detailed = current.map((t, i) => ({ ...t, detail: measured[i]! }));

  if (update) {
    const written = makeBaseline(current, environment);
    await mkdir(dirname(baselinePath), { recursive: true });
    await writeFile(baselinePath, `${JSON.stringify(written, null, 2)}\n`);
    console.log(
      `wrote ${baselinePath}: ${trials} trials, median efficiency ${f3(medianOf(current, 'efficiency'))}, ` +
        `median cpuRatio ${f3(medianOf(current, 'cpuRatio'))}. Review it and commit it in its own commit.`,
    );
    const report: GateRunReport = {
      kind: 'ecny-bench/gate-run',
      version: 1,
      createdAt: new Date().toISOString(),
      verdict: 'baseline-written',
      exitCode: 0,
      result: null,
      baseline: null,
      environment,
      trials: detailed,
    };
    if (jsonPath) await writeJson(jsonPath, report);
    await o.onReport?.(report);
    return 0;
  }

  const b = baseline!;
  const result = judgeGate(b.trials, current, { metrics: DEFAULT_GATE_METRICS });
  const markdown = renderGateMarkdown(result);
  const context =
    `\nBaseline: ${b.trials.length} trials from ${b.createdAt} on ${b.environment.cpuModel} x${b.environment.cores}` +
    `; current: ${environment.cpuModel} x${environment.cores}, load average ${environment['loadAverageBefore']} -> ${environment['loadAverageAfter']}.\n`;
  console.log(markdown + context);
  await stepSummary(`${markdown}${context}\n`);
  const report: GateRunReport = {
    kind: 'ecny-bench/gate-run',
    version: 1,
    createdAt: new Date().toISOString(),
    verdict: result.verdict,
    exitCode: result.exitCode,
    result,
    baseline: {
      path: baselinePath,
      createdAt: b.createdAt,
      environment: b.environment,
      trials: b.trials.length,
    },
    environment,
    trials: detailed,
  };
  if (jsonPath) await writeJson(jsonPath, report);
  await o.onReport?.(report);
  return result.exitCode;
}

/** Appends to the GitHub Actions job summary when running there; a no-op elsewhere. */
async function stepSummary(markdown: string): Promise<void> {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) await appendFile(file, markdown);
}

function medianOf(trials: readonly Trial[], metric: string): number {
  return median(trials.map((t) => t.metrics[metric]!));
}

function unusableReport(reason: string, path: string) {
  return {
    kind: 'ecny-bench/gate-run',
    version: 1,
    createdAt: new Date().toISOString(),
    verdict: 'unusable',
    exitCode: 2,
    reason,
    baselinePath: path,
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
