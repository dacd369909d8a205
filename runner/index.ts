/**
 * Door of runner/: one run from end to end. Workload (cached) -> engine (an embedded child
 * process unless a target is given) -> load (load/) -> books checked -> result files
 * (result-format/), charts and report (charts/). `run` is open-model, `saturate` closed-loop.
 */
export {
  checkEngineFits,
  type EngineFor,
  type EngineProcess,
  type EngineProcessOptions,
  engineArgsFor,
  getEngineJson,
  startEngineProcess,
  waitHealthy,
  withEngine,
} from './engine-process.js';
export { EngineMismatchError, EngineStartError } from './errors.js';
export {
  connectionsFor,
  type RunOptions,
  type RunReport,
  runScenario,
  writeRunOutputs,
} from './run.js';
export { type SaturateRunOptions, saturateScenario } from './saturate.js';
