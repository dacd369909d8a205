/** Thresholds for people: the terminal summary lines and the Markdown table of a job summary. */
import type { ThresholdOutcome, ThresholdUnit } from '../result-format/index.js';

/** Three significant digits, thousands separated. */
function sig(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** A measured value with its unit: `12.3 ms`, `99.2%`, `1,204`, `153/s`. */
export function formatThresholdValue(value: number | null, unit: ThresholdUnit): string {
  if (value === null) return 'not measured';
  switch (unit) {
    case 'ms':
      return `${sig(value)} ms`;
    case 'ratio': {
      const pct = value * 100;
      // Enough decimals that 99.95% does not print as 100%.
      const text = pct === 100 || pct === 0 ? String(pct) : pct.toFixed(pct > 99 ? 3 : 2);
      return `${text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}%`;
    }
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'per-second':
      return `${sig(value)}/s`;
  }
}

/** `2 of 3 thresholds passed` or `all 3 thresholds passed`. */
export function thresholdHeadline(outcomes: readonly ThresholdOutcome[]): string {
  const passed = outcomes.filter((o) => o.passed).length;
  const n = outcomes.length;
  const noun = n === 1 ? 'threshold' : 'thresholds';
  if (passed === n) return n === 1 ? `the ${noun} passed` : `all ${n} ${noun} passed`;
  return `${n - passed} of ${n} ${noun} CROSSED`;
}

/** Lines for the terminal summary, one per threshold, aligned. */
export function thresholdLines(outcomes: readonly ThresholdOutcome[]): string[] {
  const width = Math.max(...outcomes.map((o) => o.expression.length));
  return outcomes.map((o) => {
    const verdict = o.passed ? 'pass   ' : 'CROSSED';
    const measured =
      o.value === null
        ? (o.note ?? 'not measured')
        : `${o.metric} = ${formatThresholdValue(o.value, o.unit)}`;
    const extra = [
      o.source === 'scenario' ? 'scenario default' : '',
      o.abortedRun ? 'stopped the run' : '',
    ].filter((s) => s !== '');
    return `${verdict} ${o.expression.padEnd(width)}  ${measured}${extra.length > 0 ? `  (${extra.join(', ')})` : ''}`;
  });
}

const mdEscape = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown table: verdict, threshold, measured value, where it came from. */
export function thresholdMarkdown(outcomes: readonly ThresholdOutcome[]): string {
  if (outcomes.length === 0) return '_No thresholds were set._\n';
  const rows = outcomes.map((o) => {
    const icon = o.passed ? '✅ pass' : '❌ crossed';
    const measured =
      o.value === null ? mdEscape(o.note ?? 'not measured') : formatThresholdValue(o.value, o.unit);
    const source = `${o.source === 'scenario' ? 'scenario default' : 'flag'}${o.abortedRun ? ', stopped the run' : ''}`;
    return `| ${icon} | \`${mdEscape(o.expression)}\` | ${measured} | ${source} |`;
  });
  return [
    '| verdict | threshold | measured | source |',
    '| --- | --- | ---: | --- |',
    ...rows,
    '',
  ].join('\n');
}
