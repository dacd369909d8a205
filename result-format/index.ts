/**
 * Door of result-format/: the result.json schema, the run directory (result.json,
 * latency.hlog, timeseries.csv), exact merging of shard runs, and the per-second accumulator
 * the driver shares with the merger.
 */
export { type BuildResultInput, buildRunResult } from './build.js';
export {
  ClassAccumulator,
  type ClassKey,
  classesOf,
  emptyClass,
  type WireClass,
  type WireClasses,
} from './classes.js';
export { formatResourcesCsv, formatTimeseriesCsv, parseTimeseriesCsv } from './csv.js';
export { collectEnvironment, projectRoot, TRACKED_PACKAGES } from './environment.js';
export { ResultFileError } from './errors.js';
export {
  HLOG_FILE,
  RESOURCES_FILE,
  RESULT_FILE,
  type ResultFiles,
  type ResultPaths,
  readResult,
  readResults,
  TIMESERIES_FILE,
  writeResults,
} from './files.js';
export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentiles,
  recordMicros,
  spectrum,
} from './histogram.js';
export { formatHlog, parseHlog } from './hlog.js';
export {
  MergeError,
  type MergePart,
  type MergeSummary,
  mergeMeasured,
  mergeResults,
} from './merge.js';
export { makeRunId, type RunIdParts } from './run-id.js';
export * from './schema.js';
export {
  type Accumulated,
  addCounters,
  type EngineSample,
  emptyCounters,
  HISTOGRAM_KINDS,
  type HistogramKind,
  type IntervalHistograms,
  isEmptyCounters,
  type RunHistograms,
  type SecondCounters,
  SecondsAccumulator,
} from './series.js';
export {
  MAX_MISMATCH_SAMPLES,
  type MeasuredRun,
  type MismatchSample,
  type OutcomeTally,
  offlineOf,
  type SummaryInput,
  summarizeRun,
} from './summary.js';
