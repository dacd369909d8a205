/**
 * Door of load/: the load driver, which sends a workload to an engine and measures it.
 * - `runLoad`: open-model run (genesis, N generator processes, intended-time latency, outcome
 *   checking, engine stats) -> the measured part of result.json and its histograms;
 * - `saturate`: closed-loop maximum throughput with autocannon;
 * - shard/segment helpers and the generator-process entry for workers/ (schedules, the rate
 *   shapes a run may override the workload's send times with, are in rates/).
 */
export { type ClassifiedAnswer, classifyAnswer, parseRetryAfter } from './answer.js';
export { type LoadRun, runLoad } from './coordinator.js';
export {
  engineSample,
  fetchStats,
  fetchStatsOf,
  mergeEngineSamples,
  StatsPoller,
} from './engine-stats.js';
export { DriverError, type DriverErrorCode, GenesisMismatchError } from './errors.js';
export { type GeneratorReport, LoadGenerator } from './generator.js';
export { runLoadgenProcess } from './generator-process.js';
export { type GenesisOptions, type GenesisReport, sendGenesis } from './genesis.js';
export {
  CLIENTS,
  type ClientName,
  type GeneratorConfig,
  type LoadRunOptions,
  type Progress,
  type ProgressSoFar,
  parseTargets,
  type ResolvedLoadRunOptions,
  resolveLoadRunOptions,
  type ShardReady,
  type StartDecision,
} from './options.js';
export type { FromGenerator, GeneratorTally, ToGenerator, WireBucket } from './protocol.js';
export {
  type OsProcessReading,
  OsProcessTrack,
  processResources,
  type WatchedProcess,
} from './resources.js';
export { type SaturateOptions, type SaturationResult, saturate } from './saturate.js';
export {
  ownsLane,
  parseShard,
  parseStartAt,
  type Segment,
  type Shard,
  segmentOf,
  targetOf,
  WHOLE,
} from './segment.js';
export { checkWorkload, readWorkloadFile, writeWorkloadFile } from './workload-file.js';
