/**
 * timeseries.csv: one row per second, for spreadsheets and quick plots. result.json stays the
 * source of truth; this is a flat view of `timeseries` with one column per rejection code seen.
 */
import type { RunResources, SecondSample } from './schema.js';

/** The engine's stages, in order (engine/metrics STAGES): one timeseries column each. */
const STAGE_COLUMNS = [
  'admission',
  'verify_wait',
  'verify',
  'commit',
  'durability',
  'respond',
] as const;

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
  'send_lag_p99_ms',
  'engine_in_engine_mean_ms',
  ...STAGE_COLUMNS.map((s) => `engine_stage_${s}_mean_ms` as const),
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
      s.sendLagP99,
      e?.engineMs,
      ...STAGE_COLUMNS.map((stage) => e?.stagesMs?.[stage]),
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

const RESOURCE_COLUMNS = [
  't_s',
  'process',
  'thread',
  'cpu_user_percent',
  'cpu_system_percent',
  'rss_mib',
  'heap_used_mib',
  'gc_pause_ms',
  'event_loop_delay_p99_ms',
  'event_loop_utilization_percent',
] as const;

/**
 * resources.csv: one row per process per second (`thread` empty), then, for the engine, one row
 * per thread with its CPU only, and the machine's CPU (`process` machine). CPU in percent of one
 * core: 200 is two cores busy.
 */
export function formatResourcesCsv(resources: RunResources): string {
  const rows: string[] = [RESOURCE_COLUMNS.join(',')];
  const row = (cells: ReadonlyArray<string | number | undefined>) =>
    rows.push(cells.map((v) => (v === undefined ? '' : String(v))).join(','));
  for (const p of resources.processes) {
    for (const s of p.samples) {
      row([
        s.t,
        p.process,
        '',
        s.cpuUserPercent,
        s.cpuSystemPercent,
        s.rssMiB,
        s.heapUsedMiB,
        s.gcPauseMs,
        s.eventLoopDelayP99Ms,
        s.eventLoopUtilization === undefined
          ? undefined
          : Math.round(s.eventLoopUtilization * 10_000) / 100,
      ]);
      for (const [thread, cpu] of Object.entries(s.threads ?? {})) {
        row([s.t, p.process, thread, cpu.userPercent, cpu.systemPercent]);
      }
    }
  }
  for (const s of resources.machine?.samples ?? []) {
    row([s.t, 'machine', '', s.cpuUserPercent, s.cpuSystemPercent]);
  }
  return `${rows.join('\n')}\n`;
}
