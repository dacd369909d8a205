/**
 * One complete run: workload (cached) -> engine (embedded child process unless a target is
 * given) -> genesis + measured load -> books checked through the API -> engine stopped ->
 * thresholds judged -> result files, charts and report. The runner never special-cases a
 * scenario: everything comes from its data.
 *
 * A run stopped early (its `signal` aborted by Ctrl-C or SIGTERM, or an abortOnFail threshold
 * crossed) still stops its generators and its engine, removes its temporary files, and writes
 * what it measured, marked `incomplete` in result.json and by an INCOMPLETE file beside it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderRunCharts, writeReport } from '../charts/index.js';
import { DEFAULT_TIERS_NAME } from '../engine/domain/index.js';
import { abortable, InterruptedError } from '../lifecycle/index.js';
import {
  type LoadRunOptions,
  ownsLane,
  type Progress,
  runLoad,
  type Shard,
  type WatchedProcess,
  WHOLE,
} from '../load/index.js';
import {
  buildRunResult,
  type IncompleteRun,
  type RunHistograms,
  type RunResult,
  writeResults,
} from '../result-format/index.js';
import { getScenario, SCENARIOS, TIER_PRESETS } from '../scenarios/catalog/index.js';
import type { Fact, ScenarioOptions } from '../scenarios/model/index.js';
import { loadOrGenerateWorkload, type Workload } from '../scenarios/workload/index.js';
import {
  crossedAbortThreshold,
  type Figures,
  figuresOfResult,
  judgeThresholds,
  parseThresholds,
  type ThresholdSpec,
  thresholdsPassed,
} from '../thresholds/index.js';
import { type EngineDeployment, withEngines } from './deployment.js';
import { getEngineJson } from './engine-process.js';

export interface RunOptions {
  readonly scenario: string;
  readonly scenarioOptions: ScenarioOptions;
  /**
   * Engine URLs (several: engine nodes sharing one ledger); when absent the runner starts its
   * own engines (`deployment`, by default one embedded engine on the memory store).
   */
  readonly targets?: readonly string[];
  /** What to start when no targets are given (store, engine nodes, database server). */
  readonly deployment?: EngineDeployment;
  /** `serve` flags for the embedded engines, e.g. ['--backend', 'noble']. */
  readonly engineArgs: readonly string[];
  readonly load: Omit<LoadRunOptions, 'target' | 'workloadPath'>;
  readonly sloMs: number;
  readonly outDir: string;
  readonly charts: boolean;
  readonly log: (line: string) => void;
  /**
   * Threshold expressions (`p99<50ms`, docs/cli.md). Undefined: the scenario's defaults; given
   * (even empty): these instead of the defaults.
   */
  readonly thresholds?: readonly string[];
  /** Aborting stops the run in order and keeps what was measured (see the module comment). */
  readonly signal?: AbortSignal;
  /** How long to wait for an external `target` to answer /healthz. Default TARGET_WAIT_MS. */
  readonly targetWaitMs?: number;
}

/**
 * - `pass`: outcomes matched, books reconciled, every threshold passed;
 * - `failed`: a correctness check failed (mismatch, loss, unallowed drops, books), whatever the thresholds;
 * - `thresholds`: correct, but at least one threshold was crossed (or one stopped the run);
 * - `incomplete`: stopped by a signal before the end; the figures cover what ran.
 */
export type RunVerdict = 'pass' | 'failed' | 'thresholds' | 'incomplete';

export interface RunReport {
  readonly result: RunResult;
  readonly dir: string;
  readonly files: string[];
  /** The run passed outcome checking and the books reconciled. */
  readonly passed: boolean;
  /** Every threshold passed (true when there were none). */
  readonly thresholdsPassed: boolean;
  readonly verdict: RunVerdict;
}

/** The file that marks a results directory as cut short; it holds the reason. */
export const INCOMPLETE_FILE = 'INCOMPLETE';

/** Bounds of the connections a run opens per load-generator process when none are given. */
const MIN_CONNECTIONS = 16;
const MAX_CONNECTIONS = 256;

/**
 * Connections per process for a workload, when the caller gave none: enough that the schedule's
 * busiest second never waits for a free connection while answers take up to twice the SLO
 * (Little's law: in flight = rate x latency). Too few turns the open model into a closed loop
 * at the peak: sends go late and are dropped, and the run measures the driver, not the engine.
 */
export function connectionsFor(
  plannedRate: readonly number[],
  sloMs: number,
  generators: number,
): number {
  const peak = plannedRate.reduce((m, r) => Math.max(m, r), 0);
  const inFlight = Math.ceil((peak * 2 * Math.max(sloMs, 1)) / 1000 / Math.max(generators, 1));
  return Math.min(MAX_CONNECTIONS, Math.max(MIN_CONNECTIONS, inFlight));
}

/**
 * The facts behind a run: its scenario variant's, then its tier table's (their `uses` under
 * `tiers.`). None for a scenario the catalog does not know.
 */
export function factsFor(
  scenario: string,
  variant: string | undefined,
  tiersName: string = DEFAULT_TIERS_NAME,
): readonly Fact[] {
  const def = SCENARIOS.get(scenario);
  const facts = def?.variants[variant ?? def.defaultVariant]?.facts ?? [];
  const tiers = TIER_PRESETS.get(tiersName)?.facts ?? [
    {
      figure: 'wallet tiers',
      value: `the table in ${tiersName.replace(/^file:/, '')}`,
      modelled: 'a custom table given on the command line',
      uses: ['1', '2', '3', '4', 'merchantBalance'],
    },
  ];
  return [...facts, ...tiers.map((f) => ({ ...f, uses: f.uses.map((u) => `tiers.${u}`) }))];
}

/**
 * The engine's books with the workload's expectation beside them (fen): `matchesWorkload` is
 * false when any total differs, naming each in `problems`.
 */
export function withExpectedBooks(
  books: NonNullable<RunResult['reconciliation']>,
  expected: unknown,
): NonNullable<RunResult['reconciliation']> {
  if (typeof expected !== 'object' || expected === null) return books;
  const want = expected as Record<string, number>;
  const differ = Object.entries(want)
    .filter(([k, v]) => books[k] !== v)
    .map(([k, v]) => `${k}: engine ${String(books[k])} fen, workload expects ${v}`);
  const problems = Array.isArray(books.problems) ? (books.problems as string[]) : [];
  return {
    ...books,
    expected: want,
    matchesWorkload: differ.length === 0,
    problems: [...problems, ...differ],
  };
}

/** The tier table name a workload was made for (older workloads: the default). */
export function tiersNameOf(params: Readonly<Record<string, unknown>>): string {
  const t = params.tiers as { name?: unknown } | undefined;
  return typeof t?.name === 'string' ? t.name : DEFAULT_TIERS_NAME;
}

/** The run's thresholds: the flags' if given, else the scenario's defaults; all checked up front. */
export function runThresholds(
  scenario: string,
  flags: readonly string[] | undefined,
): ThresholdSpec[] {
  if (flags !== undefined) return parseThresholds(flags, 'flag');
  return parseThresholds(getScenario(scenario).thresholds ?? [], 'scenario');
}

/** Figures of the measured phase so far, from a progress report. */
function figuresOfProgress(p: Progress): Figures {
  const s = p.sofar;
  return {
    latency: s.latency,
    service: s.uncorrected,
    sendLag: s.sendLag,
    planned: s.planned,
    offered: s.offered,
    sent: s.sent,
    answered: s.achieved,
    settled: s.settled,
    dropped: s.dropped,
    errors: s.errors,
    rejectedByCode: s.rejectedByCode,
    seconds: s.seconds,
  };
}

export async function runScenario(options: RunOptions): Promise<RunReport> {
  const { signal } = options;
  const thresholds = runThresholds(options.scenario, options.thresholds);
  const loaded = await abortable(
    loadOrGenerateWorkload(options.scenario, options.scenarioOptions),
    signal,
  );
  const { meta } = loaded.workload;
  options.log(
    `workload ${meta.scenario}${meta.variant ? `/${meta.variant}` : ''}: ${loaded.workload.genesis.bodies.length} genesis + ` +
      `${loaded.workload.ops.bodies.length} measured ops over ${(meta.durationMs / 1000).toFixed(0)} s ` +
      `(${loaded.cached ? 'cached' : 'generated'} in ${(loaded.ms / 1000).toFixed(1)} s)`,
  );
  // The load stops for a signal or for an abortOnFail threshold; the engine only for a signal.
  const stopLoad = new AbortController();
  const onSignal = () => stopLoad.abort(signal?.reason);
  signal?.addEventListener('abort', onSignal, { once: true });
  let abortedBy: ThresholdSpec | undefined;
  const watched = thresholds.filter((t) => t.abortOnFail !== undefined);
  const onProgress = (p: Progress) => {
    options.load.onProgress?.(p);
    if (watched.length === 0 || stopLoad.signal.aborted) return;
    const crossed = crossedAbortThreshold(watched, figuresOfProgress(p));
    if (crossed === null) return;
    abortedBy = crossed;
    options.log(
      `threshold ${crossed.expression} crossed at t=${p.t}s: stopping the run (abortOnFail)`,
    );
    stopLoad.abort(new Error(`threshold ${crossed.expression} crossed`));
  };
  let measured: Awaited<ReturnType<typeof measure>> & { readonly targets: readonly string[] };
  try {
    measured = await withEngines(
      options.targets,
      meta,
      options.engineArgs,
      async (targets, embedded, watch) => {
        for (const e of embedded) options.log(`engine started at ${e.url} (pid ${e.pid})`);
        const m = await measure(
          options,
          loaded.workload,
          targets,
          stopLoad.signal,
          onProgress,
          watch,
          embedded.length > 0,
        );
        return { ...m, targets };
      },
      {
        ...(signal === undefined ? {} : { signal }),
        ...(options.targetWaitMs === undefined ? {} : { targetWaitMs: options.targetWaitMs }),
        ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
      },
    );
  } finally {
    signal?.removeEventListener('abort', onSignal);
  }
  const { load, reconciliation, engineStats, targets } = measured;
  const deployment = options.deployment;
  const built = buildRunResult({
    kind: 'run',
    meta,
    facts: factsFor(meta.scenario, meta.variant, tiersNameOf(meta.params)),
    config: {
      ...load.config,
      sloMs: options.sloMs,
      // Sized by the runner (not given): `compare` does not label runs by it.
      ...(options.load.connections === undefined ? { connectionsSized: true } : {}),
      engine:
        options.targets !== undefined && options.targets.length > 0
          ? { target: targets.join(','), targets }
          : {
              embedded: true,
              args: options.engineArgs,
              store: deployment?.store ?? 'memory',
              nodes: deployment?.nodes ?? 1,
              ...(deployment?.databaseUrl === undefined ? {} : { database: 'external' }),
              targets,
            },
    },
    measured: load.measured,
    ...(reconciliation ? { reconciliation } : {}),
  });
  const incomplete = incompleteOf(load.stopped, abortedBy);
  const withStats: RunResult = {
    ...built,
    totals: {
      ...built.totals,
      expectedSettled: expectedSettledOf(loaded.workload, options.load.shard ?? WHOLE),
    },
    // Cut short, the check saw only part of the answers: say so instead of "N lost".
    ...(incomplete
      ? {
          outcome: {
            ...built.outcome,
            passed: false,
            reasons: [
              `not checked to the end: ${incomplete.reason}`,
              ...(built.totals.mismatched > 0 ? [`${built.totals.mismatched} mismatched`] : []),
            ],
          },
        }
      : {}),
    ...(engineStats ? { engine: engineStats } : {}),
    ...(incomplete ? { incomplete } : {}),
  };
  const result: RunResult =
    thresholds.length === 0
      ? withStats
      : {
          ...withStats,
          thresholds: judgeThresholds(thresholds, figuresOfResult(withStats), abortedBy),
        };
  const dir = join(options.outDir, result.runId);
  const files = await writeRunOutputs(dir, result, load.histograms, options.charts);
  const passed =
    result.outcome.passed &&
    result.reconciliation?.ok === true &&
    result.reconciliation.matchesWorkload !== false;
  const thresholdsOk = thresholdsPassed(result.thresholds);
  const verdict = runVerdict(result, passed, thresholdsOk);
  return { result, dir, files, passed, thresholdsPassed: thresholdsOk, verdict };
}

/**
 * The measured phase against running engines (several: nodes of one ledger, each generator
 * process to one), then the books (from the first: they are the ledger's) and every node's stats.
 */
async function measure(
  options: RunOptions,
  workload: Workload,
  targets: readonly string[],
  stop: AbortSignal,
  onProgress: (p: Progress) => void,
  watch: readonly WatchedProcess[],
  embedded: boolean,
) {
  const { meta } = workload;
  // Each generator process sends to one target: a multiple of the targets, so each gets as many.
  const asked = options.load.processes ?? 1;
  const processes = Math.ceil(Math.max(asked, targets.length) / targets.length) * targets.length;
  if (processes !== asked)
    options.log(
      `${processes} load-generator processes (a multiple of the ${targets.length} targets)`,
    );
  const connections =
    options.load.connections ??
    connectionsFor(meta.plannedRate, options.sloMs, processes * (options.load.shard?.count ?? 1));
  if (options.load.connections === undefined)
    options.log(
      `${processes} load-generator process${processes === 1 ? '' : 'es'} x ${connections} connections ` +
        `(sized for the busiest second, ${meta.plannedRate.reduce((m, r) => Math.max(m, r), 0)} ops/s, at 2 x SLO latency)`,
    );
  const load = await runLoad(workload, {
    ...options.load,
    processes,
    connections,
    target: targets,
    signal: stop,
    onProgress,
    watch,
  });
  // Cut short, the engine may be going away too (a terminal's Ctrl-C reaches it): ask briefly.
  const timeoutMs = options.signal?.aborted ? 3_000 : 60_000;
  const books = (await getEngineJson(`${targets[0]}/v1/reconcile`, timeoutMs)) as
    | RunResult['reconciliation']
    | undefined;
  // Engines started fresh for this run that answered everything as expected hold exactly the
  // workload's books (the ledger's, read from any node).
  const t = load.measured.totals;
  const reconciliation =
    books && embedded && !load.stopped && t.mismatched === 0 && t.lost === 0 && t.dropped === 0
      ? withExpectedBooks(books, meta.params.expectedBooksFen)
      : books;
  const stats = await Promise.all(targets.map((t) => getEngineJson(`${t}/v1/stats`, timeoutMs)));
  const engineStats = (
    stats.length === 1 ? stats[0] : { targets, nodes: stats.map((s) => s ?? null) }
  ) as Record<string, unknown> | undefined;
  return { load, reconciliation, engineStats };
}

/** Ops of this shard's lanes that the workload expects to settle (settled_rate's denominator). */
function expectedSettledOf(workload: Workload, shard: Shard): number {
  const { expected, lane } = workload.ops;
  let n = 0;
  for (let i = 0; i < expected.length; i++)
    if (expected[i] === 'SETTLED' && ownsLane(lane[i]!, shard)) n++;
  return n;
}

function runVerdict(result: RunResult, passed: boolean, thresholdsOk: boolean): RunVerdict {
  const { incomplete } = result;
  if (incomplete?.cause === 'signal') return 'incomplete';
  if (incomplete?.cause === 'threshold') {
    // Stopped early, answers in flight count as lost: only a wrong answer or books that do
    // not balance are a correctness failure then.
    const wrong = result.totals.mismatched > 0 || result.reconciliation?.ok === false;
    return wrong ? 'failed' : 'thresholds';
  }
  if (!passed) return 'failed';
  return thresholdsOk ? 'pass' : 'thresholds';
}

/** What to record when the measured phase stopped early, and why. */
function incompleteOf(
  stopped: { readonly afterS: number; readonly reason: unknown } | undefined,
  abortedBy: ThresholdSpec | undefined,
): IncompleteRun | undefined {
  if (stopped === undefined) return undefined;
  const afterS = Math.round(stopped.afterS * 10) / 10;
  if (stopped.reason instanceof InterruptedError)
    return {
      cause: 'signal',
      by: stopped.reason.signal,
      afterS,
      reason: `interrupted by ${stopped.reason.signal} after ${afterS} s of the measured phase; answers in flight then count as lost and later ops were not sent`,
    };
  const by = abortedBy?.expression ?? 'unknown';
  return {
    cause: 'threshold',
    by,
    afterS,
    reason: `stopped after ${afterS} s because threshold ${by} was crossed (abortOnFail); answers in flight then count as lost and later ops were not sent`,
  };
}

/**
 * Writes a run's result files, then (with `charts`) its charts and report into `dir`: every
 * kind of run (scenario, capacity ramp) leaves the same set. Returns the paths written.
 */
export async function writeRunOutputs(
  dir: string,
  result: RunResult,
  histograms: RunHistograms,
  charts: boolean,
): Promise<string[]> {
  const paths = await writeResults(dir, result, histograms);
  const files: string[] = [paths.result, paths.hlog, paths.timeseries];
  if (result.incomplete !== undefined) {
    const marker = join(dir, INCOMPLETE_FILE);
    await writeFile(marker, `${result.incomplete.reason}\n`);
    files.push(marker);
  }
  if (charts) {
    files.push(...(await renderRunCharts(result, dir)));
    files.push(await writeReport(result, dir));
  }
  return files;
}
