/**
 * Door of capacity/: capacity planning (docs/capacity.md). The runner (./run.ts: stepped
 * open-loop ramps per engine setting against embedded engines) and the pure analysis it judges
 * with (./analysis: ramp planning, step summaries, elbow, USL fit, projection).
 */
export * from './analysis/index.js';
export {
  type CapacityOptions,
  CapacityPlanError,
  type CapacityReport,
  CapacityRunError,
  combineSteps,
  mergedLatency,
  runCapacity,
  type StepRun,
  sliceWorkload,
  stepSecondOf,
  stepSeconds,
} from './run.js';
