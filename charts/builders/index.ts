/** Door of charts/builders: one pure builder per chart kind (results -> Chart.js config). */
export { BACKLOG_ID, buildBacklogChart, hasBacklog } from './backlog.js';
export { BY_TYPE_ID, buildByTypeChart, hasSeveralTypes } from './by-type.js';
export { hasCapacitySteps } from './capacity-data.js';
export { buildCapacityLatencyChart, CAPACITY_LATENCY_ID } from './capacity-latency.js';
export {
  buildCapacityScaleOutChart,
  CAPACITY_SCALE_OUT_ID,
  hasScaleOut,
  scaleOutEntry,
} from './capacity-scale-out.js';
export { buildCapacityThroughputChart, CAPACITY_THROUGHPUT_ID } from './capacity-throughput.js';
export { buildCapacityUslChart, CAPACITY_USL_ID, hasUslPoints } from './capacity-usl.js';
export {
  buildLatencyDistributionChart,
  distributionChart,
  LATENCY_DISTRIBUTION_ID,
  runCurves,
} from './latency-distribution.js';
export { buildLatencyOverTimeChart, LATENCY_OVER_TIME_ID } from './latency-over-time.js';
export { buildPoolChart, hasEngineStats, POOL_ID } from './pool.js';
export {
  buildResourcesCpuChart,
  buildResourcesRuntimeChart,
  hasResources,
  RESOURCES_CPU_ID,
  RESOURCES_RUNTIME_ID,
} from './resources.js';
export { buildStageTimeChart, hasStageTimes, STAGE_TIME_ID } from './stage-time.js';
export { buildThroughputChart, THROUGHPUT_ID } from './throughput.js';
