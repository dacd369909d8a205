/**
 * `ecny-bench run --coordinator URL`: one shard of a coordinated run. The workload is made
 * (and cached) before the shard joins, since generating it holds the event loop longer than a
 * joined shard may stay silent; then the run goes as any other, its start set by the barrier,
 * and its result files are uploaded to the coordinator. A shard that cannot carry out its part
 * tells the coordinator why, so the run fails at once with that reason.
 */
import { existsSync } from 'node:fs';
import { abortable } from '../lifecycle/index.js';
import type { Shard } from '../load/index.js';
import { type RunOptions, type RunReport, runScenario } from '../runner/index.js';
import { loadOrGenerateWorkload, workloadCachePath } from '../scenarios/workload/index.js';
import { loadRunKey } from './auth.js';
import { CoordinatorError } from './errors.js';
import { ShardSession } from './shard-session.js';

export interface ShardRunOptions {
  /** The coordinator, e.g. `http://coordinator:8090`. */
  readonly url: string;
  /** The shared secret's file; default $ECNY_COORDINATOR_TOKEN. */
  readonly tokenFile?: string;
  /** `i/N`, or `auto` (the index from $JOB_COMPLETION_INDEX, the count from the coordinator). */
  readonly shard: Shard | 'auto';
  /** How long to wait for the coordinator to answer at first, ms. Default 120,000. */
  readonly connectWaitMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs this host's shard under the coordinator; resolves with its own report once uploaded. */
export async function runAsShard(
  run: RunOptions,
  coordinator: ShardRunOptions,
): Promise<RunReport> {
  if (run.targets === undefined || run.targets.length === 0)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      'a coordinated shard needs --target: every shard sends to the same engine',
    );
  if (run.load.startAt !== undefined || run.load.shard !== undefined)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      'under a coordinator the shard and the start come from the coordinator, not from load options',
    );
  const env = coordinator.env ?? process.env;
  const key = await loadRunKey(coordinator.tokenFile, env);
  if (!existsSync(workloadCachePath(run.scenario, run.scenarioOptions))) {
    run.log('making the workload before joining the coordinator');
    await abortable(loadOrGenerateWorkload(run.scenario, run.scenarioOptions), run.signal);
  }
  const session = await ShardSession.open({
    url: coordinator.url,
    key,
    shard: coordinator.shard,
    env,
    log: run.log,
    ...(coordinator.connectWaitMs === undefined
      ? {}
      : { connectWaitMs: coordinator.connectWaitMs }),
    ...(run.signal === undefined ? {} : { signal: run.signal }),
  });
  try {
    const report = await runScenario({
      ...run,
      load: { ...run.load, shard: session.shard, startGate: session.startGate },
    });
    await session.upload(report.dir);
    return report;
  } catch (error) {
    await session.fail(error);
    throw error;
  } finally {
    session.close();
  }
}
