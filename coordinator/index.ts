/**
 * Door of coordinator/: runs spread over many hosts without hand work (docs/distributed.md).
 * - `startCoordinator`: the run's coordinator (`ecny-bench coordinate`): a start barrier that
 *   releases every shard together once all are ready and the genesis is sent, then collection
 *   of every shard's results and their exact merge;
 * - `runAsShard`: one shard of such a run (`ecny-bench run --coordinator URL`);
 * - `shardFromEnvironment`: `--shard auto` from a Kubernetes Indexed Job's environment.
 */
export { loadRunKey, MIN_TOKEN_LENGTH, RunKey, TOKEN_ENV } from './auth.js';
export {
  type CoordinatedReport,
  type Coordinator,
  type CoordinatorOptions,
  resolveCoordinatorOptions,
  startCoordinator,
} from './coordinate.js';
export { CoordinatorError, type CoordinatorErrorCode } from './errors.js';
export { LIMITS, PROTOCOL } from './protocol.js';
export { SHARD_COUNT_ENV, SHARD_INDEX_ENV, shardFromEnvironment } from './shard-env.js';
export { runAsShard, type ShardRunOptions } from './shard-run.js';
export { ShardSession, type ShardSessionOptions } from './shard-session.js';
