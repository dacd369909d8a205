/**
 * The history as files: one PNG per trend chart and history.html (the charts, interactive, after
 * a table of the latest gate runs and of each scenario's latest run), written into one folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml, renderChart, writeChartPage } from '../charts/index.js';
import { formatThresholdValue } from '../thresholds/index.js';
import { gateMetrics, historyCharts, pointLabel, scenarioSeries } from './charts.js';
import type { GateRecord, HistoryRecord, RunRecord } from './record.js';

export interface HistorySource {
  /** The history file read (or null when only the committed baselines were used). */
  readonly file: string | null;
  readonly seeded: number;
  readonly skipped: number;
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3));

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="num"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function gateTable(gates: readonly GateRecord[]): string {
  if (gates.length === 0) return '<p>No gate runs in the history.</p>';
  const metrics = gateMetrics(gates);
  return table(
    ['commit, date', 'machine', 'verdict', ...metrics.map((m) => `${m} median (baseline)`)],
    gates
      .slice(-15)
      .reverse()
      .map((g) => [
        escapeHtml(pointLabel(g)),
        escapeHtml(`${g.machine.cpuModel} x${g.machine.cores}`),
        g.verdict === 'regression'
          ? '<strong class="bad">regression</strong>'
          : escapeHtml(g.verdict),
        ...metrics.map((m) => {
          const f = g.metrics[m];
          return f === undefined ? '-' : `${f3(f.median)} (${f3(f.baselineMedian ?? f.median)})`;
        }),
      ]),
  );
}

function scenarioTable(runs: readonly RunRecord[]): string {
  const series = scenarioSeries(runs);
  if (series.length === 0)
    return '<p>No scenario runs in the history (add <code>--history</code> to <code>ecny-bench run</code>).</p>';
  return table(
    ['scenario (scale)', 'runs', 'latest', 'p99', 'answers/s', 'thresholds', 'verdict'],
    series.map((s) => {
      const r = s.runs.at(-1)!;
      const thresholds =
        r.thresholds.length === 0
          ? 'none'
          : r.thresholds
              .map(
                (t) =>
                  `${t.passed ? 'pass' : '<strong class="bad">crossed</strong>'} ${escapeHtml(t.expression)} (${escapeHtml(formatThresholdValue(t.value, t.unit))})`,
              )
              .join('<br>');
      return [
        escapeHtml(s.key),
        String(s.runs.length),
        escapeHtml(pointLabel(r)),
        escapeHtml(formatThresholdValue(r.figures.p99, 'ms')),
        r.figures.throughput.toFixed(0),
        thresholds,
        r.verdict === 'pass' ? 'pass' : `<strong class="bad">${escapeHtml(r.verdict)}</strong>`,
      ];
    }),
  );
}

/** Writes `<outDir>/<chart-id>.png` for every trend chart and `<outDir>/history.html`. */
export async function writeHistory(
  records: readonly HistoryRecord[],
  outDir: string,
  source: HistorySource,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const charts = historyCharts(records);
  const files: string[] = [];
  for (const chart of charts) {
    const file = join(outDir, `${chart.id}.png`);
    await writeFile(file, await renderChart(chart.config));
    files.push(file);
  }
  const gates = records.filter((r): r is GateRecord => r.kind === 'gate');
  const runs = records.filter((r): r is RunRecord => r.kind === 'run');
  const from = [
    source.file === null ? null : `${escapeHtml(source.file)}`,
    source.seeded > 0
      ? `${source.seeded} committed baseline version${source.seeded === 1 ? '' : 's'}`
      : null,
  ]
    .filter((s) => s !== null)
    .join(' + ');
  const header = `<header><h1>Performance history</h1>
<p class="meta">${records.length} records (${gates.length} gate, ${runs.length} run) from ${from || 'nothing'}${source.skipped > 0 ? `; ${source.skipped} unreadable line(s) skipped` : ''}</p></header>`;
  const body = `<section id="summary">
<h2>Gate runs (latest first)</h2>
${gateTable(gates)}
<p class="note">Medians of each gate run's trials against the median of the baseline it was judged by. A regression needs both a worsening beyond the threshold and trials ranking outside the baseline's (docs/gate.md).</p>
<h2>Scenarios (latest run of each)</h2>
${scenarioTable(runs)}
</section>`;
  files.push(
    await writeChartPage(join(outDir, 'history.html'), {
      title: 'ecny-bench: performance history',
      headerHtml: header,
      bodyHtml: body,
      charts,
    }),
  );
  return files;
}
