/**
 * Assembles a complete result.json from the measured part and the run's identity.
 */
import type { WorkloadMeta } from '../scenarios/workload/index.js';
import { collectEnvironment } from './environment.js';
import { makeRunId } from './run-id.js';
import { type Environment, RESULT_SCHEMA, type ResultFact, type RunResult } from './schema.js';
import type { MeasuredRun } from './summary.js';

export interface BuildResultInput {
  readonly kind: RunResult['kind'];
  readonly meta: WorkloadMeta;
  /** Defaults to `meta.params.scale`, else "default". */
  readonly scale?: string;
  readonly config: RunResult['config'];
  readonly measured: MeasuredRun;
  /** Defaults to this host (`collectEnvironment()`). */
  readonly environment?: Environment;
  /** Defaults to `makeRunId` over start time, scenario, scale, seed and config. */
  readonly runId?: string;
  readonly reconciliation?: RunResult['reconciliation'];
  /** The scenario's facts (sources and modelled figures), to travel with the result. */
  readonly facts?: readonly ResultFact[];
}

/** The result.json object for a run. */
export function buildRunResult(input: BuildResultInput): RunResult {
  const { meta } = input;
  const scaleParam = meta.params['scale'];
  const scale = input.scale ?? (typeof scaleParam === 'string' ? scaleParam : 'default');
  const environment = input.environment ?? collectEnvironment();
  const runId =
    input.runId ??
    makeRunId({
      startedAt: new Date(input.measured.startedAt),
      scenario: meta.scenario,
      ...(meta.variant === undefined ? {} : { variant: meta.variant }),
      scale,
      salt: JSON.stringify([meta.seed, environment.hostname, input.config]),
    });
  return {
    schema: RESULT_SCHEMA,
    runId,
    kind: input.kind,
    scenario: {
      name: meta.scenario,
      ...(meta.variant === undefined ? {} : { variant: meta.variant }),
      scale,
      seed: meta.seed,
      params: meta.params,
      expectedCounts: meta.expectedCounts,
      ...(input.facts === undefined ? {} : { facts: input.facts }),
    },
    config: input.config,
    environment,
    ...input.measured,
    ...(input.reconciliation === undefined ? {} : { reconciliation: input.reconciliation }),
  };
}
