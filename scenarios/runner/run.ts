/**
 * One complete run: workload (cached) -> engine (embedded child process unless a target is
 * given) -> genesis + measured load -> books checked through the API -> result files, charts
 * and report. The runner never special-cases a scenario: everything comes from its data.
 */
import { join } from 'node:path';
import { renderRunCharts, writeReport } from '../../charts/index.js';
import { type LoadOptions, runLoad } from '../driver/index.js';
import type { ScenarioOptions } from '../model/index.js';
import { buildRunResult, type RunResult, writeResults } from '../results/index.js';
import { loadOrGenerateWorkload } from '../workload/index.js';
import { withEngine } from './engine-process.js';

export interface RunOptions {
  readonly scenario: string;
  readonly scenarioOptions: ScenarioOptions;
  /** Engine URL; when absent the runner starts its own engine (the embedded default). */
  readonly target?: string;
  /** `serve` flags for the embedded engine, e.g. ['--backend', 'noble']. */
  readonly engineArgs: readonly string[];
  readonly load: Omit<LoadOptions, 'target' | 'workloadPath'>;
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

export async function runScenario(options: RunOptions): Promise<RunReport> {
  const loaded = await loadOrGenerateWorkload(options.scenario, options.scenarioOptions);
  const { meta } = loaded.workload;
  options.log(
    `workload ${meta.scenario}${meta.variant ? `/${meta.variant}` : ''}: ${loaded.workload.genesis.bodies.length} genesis + ` +
      `${loaded.workload.ops.bodies.length} measured ops over ${(meta.durationMs / 1000).toFixed(0)} s ` +
      `(${loaded.cached ? 'cached' : 'generated'} in ${(loaded.ms / 1000).toFixed(1)} s)`,
  );
  return withEngine(
    options.target,
    meta.centralBankKey,
    options.engineArgs,
    async (target, embedded) => {
      if (embedded) options.log(`engine started at ${target} (pid ${embedded.pid})`);
      const load = await runLoad(loaded.workload, { ...options.load, target });
      const reconciliation = (await getJson(
        `${target}/v1/reconcile`,
      )) as RunResult['reconciliation'];
      const engineStats = (await getJson(`${target}/v1/stats`)) as
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
      const paths = await writeResults(dir, result, load.histograms);
      const files: string[] = [paths.result, paths.hlog, paths.timeseries];
      if (options.charts) {
        files.push(...(await renderRunCharts(result, dir)));
        files.push(await writeReport(result, dir));
      }
      const passed = result.outcome.passed && result.reconciliation?.ok === true;
      return { result, dir, files, passed };
    },
  );
}

async function getJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url);
    return (await res.json()) as unknown;
  } catch {
    return undefined;
  }
}
