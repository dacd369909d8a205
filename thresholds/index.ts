/**
 * Door of thresholds/: SLO thresholds that decide a run's verdict (docs/cli.md, "Thresholds").
 * Expressions (`p99<50ms`, `settled_rate>=0.99 abortOnFail=10s`) are parsed with every problem
 * reported at once, judged over the measured phase (whole, or so far for abortOnFail), and
 * rendered for the terminal, the job summary and the report.
 */
export {
  crossedAbortThreshold,
  figuresOfResult,
  holds,
  judgeThresholds,
  measure,
  rejudge,
  thresholdsPassed,
} from './evaluate.js';
export {
  formatThresholdValue,
  thresholdHeadline,
  thresholdLines,
  thresholdMarkdown,
} from './format.js';
export { canonicalMetric, type Figures, METRICS, type MetricSpec, metricSpec } from './metrics.js';
export {
  parseThresholds,
  ThresholdError,
  type ThresholdProblem,
  type ThresholdProblemCode,
  type ThresholdSpec,
} from './parse.js';
