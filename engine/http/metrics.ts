/** Prometheus text exposition (format 0.0.4) of the engine's stats snapshot. */
import type { EngineStats } from '../service/index.js';

interface Quantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly count: number;
}

export function prometheusText(s: EngineStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const summary = (name: string, help: string, q: Quantiles) => {
    metric(name, 'summary', help, [
      ['{quantile="0.5"}', q.p50 / 1000],
      ['{quantile="0.9"}', q.p90 / 1000],
      ['{quantile="0.99"}', q.p99 / 1000],
      ['{quantile="0.999"}', q.p999 / 1000],
    ]);
    lines.push(`${name}_count ${q.count}`);
  };
  metric('ecny_settled_total', 'counter', 'Transactions settled and durable.', [['', s.settled]]);
  metric(
    'ecny_rejected_total',
    'counter',
    'Transactions rejected, by code.',
    Object.entries(s.rejectedByCode).map(([code, n]) => [`{code="${code}"}`, n]),
  );
  metric('ecny_overloaded_total', 'counter', 'Transactions refused because a queue was full.', [
    ['', s.overloaded],
  ]);
  metric('ecny_inflight', 'gauge', 'Transactions admitted and not yet answered.', [
    ['', s.inflight],
  ]);
  metric('ecny_verify_queue_depth', 'gauge', 'Signatures waiting for a verification worker.', [
    ['', s.queueDepth],
  ]);
  summary('ecny_pool_wait_seconds', 'Time a signature waited for a worker.', s.pool.wait);
  summary('ecny_verify_batch_seconds', 'Time a worker spent verifying one batch.', s.pool.verify);
  if (s.journal) {
    metric('ecny_journal_fsyncs_total', 'counter', 'Journal group commits (one fdatasync each).', [
      ['', s.journal.fsyncs],
    ]);
    metric('ecny_journal_records_total', 'counter', 'Journal records made durable.', [
      ['', s.journal.records],
    ]);
  }
  if (s.database) {
    const d = s.database as Record<string, number>;
    metric('ecny_db_settle_calls_total', 'counter', 'Settle calls (database round trips).', [
      ['', d['settleCalls'] ?? 0],
    ]);
    metric('ecny_db_retries_total', 'counter', 'Settle calls retried after an abort.', [
      ['', d['retries'] ?? 0],
    ]);
  }
  metric('ecny_process_cpu_seconds_total', 'counter', 'Process CPU, main thread and workers.', [
    ['', (s.cpu.userMs + s.cpu.systemMs) / 1000],
  ]);
  metric('ecny_process_resident_memory_bytes', 'gauge', 'Resident set size.', [['', s.rssBytes]]);
  metric('ecny_up', 'gauge', '1 while acknowledging, 0 while failed (or the database is down).', [
    ['', s.failure ? 0 : 1],
  ]);
  return `${lines.join('\n')}\n`;
}
