/**
 * Door of history/: a JSON Lines history of every run's and every gate's key figures (keyed by
 * commit, scenario, machine kind and date), seeded with the committed baselines, and its trend
 * charts (PNG + history.html) and job-summary Markdown (docs/history.md).
 */
import type { GateRunReport } from '../gate/index.js';
import { DEFAULT_GATE_METRICS } from '../gate/index.js';
import type { RunResult } from '../result-format/index.js';
import { appendHistory } from './file.js';
import { gateRecord, runRecord } from './record.js';

export { gateTrendChart, historyCharts, scenarioSeries, scenarioTrendCharts } from './charts.js';
export {
  appendHistory,
  committedBaselineRecords,
  DEFAULT_HISTORY_FILE,
  HistoryError,
  orderRecords,
  type ParsedHistory,
  parseHistory,
  readHistory,
} from './file.js';
export { historyMarkdown, sparkline } from './markdown.js';
export { type HistorySource, writeHistory } from './page.js';
export {
  baselineRecord,
  type GateMetricFigures,
  type GateRecord,
  gateRecord,
  HISTORY_SCHEMA,
  type HistoryRecord,
  type MachineKind,
  machineKind,
  type RunFigures,
  type RunRecord,
  recordProblem,
  runRecord,
} from './record.js';

/** Appends a finished run's key figures to the history file. */
export async function appendRunToHistory(
  file: string,
  result: RunResult,
  verdict: 'pass' | 'failed' | 'thresholds' | 'incomplete',
): Promise<void> {
  await appendHistory(file, runRecord(result, verdict));
}

/** Appends a gate run's figures to the history file; false when it measured nothing. */
export async function appendGateToHistory(
  file: string,
  report: GateRunReport,
  threshold = 0.15,
): Promise<boolean> {
  const record = gateRecord(report, DEFAULT_GATE_METRICS, threshold);
  if (record === null) return false;
  await appendHistory(file, record);
  return true;
}
