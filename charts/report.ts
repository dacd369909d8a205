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
import { formatThresholdValue } from '../thresholds/index.js';
import { whiteBackground } from './background.js';
import {
  compareCharts,
  comparisonSubtitle,
  distinguishingKeys,
  runAspects,
  runLabels,
} from './compare.js';
import { formatNumber, formatterSource } from './formatters.js';
import { opColour, rejectionColour } from './palette.js';
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

/** Keys whose numbers are amounts in yuan (scenario data, flows, genesis). */
const YUAN_KEY = /(^yuan$|Yuan$)/;
/** Keys whose numbers are durations. */
const MS_KEY = /Ms$/;
/** `durationS`, `windowS`: seconds. (A bare `s` is a Zipf exponent, not seconds.) */
const S_KEY = /[a-z]S$/;
/** `startAtMs`: an epoch time, shown as a date. */
const EPOCH_KEY = /AtMs$/;

const yuan = (v: number) =>
  `${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} yuan`;

/** Engine amounts (coins, vaults, books) are integer fen: shown in yuan. */
const fenAsYuan = (fen: number) => yuan(fen / 100);

/**
 * A configuration or parameter value for people: numbers with their unit (from the key's name),
 * short lists inline, long number series summarised, objects as nested tables. Never raw JSON.
 */
function readable(value: unknown, key = '', depth = 0): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return escapeHtml(String(value));
    if (YUAN_KEY.test(key)) return escapeHtml(yuan(value));
    if (EPOCH_KEY.test(key)) return escapeHtml(runDate(new Date(value).toISOString()));
    if (MS_KEY.test(key)) return `${escapeHtml(formatNumber(value))} ms`;
    if (S_KEY.test(key)) return `${escapeHtml(formatNumber(value))} s`;
    return escapeHtml(
      Number.isInteger(value) ? value.toLocaleString('en-US') : formatNumber(value),
    );
  }
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((v) => typeof v === 'number')) {
      if (value.length <= 12) return value.map((v) => readable(v, key, depth + 1)).join(', ');
      const nums = value as number[];
      return `${nums.length.toLocaleString('en-US')} values from ${readable(Math.min(...nums), key)} to ${readable(Math.max(...nums), key)}`;
    }
    if (value.every((v) => typeof v !== 'object' || v === null))
      return value.map((v) => readable(v, key, depth + 1)).join(', ');
    const shown = value.slice(0, 20).map((v) => `<li>${readable(v, key, depth + 1)}</li>`);
    const more = value.length > 20 ? `<li>... ${value.length - 20} more</li>` : '';
    return `<ol class="nested">${shown.join('')}${more}</ol>`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '-';
    if (depth >= 3)
      return entries.map(([k, v]) => `${escapeHtml(k)} ${readable(v, k, depth + 1)}`).join('; ');
    const rows = entries.map(
      ([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${readable(v, k, depth + 1)}</td></tr>`,
    );
    return `<table class="kv nested"><tbody>${rows.join('')}</tbody></table>`;
  }
  return escapeHtml(String(value));
}

function keyValues(entries: readonly (readonly [string, unknown])[]): string {
  const rows = entries.map(([k, v]) => [escapeHtml(k), readable(v, k)]);
  return table(['', ''], rows, false).replace('<thead><tr><th></th><th></th></tr></thead>', '');
}

/** A latency in ms, marked when above the SLO: the SLO drawn in the tables as in the charts. */
function sloCell(v: number, sloMs: number | null): string {
  return sloMs !== null && Number.isFinite(v) && v > sloMs
    ? `<span class="over" title="above the ${escapeHtml(String(sloMs))} ms SLO">${ms(v)}</span>`
    : ms(v);
}

function latencyRow(name: string, p: Percentiles, sloMs: number | null): string[] {
  const cell = (v: number) => sloCell(v, sloMs);
  return [
    escapeHtml(name),
    integer(p.count),
    ms(p.min),
    cell(p.mean),
    cell(p.p50),
    cell(p.p90),
    cell(p.p99),
    cell(p.p999),
    cell(p.p9999),
    cell(p.max),
  ];
}

/** The verdict a report shows: the same rule as the run's (runner/), from the result alone. */
export interface ReportVerdict {
  readonly label: 'PASS' | 'FAIL' | 'THRESHOLDS CROSSED' | 'INCOMPLETE';
  readonly kind: 'ok' | 'bad' | 'warn';
  /** Why it is not PASS, one line each; notes (an SLO missed without a threshold) too. */
  readonly reasons: readonly string[];
  /** p99 is above the SLO line and no threshold judges p99. */
  readonly sloMissed: boolean;
}

/**
 * PASS only when every answer matched, nothing was lost, the books balance, every threshold
 * passed and the run went to its end. A crossed threshold is never shown as PASS.
 */
export function reportVerdict(result: RunResult): ReportVerdict {
  const t = result.totals;
  const rec = result.reconciliation;
  const booksOk = rec === undefined || (rec.ok && rec.matchesWorkload !== false);
  const correct = result.outcome.passed && t.mismatched === 0 && t.lost === 0 && booksOk;
  const crossed = (result.thresholds ?? []).filter((o) => !o.passed);
  const reasons: string[] = [];
  const { incomplete } = result;
  if (incomplete !== undefined) reasons.push(incomplete.reason);
  if (incomplete === undefined) reasons.push(...(result.outcome.reasons ?? []));
  else if (t.mismatched > 0) reasons.push(`${t.mismatched} mismatched`);
  if (rec !== undefined && !rec.ok) reasons.push('the books do not reconcile');
  if (rec !== undefined && rec.matchesWorkload === false)
    reasons.push('the books differ from what the workload should leave');
  for (const o of crossed)
    reasons.push(
      `threshold ${o.expression} crossed: ${o.value === null ? (o.note ?? 'not measured') : `${o.metric} = ${formatThresholdValue(o.value, o.unit)}`}`,
    );
  const p99 = result.latency.corrected.p99;
  const slo = result.config.sloMs;
  const sloMissed =
    result.latency.corrected.count > 0 &&
    p99 > slo &&
    !(result.thresholds ?? []).some((o) => o.metric === 'p99');
  if (sloMissed)
    reasons.push(
      `p99 ${ms(p99)} ms is above the ${ms(slo)} ms SLO (no p99 threshold was set, so it does not fail the run)`,
    );
  let label: ReportVerdict['label'];
  if (incomplete?.cause === 'signal') label = 'INCOMPLETE';
  else if (incomplete?.cause === 'threshold')
    label = t.mismatched > 0 || !booksOk ? 'FAIL' : 'THRESHOLDS CROSSED';
  else if (!correct) label = 'FAIL';
  else if (crossed.length > 0) label = 'THRESHOLDS CROSSED';
  else label = 'PASS';
  const kind = label === 'PASS' ? 'ok' : label === 'INCOMPLETE' ? 'warn' : 'bad';
  return { label, kind, reasons, sloMissed };
}

function thresholdTable(result: RunResult): string {
  const outcomes = result.thresholds ?? [];
  if (outcomes.length === 0)
    return '<p class="note">No thresholds were set: only correctness decides this verdict (<code>--threshold \'p99&lt;50ms\'</code> makes an SLO decide it too).</p>';
  return table(
    ['verdict', 'threshold', 'measured', 'source'],
    outcomes.map((o) => [
      o.passed ? '<span class="pass">pass</span>' : '<strong class="bad">crossed</strong>',
      `<code>${escapeHtml(o.expression)}</code>`,
      escapeHtml(
        o.value === null ? (o.note ?? 'not measured') : formatThresholdValue(o.value, o.unit),
      ),
      escapeHtml(
        `${o.source === 'scenario' ? 'scenario default' : 'flag'}${o.abortedRun ? ', stopped the run' : ''}`,
      ),
    ]),
    false,
  );
}

/** Verdict, thresholds and the key figures: what a reader needs before any chart. */
function verdictSection(result: RunResult, v: ReportVerdict): string {
  const t = result.totals;
  const c = result.latency.corrected;
  const reasons =
    v.reasons.length === 0
      ? ''
      : `<ul class="reasons ${v.kind}">${v.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`;
  const key = table(
    [
      'achieved tx/s',
      'settled tx/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'dropped',
      'errors',
    ],
    [
      [
        `<strong>${ms(t.achievedPerSecond)}</strong>`,
        `<strong>${ms(t.settledPerSecond)}</strong>`,
        ...[c.p50, c.p99, c.p999, c.max].map((v) => sloCell(v, result.config.sloMs)),
        integer(t.dropped),
        integer(t.errors),
      ],
    ],
  );
  return `
<section id="verdict">
${reasons}
<h2>Thresholds</h2>
${thresholdTable(result)}
<h2>Key figures</h2>
${key}
<p class="note">Latency from the intended send time (what a user waited), SLO ${escapeHtml(ms(result.config.sloMs))} ms; figures above it are marked. Details, configuration and environment follow the charts.</p>
</section>`;
}

function details(result: RunResult): string {
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
      latencyRow('corrected (from intended send)', result.latency.corrected, slo),
      latencyRow('uncorrected (from actual send)', result.latency.uncorrected, slo),
      ...(sendLag === undefined
        ? []
        : [latencyRow('send lag (generator lateness)', sendLag, null)]),
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
        result.incomplete !== undefined && t.mismatched === 0
          ? 'incomplete'
          : result.outcome.passed
            ? 'passed'
            : '<strong class="bad">failed</strong>',
      ],
    ],
  );
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
    ['SLO line', `${slo} ms`],
    ['measured', `${ms(result.durationS)} s`],
    ...Object.entries(result.config).filter(([k]) => k !== 'sloMs'),
  ]);
  const scenario = keyValues([
    ['scale', result.scenario.scale],
    ['seed', result.scenario.seed],
    ...Object.entries(result.scenario.params),
    ...(result.scenario.expectedCounts === undefined
      ? []
      : ([['expected outcomes', result.scenario.expectedCounts]] as const)),
  ]);
  return `
<section id="details">
<h2>Details</h2>
<h3>Throughput</h3>
${throughput}
<h3>Latency</h3>
${latency}
<p class="note">Corrected latency runs from the time the schedule intended to send each request, so waiting
to be sent counts; uncorrected runs from the actual send. Figures above the ${escapeHtml(ms(slo))} ms SLO are marked.</p>
<h3>Rejections by code</h3>
${rejections}
<h3>Outcome check</h3>
${outcome}
${samples}
<h3>Books</h3>
${reconciliationTable(result)}
<details><summary>Configuration of the run</summary>${config}</details>
<details><summary>Scenario parameters</summary>${scenario}</details>
<details><summary>Environment</summary>${environment}</details>
</section>`;
}

/** The engine's book fields (GET /v1/reconcile), integer fen on the wire, with their names here. */
const BOOK_FIELDS: Readonly<Record<string, string>> = {
  issued: 'issued',
  destroyed: 'destroyed',
  unspent: 'unspent (issued - destroyed)',
  issuanceVault: 'in the issuance vault',
  bankVaults: 'in bank vaults',
  wallets: 'in wallets',
};

/** The engine's books: every amount in yuan (fen on the wire), counts as counts. */
function reconciliationTable(result: RunResult): string {
  const rec = result.reconciliation;
  if (rec === undefined) return '<p>Not checked (the engine was not reachable at the end).</p>';
  const rows: [string, string][] = [
    ['books balance', rec.ok ? 'yes' : '<strong class="bad">NO</strong>'],
  ];
  for (const [key, value] of Object.entries(rec)) {
    if (key === 'ok' || key === 'problems') continue;
    const fen = key in BOOK_FIELDS || /Fen$/.test(key);
    const name = BOOK_FIELDS[key] ?? key.replace(/Fen$/, '');
    rows.push([
      escapeHtml(name),
      fen && typeof value === 'number' ? escapeHtml(fenAsYuan(value)) : readable(value, key),
    ]);
  }
  const problems = Array.isArray(rec['problems']) ? (rec['problems'] as unknown[]).map(String) : [];
  if (problems.length > 0) rows.push(['problems', problems.map((p) => escapeHtml(p)).join('<br>')]);
  return table(['', ''], rows, false).replace('<thead><tr><th></th><th></th></tr></thead>', '');
}

/** Per operation type and per channel: counts, throughput and latency, when the run counted them. */
export function classTables(result: RunResult): string {
  const tableOf = (title: string, map: RunResult['byType']) => {
    const entries = Object.entries(map ?? {});
    if (entries.length === 0) return '';
    const rows = entries.map(([label, c]) => [
      `<span class="swatch" style="background:${opColour(label)}"></span>${escapeHtml(label)}`,
      integer(c.planned),
      integer(c.settled),
      integer(c.rejected),
      integer(c.dropped + c.errors),
      ms(c.settledPerSecond),
      integer(c.peakPerSecond),
      ms(c.latency.p50),
      ms(c.latency.p99),
      ms(c.latency.p999),
    ]);
    return `<h3>${escapeHtml(title)}</h3>${table(
      [
        '',
        'ops',
        'settled',
        'rejected',
        'dropped + errors',
        'settled/s',
        'peak answers/s',
        'p50 ms',
        'p99 ms',
        'p99.9 ms',
      ],
      rows,
    )}`;
  };
  const body =
    tableOf('By operation type', result.byType) + tableOf('By payment channel', result.byChannel);
  if (body === '') return '';
  return `
<section id="classes">
<h2>Operation types and channels</h2>
${body}
<p class="note">Settled per second over the measured duration; peak is the busiest second of answers.
Latency is corrected (from the intended send time). A payment counts under its type and its channel.</p>
</section>`;
}

/** Where the scenario's figures come from: each figure, then the numbered sources with links. */
export function sourcesSection(result: RunResult): string {
  const facts = result.scenario.facts ?? [];
  if (facts.length === 0) return '';
  const sources: NonNullable<(typeof facts)[number]['source']>[] = [];
  for (const f of facts)
    if (f.source !== undefined && !sources.some((s) => s.url === f.source!.url))
      sources.push(f.source);
  const urls = sources.map((s) => s.url);
  const rows = facts.map((f) => [
    escapeHtml(f.figure),
    escapeHtml(f.value),
    f.source !== undefined
      ? `[${urls.indexOf(f.source.url) + 1}]`
      : `<em>modelled</em>: ${escapeHtml(f.modelled ?? '')}`,
  ]);
  const list = sources
    .map(
      (s) =>
        `<li>${escapeHtml(s.publisher)}, ${escapeHtml(s.date)}, <a href="${escapeHtml(s.url)}">${escapeHtml(s.title)}</a>${s.note ? ` <span class="note">(${escapeHtml(s.note)})</span>` : ''}</li>`,
    )
    .join('\n');
  return `
<section id="sources">
<h2>Sources</h2>
<p class="note">Every figure the scenario uses, with the public page it was read on, or marked
<em>modelled</em> with the reason when no source gives it.</p>
${table(['figure', 'value', 'source'], rows, false)}
<ol class="sources">
${list}
</ol>
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
.badge.ok { background: #1a9850; } .badge.bad { background: #c62828; } .badge.warn { background: #b35806; }
strong.bad { color: #c62828; } .pass { color: #1a9850; } .over { color: #c62828; font-weight: bold; }
details { margin: .6rem 0; } details > summary { cursor: pointer; font-weight: bold; margin: .4rem 0; }
table.nested { margin: 0; font-size: .85rem; } ol.nested { margin: 0; padding-left: 1.2rem; }
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
.reasons { color: #c62828; margin: .3rem 0; } .reasons.warn { color: #b35806; } .reasons.ok { color: #444; }
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

async function page(
  title: string,
  header: string,
  body: string,
  charts: readonly BuiltChart[],
  after = '',
) {
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
${after}
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

/**
 * The report page of one run as a string (what `writeReport` writes): the verdict with its
 * reasons, the thresholds and the key figures first, then the charts, then the details with the
 * configuration, scenario parameters and environment folded.
 */
export async function reportHtml(result: RunResult): Promise<string> {
  const v = reportVerdict(result);
  const slo = v.sloMissed ? ' <span class="badge warn">SLO MISSED</span>' : '';
  const header = `<header>
<h1>${escapeHtml(scenarioLabel(result))} <span class="badge ${v.kind}">${v.label}</span>${slo}</h1>
<p class="meta">Run ${escapeHtml(result.runId)} (${escapeHtml(result.kind)}), ${escapeHtml(runDate(result.startedAt))}, ${escapeHtml(ms(result.durationS))} s measured${result.incomplete ? ' (cut short)' : ''}, on ${escapeHtml(machineLabel(result.environment))}</p>
</header>`;
  return page(
    `ecny-bench: ${runSubtitle(result)}`,
    header,
    verdictSection(result, v),
    buildRunCharts(result),
    classTables(result) + details(result) + sourcesSection(result),
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

/** Every aspect that differs between the runs (the labels name at most three). */
function differences(results: readonly RunResult[], names: readonly string[]): string {
  const keys = distinguishingKeys(results);
  if (keys.length === 0)
    return '<p>Nothing in their configuration, scale, duration, commit or machine.</p>';
  const aspects = results.map(runAspects);
  return table(
    ['run', ...keys],
    results.map((_, i) => [
      escapeHtml(names[i]!),
      ...keys.map((k) => escapeHtml(aspects[i]!.get(k) ?? '-')),
    ]),
    false,
  );
}

/**
 * Writes `compare.html` into `outDir`: the comparison charts and a one-line-per-run table.
 * Returns the path written.
 */
export async function writeComparisonReport(
  results: readonly RunResult[],
  outDir: string,
  labels?: readonly string[],
): Promise<string> {
  const charts = compareCharts(results, labels);
  const names = runLabels(results, labels);
  const rows = results.map((r, i) => [
    escapeHtml(names[i]!),
    escapeHtml(r.runId),
    escapeHtml(scenarioLabel(r)),
    ms(r.totals.achievedPerSecond),
    ms(r.latency.corrected.p50),
    ms(r.latency.corrected.p99),
    ms(r.latency.corrected.p999),
    ms(r.latency.corrected.max),
    integer(r.totals.rejected),
    reportVerdict(r).label,
  ]);
  const body = `<section id="summary"><h2>Runs</h2>${table(
    [
      'label',
      'run',
      'scenario',
      'achieved tx/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'rejected',
      'verdict',
    ],
    rows,
  )}<p class="note">Latencies are corrected (from the intended send time).</p>
<h2>What differs between the runs</h2>
${differences(results, names)}</section>`;
  const subtitle = results.length > 0 ? comparisonSubtitle(results) : 'no runs';
  const header = `<header><h1>Comparison</h1><p class="meta">${escapeHtml(subtitle)}</p></header>`;
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'compare.html');
  await writeFile(file, await page(`ecny-bench comparison: ${subtitle}`, header, body, charts));
  return file;
}
