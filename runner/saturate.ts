/**
 * Saturation: a closed loop (autocannon) over the scenario's independent valid operations, to
 * find the engine's maximum throughput. Latency here is service time from the actual send, not
 * the open-model latency of `run` (docs/driver.md explains why the two differ).
 */
import { join } from 'node:path';
import { renderRunCharts, writeReport } from '../charts/index.js';
import {
  type SaturateOptions,
  type SaturationResult,
  saturate,
  sendGenesis,
} from '../load/index.js';
import { buildRunResult, type RunResult, writeResults } from '../result-format/index.js';
import type { ScenarioOptions } from '../scenarios/model/index.js';
import { loadOrGenerateWorkload } from '../scenarios/workload/index.js';
import { withEngine } from './engine-process.js';

export interface SaturateRunOptions {
  readonly scenario: string;
  readonly scenarioOptions: ScenarioOptions;
  readonly target?: string;
  readonly engineArgs: readonly string[];
  readonly load: Omit<SaturateOptions, 'target'>;
  readonly outDir: string;
  readonly charts: boolean;
  readonly log: (line: string) => void;
}

export async function saturateScenario(
  options: SaturateRunOptions,
): Promise<{ result: RunResult; saturation: SaturationResult; dir: string }> {
  const { workload } = await loadOrGenerateWorkload(options.scenario, options.scenarioOptions);
  return withEngine(options.target, workload.meta, options.engineArgs, async (target) => {
    const genesis = await sendGenesis(workload.genesis, {
      target,
      path: '/v1/tx',
      concurrency: 32,
      maxRetries: 5,
    });
    options.log(
      `genesis: ${genesis.ops} operations in ${(genesis.durationMs / 1000).toFixed(1)} s`,
    );
    const saturation = await saturate(workload, { ...options.load, target });
    const result = buildRunResult({
      kind: 'saturate',
      meta: workload.meta,
      config: {
        ...saturation.config,
        sloMs: 50,
        engine: options.target ? { target } : { embedded: true, args: options.engineArgs },
      },
      measured: saturation.measured,
    });
    const dir = join(options.outDir, result.runId);
    await writeResults(dir, result, saturation.histograms);
    if (options.charts) {
      await renderRunCharts(result, dir);
      await writeReport(result, dir);
    }
    return { result, saturation, dir };
  });
}
