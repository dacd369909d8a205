/**
 * The history in a CI job summary: where the gate metrics and each scenario's p99 and
 * throughput went over the last commits, as sparklines and a table (a job summary cannot show
 * the PNGs; the artifact and history.html have them).
 */
import { formatThresholdValue } from '../thresholds/index.js';
import { gateMetrics, pointLabel, scenarioSeries } from './charts.js';
import type { GateRecord, HistoryRecord, RunRecord } from './record.js';

const BARS = '▁▂▃▄▅▆▇█';

/** ▁▃▇ over the values (nulls are spaces); flat when they are all equal. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return '';
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      const k = hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1));
      return BARS[k];
    })
    .join('');
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(3));
const VERDICT: Readonly<Record<string, string>> = {
  pass: '✅ pass',
  regression: '❌ regression',
  unusable: '⚠️ unusable',
  baseline: '◆ baseline',
  failed: '❌ failed',
  thresholds: '❌ thresholds crossed',
  incomplete: '⚠️ incomplete',
};

function gateSection(gates: readonly GateRecord[], last: number): string[] {
  if (gates.length === 0) return [];
  const shown = gates.slice(-last);
  const metrics = gateMetrics(shown);
  const out = [
    `**Gate** (last ${shown.length} of ${gates.length}: each run's median, the baseline's median it was judged by, and the gate's threshold; ▲ regression)`,
    '',
    ...metrics.map((m) => {
      const fig = shown.map((g) => g.metrics[m]?.median ?? null);
      const dir = shown.find((g) => g.metrics[m])?.metrics[m]?.direction;
      return `- \`${m}\` (${dir === 'lower-better' ? 'lower' : 'higher'} is better): \`${sparkline(fig)}\` ${f3(fig.at(0))} → ${f3(fig.at(-1))}`;
    }),
    '',
    `| commit | verdict | ${metrics.map((m) => `${m}: median (baseline, limit)`).join(' | ')} |`,
    `| --- | --- | ${metrics.map(() => '---:').join(' | ')} |`,
  ];
  for (const g of shown) {
    const cells = metrics.map((m) => {
      const f = g.metrics[m];
      if (f === undefined) return '–';
      const base = f.verdict === 'baseline' ? f.median : f.baselineMedian;
      const limit =
        base === null
          ? null
          : f.direction === 'higher-better'
            ? base * (1 - f.threshold)
            : base * (1 + f.threshold);
      const mark = f.verdict === 'regression' ? ' ▲' : '';
      const bound = f.direction === 'higher-better' ? '≥' : '≤';
      return `${f3(f.median)}${mark} (${f3(base)}, ${bound} ${f3(limit)})`;
    });
    out.push(
      `| \`${pointLabel(g)}\` | ${VERDICT[g.verdict] ?? g.verdict} | ${cells.join(' | ')} |`,
    );
  }
  out.push('');
  return out;
}

function scenarioSection(runs: readonly RunRecord[], last: number): string[] {
  const series = scenarioSeries(runs);
  if (series.length === 0) return [];
  const out = [
    `**Scenarios** (last ${last} runs each; latency from the intended send)`,
    '',
    '| scenario | runs | p99 trend | latest p99 | throughput trend | latest answers/s | latest thresholds | latest verdict |',
    '| --- | ---: | --- | ---: | --- | ---: | --- | --- |',
  ];
  for (const s of series) {
    const shown = s.runs.slice(-last);
    const latest = shown.at(-1)!;
    const thresholds =
      latest.thresholds.length === 0
        ? 'none'
        : latest.thresholds
            .map(
              (t) =>
                `${t.passed ? '✅' : '❌'} \`${t.expression}\` ${formatThresholdValue(t.value, t.unit)}`,
            )
            .join('<br>');
    out.push(
      `| ${s.key} | ${s.runs.length} | \`${sparkline(shown.map((r) => r.figures.p99))}\` | ${formatThresholdValue(latest.figures.p99, 'ms')} | ` +
        `\`${sparkline(shown.map((r) => r.figures.throughput))}\` | ${latest.figures.throughput.toFixed(0)} | ${thresholds} | ${VERDICT[latest.verdict] ?? latest.verdict} |`,
    );
  }
  out.push('');
  return out;
}

/** The job-summary section of a history. */
export function historyMarkdown(records: readonly HistoryRecord[], last = 10): string {
  const gates = records.filter((r): r is GateRecord => r.kind === 'gate');
  const runs = records.filter((r): r is RunRecord => r.kind === 'run');
  const lines = ['### 📈 Performance history', ''];
  if (gates.length === 0 && runs.length === 0) lines.push('_No history yet._', '');
  lines.push(...gateSection(gates, last), ...scenarioSection(runs, last));
  return `${lines.join('\n')}\n`;
}
