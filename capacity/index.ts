/**
 * Capacity planning and the CI performance gate's pure logic: ramp planning and per-step
 * summaries with the warm-up trimmed, elbow detection on a stepped ramp, Universal Scalability
 * Law fit, projection to a target rate (300,000 TPS by default), the analysis of a sweep of
 * ramps, and the noise-aware gate decision. No I/O: the CLI measures, these functions judge.
 * See docs/capacity.md and docs/gate.md.
 */
export {
  DEFAULT_ELBOW_CRITERIA,
  type ElbowCriteria,
  type ElbowKind,
  type ElbowResult,
  type FailedCriterion,
  findElbow,
  type RampStep,
  type ResolvedElbowCriteria,
  type StepRole,
  type StepVerdict,
} from './elbow.js';
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
} from './gate.js';
export {
  type CapacityProjection,
  E_CNY_DESIGN_TPS,
  type LinearProjection,
  type ProjectionAssumptions,
  type ProjectionInput,
  projectCapacity,
  type ShardPlan,
  type SingleEngine,
  type UslModel,
  type UslProjection,
  uslBestInteger,
  uslCoresFor,
} from './projection.js';
export { hodgesLehmannRatio, type MannWhitneyResult, mannWhitney, median } from './stats.js';
export {
  checkRampPlanInput,
  constantArrivals,
  type MergedPercentiles,
  type PlannedStep,
  planRamp,
  type RampPlan,
  type RampPlanInput,
  type StepSecond,
  type StepSummary,
  summarizeStep,
} from './steps.js';
export {
  analyzeCapacity,
  type BestSetting,
  type CapacityAnalysis,
  type CapacityAnalysisInput,
  type CapacityStepEntry,
  type CapacitySweepEntry,
  capacityStepEntries,
  capacitySummaryLines,
  type MeasuredRampStep,
  type RampAnalysis,
  type RampRecord,
  type RampSetting,
  settingLabel,
  sweepSettings,
  type UslAnalysis,
} from './sweep.js';
export {
  fitUsl,
  USL_MIN_DISTINCT_N,
  type UslFit,
  type UslFitOptions,
  type UslParams,
  type UslPoint,
  type UslResidual,
  uslPeakN,
  uslThroughput,
} from './usl.js';
