/**
 * `--shard auto`: one pod template for every shard. A Kubernetes Indexed Job
 * (`completionMode: Indexed`) gives each pod its index in $JOB_COMPLETION_INDEX; the count is
 * the coordinator's (`coordinate --shards N`) or, without a coordinator, $ECNY_SHARD_COUNT (set
 * it to the Job's `completions`). Given both, they must agree.
 */
import type { Shard } from '../load/index.js';
import { CoordinatorError } from './errors.js';

/** Set by Kubernetes in every pod of an Indexed Job: 0, 1, ..., completions - 1. */
export const SHARD_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The shard count, for `--shard auto` without a coordinator. */
export const SHARD_COUNT_ENV = 'ECNY_SHARD_COUNT';

function whole(name: string, value: string, min: number): number {
  const n = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `--shard auto: $${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`,
    );
  return n;
}

/**
 * This pod's shard from the environment. `count`: the coordinator's shard count, when there is
 * a coordinator.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv, count?: number): Shard {
  const indexText = env[SHARD_INDEX_ENV];
  if (indexText === undefined || indexText === '')
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `--shard auto reads the shard index from $${SHARD_INDEX_ENV}, which Kubernetes sets in the pods of an Indexed Job; it is not set here: give --shard i/N`,
    );
  const index = whole(SHARD_INDEX_ENV, indexText, 0);
  const countText = env[SHARD_COUNT_ENV];
  const fromEnv =
    countText === undefined || countText === '' ? undefined : whole(SHARD_COUNT_ENV, countText, 1);
  if (fromEnv !== undefined && count !== undefined && fromEnv !== count)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `--shard auto: $${SHARD_COUNT_ENV} is ${fromEnv} but the coordinator runs ${count} shards`,
    );
  const n = count ?? fromEnv;
  if (n === undefined)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `--shard auto needs the shard count: from the coordinator (--coordinator URL) or $${SHARD_COUNT_ENV}`,
    );
  if (index >= n)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `--shard auto: $${SHARD_INDEX_ENV} is ${index}, but there are only ${n} shards (0 to ${n - 1})`,
    );
  return { index, count: n };
}
