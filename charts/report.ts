/**
 * report.html: one self-contained page per run (or per comparison) that opens from a file share,
 * an e-mail attachment or a CI artefact with no network: Chart.js's UMD build, the chart
 * configurations (JSON) and the formatter code are all inlined.
 *
 * Every piece of text from a result goes through `escapeHtml` (or JSON escaping inside <script>):
 * scenario names, codes and config values come from files anyone can edit.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Percentiles, RunResult } from '../result-format/index.js';
import { whiteBackground } from './background.js';
import { compareCharts, comparisonSubtitle } from './compare.js';
import { formatNumber, formatterSource } from './formatters.js';
import { rejectionColour } from './palette.js';
import { buildRunCharts } from './registry.js';
import { FIGURE, machineLabel, runDate, runSubtitle, scenarioLabel } from './theme.js';
import type { BuiltChart } from './types.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * JSON that is safe inside <script>: no "<" (so no "</script>" or "<!--"), and no U+2028/2029
 * line separators (legal JSON, not legal in older JS string literals).
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

let chartJsSource: string | undefined;

/** Chart.js's UMD build, read once; guarded so it cannot end its <script> element early. */
async function chartJsUmd(): Promise<string> {
  if (chartJsSource === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports hide dist/ paths; its CommonJS entry sits next to the UMD build.
    const dist = dirname(require.resolve('chart.js'));
    const source = await readFile(join(dist, 'chart.umd.js'), 'utf8');
    chartJsSource = source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  }
  return chartJsSource;
}

const integer = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number) => (Number.isFinite(n) ? formatNumber(n) : '-');

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  numeric = true,
): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  // Cells are already-escaped HTML (some carry a colour swatch).
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${numeric ? 'num' : 'kv'}"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function keyValues(entries: readonly (readonly [string, unknown])[]): string {
  const rows = entries.map(([k, v]) => [
    escapeHtml(k),
    escapeHtml(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))),
  ]);
  return table(['', ''], rows, false).replace('<thead><tr><th></th><th></th></tr></thead>', '');
}

function latencyRow(name: string, p: Percentiles): string[] {
  return [
    escapeHtml(name),
    integer(p.count),
    ms(p.min),
    ms(p.mean),
    ms(p.p50),
    ms(p.p90),
    ms(p.p99),
    ms(p.p999),
    ms(p.p9999),
    ms(p.max),
  ];
}

/** Pass when every answer matched its expected outcome, nothing was lost and the books balance. */
function verdict(result: RunResult): { ok: boolean; text: string } {
  const t = result.totals;
  const ok =
    result.outcome.passed &&
    t.mismatched === 0 &&
    t.lost === 0 &&
    (result.reconciliation === undefined || result.reconciliation.ok);
  return { ok, text: ok ? 'PASS' : 'FAIL' };
}

function summary(result: RunResult): string {
  const t = result.totals;
  const slo = result.config.sloMs;
  const retried = t.retried === undefined ? [] : [t.retried];
  const throughput = table(
    [
      'achieved tx/s',
      'settled tx/s',
      'planned',
      'sent',
      'dropped',
      'settled',
      'rejected',
      'errors',
      ...retried.map(() => 'retried'),
    ],
    [
      [
        `<strong>${ms(t.achievedPerSecond)}</strong>`,
        `<strong>${ms(t.settledPerSecond)}</strong>`,
        integer(t.planned),
        integer(t.sent),
        integer(t.dropped),
        integer(t.settled),
        integer(t.rejected),
        integer(t.errors),
        ...retried.map(integer),
      ],
    ],
  );
  const { sendLag } = result.latency;
  const latency = table(
    ['latency (ms)', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max'],
    [
      latencyRow('corrected (from intended send)', result.latency.corrected),
      latencyRow('uncorrected (from actual send)', result.latency.uncorrected),
      ...(sendLag === undefined ? [] : [latencyRow('send lag (generator lateness)', sendLag)]),
    ],
  );
  const codes = Object.entries(result.rejectionsByCode)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rejectedTotal = codes.reduce((s, [, n]) => s + n, 0);
  const rejections =
    codes.length === 0
      ? '<p>No rejections.</p>'
      : table(
          ['code', 'count', 'share of rejections'],
          codes.map(([code, n]) => [
            `<span class="swatch" style="background:${escapeHtml(rejectionColour(code))}"></span>${escapeHtml(code)}`,
            integer(n),
            `${((100 * n) / rejectedTotal).toFixed(1)}%`,
          ]),
        );
  const outcome = table(
    ['matched', 'mismatched', 'lost', 'check'],
    [
      [
        integer(t.matched),
        integer(t.mismatched),
        integer(t.lost),
        result.outcome.passed ? 'passed' : '<strong class="bad">failed</strong>',
      ],
    ],
  );
  const reasons = result.outcome.reasons ?? [];
  const why =
    reasons.length === 0
      ? ''
      : `<ul class="reasons">${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
  const samples =
    result.outcome.samples.length === 0
      ? ''
      : table(
          ['op', 'expected', 'got'],
          result.outcome.samples.map((s) => [
            integer(s.op),
            escapeHtml(s.expected),
            escapeHtml(s.got),
          ]),
        );
  const rec = result.reconciliation;
  const reconciliation =
    rec === undefined
      ? '<p>Not checked.</p>'
      : keyValues([
          ['books balance', rec.ok ? 'yes' : 'NO'],
          ...Object.entries(rec).filter(([k]) => k !== 'ok'),
        ]);
  const env = result.environment;
  const environment = keyValues([
    ['CPU', `${env.cpuModel} (${env.cores} cores)`],
    ['memory', `${(env.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
    ['OS', env.os],
    ['Node.js', env.node],
    ['git commit', env.gitCommit ?? 'unknown'],
    ['host', env.hostname],
    ...(result.generator === undefined
      ? []
      : ([
          [
            'load generators',
            `${result.generator.processes} processes, ${ms(result.generator.cpuSeconds)} CPU s`,
          ],
        ] as const)),
    ...Object.entries(env.packages).map(([name, version]) => [name, version] as const),
  ]);
  const config = keyValues([
    ['SLO', `${slo} ms`],
    ...Object.entries(result.config).filter(([k]) => k !== 'sloMs'),
    ['scale', result.scenario.scale],
    ['seed', result.scenario.seed],
    ...Object.entries(result.scenario.params).map(([k, v]) => [`param ${k}`, v] as const),
  ]);
  return `
<section id="summary">
<h2>Summary</h2>
<h3>Throughput</h3>
${throughput}
<h3>Latency</h3>
${latency}
<p class="note">Corrected latency runs from the time the schedule intended to send each request, so waiting
to be sent counts; uncorrected runs from the actual send. SLO: ${escapeHtml(ms(slo))} ms.</p>
<h3>Rejections by code</h3>
${rejections}
<h3>Outcome check</h3>
${outcome}
${why}
${samples}
<div class="columns">
<div><h3>Reconciliation</h3>${reconciliation}</div>
<div><h3>Configuration</h3>${config}</div>
</div>
<h3>Environment</h3>
${environment}
</section>`;
}

function chartSections(charts: readonly BuiltChart[]): string {
  return charts
    .map(
      (c) => `
<section class="chart" id="chart-${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2>
<div class="canvas-box"><canvas data-chart="${escapeHtml(c.id)}" width="${FIGURE.width}" height="${FIGURE.height}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div>
<p class="how"><strong>How to read this.</strong> ${escapeHtml(c.howToRead)}</p>
</section>`,
    )
    .join('\n');
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif; color: #222; background: #fff;
  margin: 0 auto; padding: 1.5rem 2rem 4rem; max-width: 1000px; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta { color: #555; margin: 0; }
.badge { display: inline-block; padding: .1rem .6rem; border-radius: .3rem; font-weight: bold; color: #fff; }
.badge.ok { background: #1a9850; } .badge.bad { background: #c62828; }
strong.bad { color: #c62828; }
table { border-collapse: collapse; font-size: .9rem; margin: .3rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
table.num td, table.num th { text-align: right; } table.num td:first-child, table.num th:first-child { text-align: left; }
thead th { border-bottom: 2px solid #ccc; }
table.kv td:first-child { color: #555; white-space: nowrap; }
table.kv td { word-break: break-word; }
.columns { display: flex; flex-wrap: wrap; gap: 0 3rem; } .columns > div { flex: 0 1 auto; min-width: 0; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .4rem; vertical-align: -.1rem; }
.note, .how { color: #444; font-size: .92rem; max-width: 52rem; }
.canvas-box { position: relative; width: 100%; }
.chart-error { color: #c62828; }
.reasons { color: #c62828; margin: .3rem 0; }
`;

/**
 * The page script: formatters and hydration (the Node implementations, serialised), a white
 * background like the PNGs, then one Chart per canvas. Charts resize with the page.
 */
function pageScript(): string {
  return `${formatterSource()}
const ecnyWhiteBackground = {
  id: '${whiteBackground.id}',
  ${whiteBackground.beforeDraw!.toString()},
};
const ecnyCharts = JSON.parse(document.getElementById('ecny-charts').textContent);
for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  const spec = ecnyCharts[canvas.dataset.chart];
  try {
    const config = ecnyHydrate(spec, ecnyFormatters);
    config.options.responsive = true;
    delete config.options.devicePixelRatio;
    config.plugins = [ecnyWhiteBackground];
    new Chart(canvas, config);
  } catch (error) {
    const message = document.createElement('p');
    message.className = 'chart-error';
    message.textContent = 'This chart could not be drawn: ' + error;
    canvas.replaceWith(message);
    console.error(error);
  }
}`;
}

async function page(title: string, header: string, body: string, charts: readonly BuiltChart[]) {
  const configs = Object.fromEntries(charts.map((c) => [c.id, c.config]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header}
${body}
${chartSections(charts)}
<script>${await chartJsUmd()}</script>
<script type="application/json" id="ecny-charts">${scriptJson(configs)}</script>
<script>${pageScript()}</script>
</body>
</html>
`;
}

/**
 * Writes a self-contained page of interactive charts (the report's machinery: Chart.js inlined,
 * no network) with `bodyHtml` (already-escaped HTML) before the charts. For pages beyond run
 * reports, such as the history's trends. Returns the path written.
 */
export async function writeChartPage(
  file: string,
  page_: { title: string; headerHtml: string; bodyHtml: string; charts: readonly BuiltChart[] },
): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await page(page_.title, page_.headerHtml, page_.bodyHtml, page_.charts));
  return file;
}

/** The report page of one run as a string (what `writeReport` writes). */
export async function reportHtml(result: RunResult): Promise<string> {
  const v = verdict(result);
  const header = `<header>
<h1>${escapeHtml(scenarioLabel(result))} <span class="badge ${v.ok ? 'ok' : 'bad'}">${v.text}</span></h1>
<p class="meta">Run ${escapeHtml(result.runId)} (${escapeHtml(result.kind)}), ${escapeHtml(runDate(result.startedAt))}, ${escapeHtml(ms(result.durationS))} s measured, on ${escapeHtml(machineLabel(result.environment))}</p>
</header>`;
  return page(
    `ecny-bench: ${runSubtitle(result)}`,
    header,
    summary(result),
    buildRunCharts(result),
  );
}

/**
 * Writes `report.html` into `dir` (the run's results directory): summary tables, every
 * applicable registered chart as an interactive Chart.js canvas with a "how to read this"
 * paragraph. Self-contained: no network access when opened. Returns the path written.
 */
export async function writeReport(result: RunResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'report.html');
  await writeFile(file, await reportHtml(result));
  return file;
}

/**
 * Writes `compare.html` into `outDir`: the comparison charts and a one-line-per-run table.
 * Returns the path written.
 */
export async function writeComparisonReport(
  results: readonly RunResult[],
  outDir: string,
): Promise<string> {
  const charts = compareCharts(results);
  const rows = results.map((r) => [
    escapeHtml(r.runId),
    escapeHtml(scenarioLabel(r)),
    ms(r.totals.achievedPerSecond),
    ms(r.latency.corrected.p50),
    ms(r.latency.corrected.p99),
    ms(r.latency.corrected.p999),
    ms(r.latency.corrected.max),
    integer(r.totals.rejected),
    verdict(r).text,
  ]);
  const body = `<section id="summary"><h2>Runs</h2>${table(
    [
      'run',
      'scenario',
      'achieved tx/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'rejected',
      'check',
    ],
    rows,
  )}<p class="note">Latencies are corrected (from the intended send time).</p></section>`;
  const subtitle = results.length > 0 ? comparisonSubtitle(results) : 'no runs';
  const header = `<header><h1>Comparison</h1><p class="meta">${escapeHtml(subtitle)}</p></header>`;
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'compare.html');
  await writeFile(file, await page(`ecny-bench comparison: ${subtitle}`, header, body, charts));
  return file;
}
