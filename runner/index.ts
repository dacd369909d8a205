/**
 * Door of runner/: one run from end to end. Workload (cached) -> engine (an embedded child
 * process unless a target is given) -> load (load/) -> books checked -> result files
 * (result-format/), charts and report (charts/). `run` is open-model, `saturate` closed-loop.
 */
export {
  checkDeployment,
  DEFAULT_DEPLOYMENT,
  DeploymentError,
  databaseWatch,
  type EngineDeployment,
  type LedgerServer,
  nodeArgs,
  openLedgerServer,
  STORE_NAMES,
  type StoreName,
  startEngineNodes,
  withEngines,
} from './deployment.js';
export {
  checkEngineFits,
  checkTarget,
  type EngineFor,
  type EngineProcess,
  type EngineProcessOptions,
  engineArgsFor,
  getEngineJson,
  startEngineProcess,
  TARGET_WAIT_MS,
  tiersArgOf,
  waitHealthy,
  withEngine,
} from './engine-process.js';
export {
  EngineMismatchError,
  EngineOptionsError,
  EngineStartError,
  EngineUnreachableError,
  TargetError,
} from './errors.js';
export { mergedVerdict, mergeShardRuns } from './merge.js';
export {
  connectionsFor,
  factsFor,
  INCOMPLETE_FILE,
  type RunOptions,
  type RunReport,
  type RunVerdict,
  runScenario,
  runThresholds,
  tiersNameOf,
  withExpectedBooks,
  writeRunOutputs,
} from './run.js';
export { type SaturateRunOptions, saturateScenario } from './saturate.js';
