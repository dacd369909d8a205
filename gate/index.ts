/**
 * Door of gate/: the CI performance gate (docs/gate.md). The decision (trials of this build vs a
 * committed baseline: a shift threshold and an exact rank test), one trial's measurement (the
 * in-process engine between calibrations of pure signature verification), and the runner that
 * reads the baseline, runs the trials and reports the verdict.
 */
export {
  type BatchSpeedup,
  type MeasureOptions,
  measureBatchSpeedup,
  measureSingleRate,
  type Rate,
} from './calibration.js';
export {
  DEFAULT_GATE_METRICS,
  type Direction,
  GATE_BASELINE_VERSION,
  type GateBaseline,
  type GateEnvironment,
  type GateMetricSpec,
  type GateOptions,
  type GateResult,
  type GateRow,
  type GateVerdict,
  gateRatios,
  judgeGate,
  makeBaseline,
  parseBaseline,
  type RatioInputs,
  renderGateMarkdown,
  type Trial,
} from './decision.js';
export { GateTrialError } from './errors.js';
export {
  DEFAULT_GATE_BASELINE,
  DEFAULT_GATE_TRIALS,
  describeTrial,
  type GateRunOptions,
  type GateRunReport,
  gateEnvironment,
  MIN_TRIALS,
  readBaseline,
  runGate,
} from './run.js';
export { hodgesLehmannRatio, type MannWhitneyResult, mannWhitney, median } from './stats.js';
export { buildTransferWorkload, type TransferWorkload } from './transfer-workload.js';
export {
  type EngineMeasurement,
  type GateTrialOptions,
  type GateTrialResult,
  GateTrials,
} from './trial.js';
