/**
 * One complete run: workload (cached) -> engine (embedded child process unless a target is
 * given) -> genesis + measured load -> books checked through the API -> result files, charts
 * and report. The runner never special-cases a scenario: everything comes from its data.
 */
import { join } from 'node:path';
import { renderRunCharts, writeReport } from '../charts/index.js';
import { type LoadRunOptions, runLoad } from '../load/index.js';
import {
  buildRunResult,
  type RunHistograms,
  type RunResult,
  writeResults,
} from '../result-format/index.js';
import type { ScenarioOptions } from '../scenarios/model/index.js';
import { loadOrGenerateWorkload } from '../scenarios/workload/index.js';
import { getEngineJson, withEngine } from './engine-process.js';

export interface RunOptions {
  readonly scenario: string;
  readonly scenarioOptions: ScenarioOptions;
  /** Engine URL; when absent the runner starts its own engine (the embedded default). */
  readonly target?: string;
  /** `serve` flags for the embedded engine, e.g. ['--backend', 'noble']. */
  readonly engineArgs: readonly string[];
  readonly load: Omit<LoadRunOptions, 'target' | 'workloadPath'>;
  readonly sloMs: number;
  readonly outDir: string;
  readonly charts: boolean;
  readonly log: (line: string) => void;
}

export interface RunReport {
  readonly result: RunResult;
  readonly dir: string;
  readonly files: string[];
  /** The run passed outcome checking and the books reconciled. */
  readonly passed: boolean;
}

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

export async function runScenario(options: RunOptions): Promise<RunReport> {
  const loaded = await loadOrGenerateWorkload(options.scenario, options.scenarioOptions);
  const { meta } = loaded.workload;
  options.log(
    `workload ${meta.scenario}${meta.variant ? `/${meta.variant}` : ''}: ${loaded.workload.genesis.bodies.length} genesis + ` +
      `${loaded.workload.ops.bodies.length} measured ops over ${(meta.durationMs / 1000).toFixed(0)} s ` +
      `(${loaded.cached ? 'cached' : 'generated'} in ${(loaded.ms / 1000).toFixed(1)} s)`,
  );
  return withEngine(options.target, meta, options.engineArgs, async (target, embedded) => {
    if (embedded) options.log(`engine started at ${target} (pid ${embedded.pid})`);
    const processes = options.load.processes ?? 1;
    const connections =
      options.load.connections ??
      connectionsFor(meta.plannedRate, options.sloMs, processes * (options.load.shard?.count ?? 1));
    if (options.load.connections === undefined)
      options.log(
        `${processes} load-generator process${processes === 1 ? '' : 'es'} x ${connections} connections ` +
          `(sized for the busiest second, ${meta.plannedRate.reduce((m, r) => Math.max(m, r), 0)} ops/s, at 2 x SLO latency)`,
      );
    const load = await runLoad(loaded.workload, { ...options.load, connections, target });
    const reconciliation = (await getEngineJson(
      `${target}/v1/reconcile`,
    )) as RunResult['reconciliation'];
    const engineStats = (await getEngineJson(`${target}/v1/stats`)) as
      | Record<string, unknown>
      | undefined;
    const built = buildRunResult({
      kind: 'run',
      meta,
      config: {
        ...load.config,
        sloMs: options.sloMs,
        engine: options.target
          ? { target: options.target }
          : { embedded: true, args: options.engineArgs },
      },
      measured: load.measured,
      ...(reconciliation ? { reconciliation } : {}),
    });
    const result: RunResult = engineStats ? { ...built, engine: engineStats } : built;
    const dir = join(options.outDir, result.runId);
    const files = await writeRunOutputs(dir, result, load.histograms, options.charts);
    const passed = result.outcome.passed && result.reconciliation?.ok === true;
    return { result, dir, files, passed };
  });
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
  if (charts) {
    files.push(...(await renderRunCharts(result, dir)));
    files.push(await writeReport(result, dir));
  }
  return files;
}
