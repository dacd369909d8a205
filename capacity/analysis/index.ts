/**
 * Door of capacity/analysis: the capacity run's pure logic. Ramp planning and per-step
 * summaries with the warm-up trimmed, elbow detection on a stepped ramp, Universal Scalability
 * Law fit, projection to a target rate (300,000 TPS by default), and the analysis of a sweep of
 * ramps. No I/O: capacity/run.ts measures, these functions judge (docs/capacity.md).
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
export { fmtPct, fmtSig } from './format.js';
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
export {
  describeSaturation,
  findSaturation,
  type ResourceUse,
  SATURATED,
  type Saturation,
} from './saturation.js';
export {
  analyzeScaleOut,
  CPU_BOUND_SHARE,
  type DatabaseProjection,
  type NodesProjection,
  type ScaleOutAnalysis,
  type ScaleOutBound,
  type ScaleOutInput,
  type ScaleOutPoint,
  type StepCpu,
  scaleOutBound,
  scaleOutLines,
} from './scale-out.js';
export {
  checkRampPlanInput,
  type MergedPercentiles,
  type PlannedStep,
  planRamp,
  type RampPlan,
  type RampPlanInput,
  type StepSecond,
  type StepSummary,
  stepSchedule,
  summarizeStep,
} from './steps.js';
export {
  analyzeCapacity,
  type BestSetting,
  type CapacityAnalysis,
  type CapacityAnalysisInput,
  type CapacityScaleOutEntry,
  type CapacityStepEntry,
  type CapacitySweepEntry,
  capacityStepEntries,
  capacitySummaryLines,
  type MeasuredRampStep,
  nodeSettings,
  pastElbow,
  type RampAnalysis,
  type RampRecord,
  type RampSetting,
  type SuiteAnalysis,
  settingLabel,
  suiteProjectionLines,
  sweepSettings,
  totalThreads,
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
