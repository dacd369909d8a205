/**
 * timeseries.csv: one row per second, for spreadsheets and quick plots. result.json stays the
 * source of truth; this is a flat view of `timeseries` with one column per rejection code seen.
 */
import type { SecondSample } from './schema.js';

const FIXED_COLUMNS = [
  't',
  'offered',
  'sent',
  'achieved',
  'settled',
  'rejected',
  'dropped',
  'errors',
  'latency_count',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'uncorrected_p50_ms',
  'uncorrected_p99_ms',
  'uncorrected_max_ms',
  'engine_queue_depth',
  'engine_pool_wait_p50_ms',
  'engine_pool_wait_p99_ms',
  'engine_verify_p50_ms',
  'engine_verify_p99_ms',
  'engine_cpu_percent',
  'offline_synced',
  'offline_backlog',
] as const;

/** Renders the time series; empty cells where the engine was not reachable. */
export function formatTimeseriesCsv(samples: readonly SecondSample[]): string {
  const codes = [...new Set(samples.flatMap((s) => Object.keys(s.rejectedByCode)))].sort();
  const header = [...FIXED_COLUMNS, ...codes.map((c) => `rejected_${c}`)];
  const rows = [header.join(',')];
  for (const s of samples) {
    const rejected = Object.values(s.rejectedByCode).reduce((a, b) => a + b, 0);
    const e = s.engine;
    const cells: Array<number | undefined> = [
      s.t,
      s.offered,
      s.sent,
      s.achieved,
      s.settled,
      rejected,
      s.dropped,
      s.errors,
      s.latency.count,
      s.latency.p50,
      s.latency.p90,
      s.latency.p99,
      s.latency.p999,
      s.latency.max,
      s.uncorrected.p50,
      s.uncorrected.p99,
      s.uncorrected.max,
      e?.queueDepth,
      e?.poolWaitP50,
      e?.poolWaitP99,
      e?.verifyP50,
      e?.verifyP99,
      e?.cpuPercent,
      s.synced,
      s.backlog,
      ...codes.map((c) => s.rejectedByCode[c] ?? 0),
    ];
    rows.push(cells.map((v) => (v === undefined ? '' : String(v))).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Parses `formatTimeseriesCsv` output: one record per row, empty cells as null. */
export function parseTimeseriesCsv(text: string): Array<Record<string, number | null>> {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = lines[0]?.split(',') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Record<string, number | null> = {};
    header.forEach((name, i) => {
      const cell = cells[i] ?? '';
      row[name] = cell === '' ? null : Number(cell);
    });
    return row;
  });
}
