/**
 * What a finished `run` prints: the terminal summary (figures, every threshold, the verdict) and
 * the Markdown of a CI job summary (appended to $GITHUB_STEP_SUMMARY when it is set).
 */
import { appendFile } from 'node:fs/promises';
import { describeSaturation, findSaturation } from '../../capacity/analysis/index.js';
import type { RunResult } from '../../result-format/index.js';
import type { RunReport, RunVerdict } from '../../runner/index.js';
import {
  formatThresholdValue,
  thresholdHeadline,
  thresholdLines,
  thresholdMarkdown,
} from '../../thresholds/index.js';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The verdict in words, as the summary's last line and the job summary's headline say it. */
export function verdictText(verdict: RunVerdict, result: RunResult): string {
  switch (verdict) {
    case 'pass':
      return 'PASSED';
    case 'failed':
      return 'FAILED (correctness checks)';
    case 'thresholds':
      return result.incomplete?.cause === 'threshold'
        ? `THRESHOLDS CROSSED (stopped early by ${result.incomplete.by})`
        : 'THRESHOLDS CROSSED';
    case 'incomplete':
      return `INCOMPLETE (${result.incomplete?.by ?? 'interrupted'} after ${result.incomplete?.afterS ?? 0} s)`;
  }
}

/**
 * A note when p99 is above the SLO line and no threshold judges p99: the SLO draws the line in
 * the charts, a threshold is what fails a run (docs/cli.md).
 */
export function sloNote(result: RunResult): string | null {
  const p99 = result.latency.corrected.p99;
  const slo = result.config.sloMs;
  if (!(result.latency.corrected.count > 0 && p99 > slo)) return null;
  if ((result.thresholds ?? []).some((t) => t.metric === 'p99')) return null;
  return `p99 ${ms(p99)} ms is above the ${slo} ms SLO line (no p99 threshold: add --threshold 'p99<${slo}ms' to fail on it)`;
}

/**
 * What the run's resources say, one line: each resource's use over the run and what bounded it;
 * null without resource figures. A saturated load generator is called out: the run then
 * measured the driver rather than the engine.
 */
export function resourcesNote(result: RunResult): string | null {
  const s = findSaturation(result.resources, () => true);
  if (s.uses.length === 0) return null;
  const uses = s.uses.map((u) => `${u.resource} ${Math.round(u.utilization * 100)}%`).join(', ');
  const driver = s.bound?.resource.startsWith('load generator')
    ? ': this run measured the load generator, not the engine'
    : '';
  return `${describeSaturation(s)}${driver} (mean use: ${uses})`;
}

/** One line per operation type (count, settled/s, peak, p50, p99), when there are several. */
function byTypeLines(r: RunResult): string[] {
  const entries = Object.entries(r.byType ?? {});
  if (entries.length < 2) return [];
  return [
    '  by operation type:',
    ...entries.map(
      ([label, c]) =>
        `    ${label.padEnd(17)} ${String(c.answered).padStart(7)} answered, ${c.settledPerSecond.toFixed(0).padStart(5)} settled/s (peak ${c.peakPerSecond}/s), p50 ${ms(c.latency.p50)} p99 ${ms(c.latency.p99)} ms`,
    ),
  ];
}

export function summaryText(report: RunReport, wallS: number): string {
  const r = report.result;
  const t = r.totals;
  const c = r.latency.corrected;
  const rejections = Object.entries(r.rejectionsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const lines = [
    '',
    `${r.scenario.name}${r.scenario.variant ? `/${r.scenario.variant}` : ''} (${r.scenario.scale}, seed ${r.scenario.seed}) on ${r.environment.cpuModel} x${r.environment.cores}`,
    `  sent ${t.sent} of ${t.planned} planned over ${r.durationS.toFixed(1)} s: ${t.achievedPerSecond.toFixed(0)} answers/s, ${t.settledPerSecond.toFixed(0)} settled/s`,
    `  latency from intended send (ms): p50 ${ms(c.p50)}  p90 ${ms(c.p90)}  p99 ${ms(c.p99)}  p99.9 ${ms(c.p999)}  max ${ms(c.max)}  (SLO ${r.config.sloMs} ms)`,
    `  settled ${t.settled}, rejected ${t.rejected}${rejections ? ` (${rejections})` : ''}, dropped ${t.dropped}, errors ${t.errors}`,
    `  outcome check: ${t.matched} matched, ${t.mismatched} mismatched, ${t.lost} lost${r.incomplete ? ' (in flight at the stop)' : ''} -> ${r.incomplete && t.mismatched === 0 ? 'INCOMPLETE' : r.outcome.passed ? 'PASS' : 'FAIL'}`,
    `  books: ${r.reconciliation === undefined ? 'not checked (engine not reachable)' : r.reconciliation.ok ? 'reconciled' : 'NOT reconciled'}${r.reconciliation?.matchesWorkload === undefined ? '' : r.reconciliation.matchesWorkload ? ', as the workload expects' : ', NOT as the workload expects'}`,
    ...byTypeLines(r),
  ];
  const outcomes = r.thresholds ?? [];
  if (outcomes.length > 0) {
    lines.push(`  thresholds: ${thresholdHeadline(outcomes)}`);
    for (const line of thresholdLines(outcomes)) lines.push(`    ${line}`);
  }
  const note = sloNote(r);
  if (note !== null) lines.push(`  note: ${note}`);
  const resources = resourcesNote(r);
  if (resources !== null) lines.push(`  resources: ${resources}`);
  if (r.incomplete !== undefined) lines.push(`  INCOMPLETE: ${r.incomplete.reason}`);
  const html = report.files.some((f) => f.endsWith('report.html')) ? ' (open report.html)' : '';
  lines.push(
    `  ${verdictText(report.verdict, r)} in ${wallS.toFixed(0)} s; results in ${report.dir}/${html}`,
  );
  return lines.join('\n');
}

const ICON: Readonly<Record<RunVerdict, string>> = {
  pass: '✅',
  failed: '❌',
  thresholds: '❌',
  incomplete: '⚠️',
};

/** The job summary of a run: headline, key figures, the threshold table. */
export function summaryMarkdown(report: RunReport): string {
  const r = report.result;
  const t = r.totals;
  const c = r.latency.corrected;
  const name = `${r.scenario.name}${r.scenario.variant ? `/${r.scenario.variant}` : ''} (${r.scenario.scale})`;
  const lines = [
    `### ${ICON[report.verdict]} ecny-bench run ${name}: ${verdictText(report.verdict, r)}`,
    '',
    '| answers/s | settled/s | p50 | p99 | p99.9 | max | dropped | errors | outcome check | books |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    `| ${t.achievedPerSecond.toFixed(0)} | ${t.settledPerSecond.toFixed(0)} | ${formatThresholdValue(c.p50, 'ms')} | ${formatThresholdValue(c.p99, 'ms')} | ` +
      `${formatThresholdValue(c.p999, 'ms')} | ${formatThresholdValue(c.max, 'ms')} | ${t.dropped} | ${t.errors} | ` +
      `${t.matched} matched, ${t.mismatched} mismatched, ${t.lost} lost | ${r.reconciliation === undefined ? 'not checked' : r.reconciliation.ok ? 'reconciled' : '**not reconciled**'} |`,
    '',
    `Latency from the intended send time; SLO line ${r.config.sloMs} ms. ${r.durationS.toFixed(1)} s measured on ${r.environment.cpuModel} x${r.environment.cores}, run \`${r.runId}\`.`,
    '',
  ];
  if ((r.thresholds ?? []).length > 0) {
    lines.push(
      `**Thresholds:** ${thresholdHeadline(r.thresholds!)}`,
      '',
      thresholdMarkdown(r.thresholds!),
    );
  }
  const note = sloNote(r);
  if (note !== null) lines.push(`> Note: ${note}`, '');
  if (r.incomplete !== undefined) lines.push(`> ⚠️ Incomplete: ${r.incomplete.reason}`, '');
  return `${lines.join('\n')}\n`;
}

/** Appends to the GitHub Actions job summary when running there; a no-op elsewhere. */
export async function appendStepSummary(markdown: string): Promise<void> {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) await appendFile(file, markdown);
}
