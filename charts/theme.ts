/**
 * The shared look of every chart: fonts, line widths, titles, axes and the base options.
 *
 * Builders (and the capacity charts to come) compose these instead of spelling Chart.js options
 * out, so all charts match: same title block (what / scenario | date | machine), same axis title
 * style with units, same legend, same log-axis ticks. Sizes are chosen for an 800 px wide figure,
 * the width of a journal column at print resolution and of a laptop browser pane.
 */
import type { Environment, RunResult } from '../result-format/index.js';
import type { ChartConfig, ChartDatasetConfig, FormatterName, Point } from './types.js';

/** The default figure size in CSS pixels (PNGs are rendered at 2x this). */
export const FIGURE = { width: 800, height: 450 } as const;

/**
 * DejaVu Sans is what the render host has (and covers Latin fully); browsers without it fall
 * back to their sans-serif. Sizes in CSS px.
 */
export const FONT = {
  family: "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif",
  title: 16,
  subtitle: 12,
  axisTitle: 13,
  tick: 12,
  legend: 12,
} as const;

/** Line widths in CSS px: thick enough to tell apart at 800 px, thin enough not to merge. */
export const LINE = { main: 2, minor: 1.5, reference: 1.5 } as const;

/** Dash patterns: offered load and uncorrected twins dashed, the SLO long-dashed. */
export const DASH = { offered: [6, 4], faint: [4, 3], slo: [10, 5], p50: [3, 3] } as const;

const TEXT_COLOUR = '#222222';
const GRID_COLOUR = 'rgba(0, 0, 0, 0.09)';

/**
 * Makes text safe for the render canvas, which has Latin fonts only: NFKC folds full-width forms
 * to ASCII, then anything outside Latin (Basic, Latin-1, Extended-A/B) and general punctuation
 * becomes "?" so a CJK scenario name cannot turn into tofu boxes.
 */
export function latin(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[^\u0020-\u007e\u00a0-\u024f\u2010-\u2027\u2030-\u205e]/gu, '?')
    .replace(/\?{2,}/g, '?');
}

/**
 * "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz" -> "Intel Xeon Platinum 8370C";
 * "AMD EPYC 7763 64-Core Processor" -> "AMD EPYC 7763". Enough to tell machines apart.
 */
export function shortCpuModel(model: string): string {
  const short = model
    .replace(/\((R|TM|C)\)/gi, '')
    .replace(/@.*$/, '')
    .replace(/\b\d+-Core\b/gi, '')
    .replace(/\b(CPU|Processor)\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  return latin(short || 'unknown CPU');
}

/** "AMD EPYC 7763, 2 cores". */
export function machineLabel(env: Environment): string {
  return `${shortCpuModel(env.cpuModel)}, ${env.cores} ${env.cores === 1 ? 'core' : 'cores'}`;
}

/** "2026-11-23 10:52 UTC" from an ISO-8601 time (the input unchanged if it does not parse). */
export function runDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return latin(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "offline-burst / city" (scenario name and variant). */
export function scenarioLabel(result: RunResult): string {
  const { name, variant } = result.scenario;
  return latin(variant ? `${name} / ${variant}` : name);
}

/** The second title line every run chart carries: scenario | date | machine. */
export function runSubtitle(result: RunResult): string {
  return `${scenarioLabel(result)}  |  ${runDate(result.startedAt)}  |  ${machineLabel(result.environment)}`;
}

/** The axis title style, with the unit in parentheses: "latency (ms)". */
export function axisTitle(text: string) {
  return {
    display: true,
    text: latin(text),
    color: TEXT_COLOUR,
    font: { size: FONT.axisTitle, family: FONT.family },
  };
}

const TICKS = { color: TEXT_COLOUR, font: { size: FONT.tick, family: FONT.family } };
const GRID = { color: GRID_COLOUR };

/**
 * Seconds since the start of the measured phase, from half a bin before the first to half a bin
 * after the last, so bars at the ends are whole. `offset` stays off: on a linear axis Chart.js
 * would add half a *tick interval* on each side (minutes, on an hour-long run).
 */
export function timeAxis(lastT: number, bin = 1) {
  return {
    type: 'linear' as const,
    min: -bin / 2,
    max: Math.max(1, lastT) + bin / 2,
    offset: false,
    title: axisTitle('time since start of measurement (s)'),
    ticks: { ...TICKS, maxTicksLimit: 13, includeBounds: false },
    grid: { ...GRID, offset: false },
    ecny: { format: 'number' as FormatterName, unit: 's' },
  };
}

/** Candidate bin widths (s) for long runs: round numbers a reader can reason with. */
const BINS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;

/**
 * The bin width, in seconds, for per-second bars over `seconds` seconds: 1 up to `maxBins`
 * seconds, else the smallest round width giving at most `maxBins` bars. At 800 px a bar narrower
 * than ~2 px shimmers instead of showing a level.
 */
export function binSeconds(seconds: number, maxBins = 300): number {
  return BINS.find((b) => Math.ceil(seconds / b) <= maxBins) ?? BINS.at(-1)!;
}

/** A linear axis starting at zero (rates, counts). `format: 'compact'` gives 2.5k, 12k. */
export function linearAxis(
  title: string,
  unit: string,
  extra: { stack?: string; weight?: number } = {},
) {
  return {
    type: 'linear' as const,
    beginAtZero: true,
    title: axisTitle(`${title} (${unit})`),
    ticks: { ...TICKS, maxTicksLimit: 8 },
    grid: GRID,
    ecny: { format: 'compact' as FormatterName, unit },
    ...(extra.stack === undefined ? {} : { stack: extra.stack, stackWeight: extra.weight ?? 1 }),
  };
}

/**
 * A logarithmic millisecond axis over [min, max] snapped outwards to 1-2-5 steps, with ticks at
 * 1, 2, 5 x 10^k only: Chart.js's own log ticks crowd and print long decimals.
 */
export function logMsAxis(title: string, lo: number, hi: number) {
  const { min, max, ticks } = logTicks(lo, hi);
  return {
    type: 'logarithmic' as const,
    min,
    max,
    title: axisTitle(`${title} (ms)`),
    ticks: { ...TICKS, autoSkip: false },
    grid: GRID,
    ecny: { format: 'number' as FormatterName, ticks, unit: 'ms' },
  };
}

/** A linear millisecond axis from zero. */
export function linearMsAxis(title: string, hi: number) {
  return {
    type: 'linear' as const,
    min: 0,
    suggestedMax: hi,
    title: axisTitle(`${title} (ms)`),
    ticks: { ...TICKS, maxTicksLimit: 8 },
    grid: GRID,
    ecny: { format: 'number' as FormatterName, unit: 'ms' },
  };
}

/** 1-2-5 steps from below `lo` to above `hi`, for log axes. Both bounds must be > 0. */
export function logTicks(lo: number, hi: number): { min: number; max: number; ticks: number[] } {
  const low = lo > 0 && Number.isFinite(lo) ? lo : 1;
  const high = Math.max(hi > 0 && Number.isFinite(hi) ? hi : 1, low * 1.0001);
  const steps: number[] = [];
  for (let e = Math.floor(Math.log10(low)) - 1; e <= Math.ceil(Math.log10(high)) + 1; e++) {
    for (const m of [1, 2, 5]) steps.push(clean(m * 10 ** e));
  }
  let min = steps.filter((s) => s <= low).at(-1) ?? steps[0]!;
  let max = steps.find((s) => s >= high) ?? steps.at(-1)!;
  // More than four decades: 1-2-5 labels would crowd, so decades only, bounds included.
  if (Math.log10(max / min) > 4) {
    min = clean(10 ** Math.floor(Math.log10(min) + 1e-9));
    max = clean(10 ** Math.ceil(Math.log10(max) - 1e-9));
    const decades: number[] = [];
    for (let e = Math.round(Math.log10(min)); e <= Math.round(Math.log10(max)); e++) {
      decades.push(clean(10 ** e));
    }
    return { min, max, ticks: decades };
  }
  return { min, max, ticks: steps.filter((s) => s >= min && s <= max) };
}

/** 0.1 * 3 style float noise off: 10^-k multiples printed as written. */
function clean(v: number): number {
  return Number(v.toPrecision(6));
}

/**
 * The options every chart starts from: titles, legend, fonts, no animation (PNG rendering and
 * screenshots need the final frame at once), and `maintainAspectRatio` for the report's layout.
 */
export function baseOptions(title: string, subtitle: string) {
  return {
    animation: false as const,
    responsive: false,
    maintainAspectRatio: true,
    aspectRatio: FIGURE.width / FIGURE.height,
    devicePixelRatio: 2,
    color: TEXT_COLOUR,
    font: { family: FONT.family, size: FONT.tick },
    interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
    elements: {
      point: { radius: 0, hitRadius: 4, hoverRadius: 3 },
      line: { borderWidth: LINE.main, tension: 0 },
    },
    layout: { padding: { left: 4, right: 28, top: 4, bottom: 4 } },
    plugins: {
      title: {
        display: true,
        text: latin(title),
        color: TEXT_COLOUR,
        font: { size: FONT.title, weight: 'bold' as const, family: FONT.family },
        padding: { top: 4, bottom: 2 },
      },
      subtitle: {
        display: true,
        text: latin(subtitle),
        color: '#555555',
        font: { size: FONT.subtitle, family: FONT.family },
        padding: { top: 0, bottom: 6 },
      },
      legend: {
        display: true,
        position: 'top' as const,
        // Point-style entries: a line segment for lines (hydration restores the dash pattern),
        // a filled square for bars, so the legend shows what the mark on the chart looks like.
        labels: {
          color: TEXT_COLOUR,
          font: { size: FONT.legend, family: FONT.family },
          usePointStyle: true,
          pointStyleWidth: 26,
          padding: 12,
        },
      },
    },
  };
}

/** Options for a line chart with these scales (x plus y axes keyed by id). */
export function lineChart(
  title: string,
  subtitle: string,
  scales: Record<string, object>,
  datasets: ChartDatasetConfig[],
): ChartConfig {
  // The cast is only to Chart.js's deep-partial option types; everything is plain data.
  return {
    type: 'line',
    data: { datasets },
    options: { ...baseOptions(title, subtitle), scales } as ChartConfig['options'] & object,
  };
}

/** A line dataset in the house style. `faint` draws it as the dashed, pale twin of its colour. */
export function lineSeries(
  label: string,
  colour: string,
  data: Point[],
  opts: { yAxisID?: string; dash?: readonly number[]; width?: number; stack?: string } = {},
): ChartDatasetConfig {
  return {
    type: 'line',
    label: latin(label),
    data,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: opts.width ?? LINE.main,
    pointStyle: 'line',
    pointRadius: 0,
    fill: false,
    spanGaps: false,
    ...(opts.dash === undefined ? {} : { borderDash: [...opts.dash] }),
    // Always explicit: Chart.js's default is the *first* y scale, which in a two-panel chart
    // is whichever panel happens to be declared first.
    yAxisID: opts.yAxisID ?? 'y',
    ...(opts.stack === undefined ? {} : { stack: opts.stack }),
  };
}

/** A horizontal reference line (the SLO) across [x0, x1]. */
export function referenceLine(
  label: string,
  colour: string,
  y: number,
  x0: number,
  x1: number,
  yAxisID = 'y',
): ChartDatasetConfig {
  return {
    ...lineSeries(
      label,
      colour,
      [
        { x: x0, y },
        { x: x1, y },
      ],
      { dash: DASH.slo, width: LINE.reference, yAxisID },
    ),
    pointRadius: 0,
  };
}

/** Positive finite values only (log axes cannot show 0); anything else is a gap. */
export function positiveOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
}

/** The smallest and largest non-null y across datasets' points (for axis bounds). */
export function yRange(series: readonly (readonly Point[])[]): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const points of series) {
    for (const p of points) {
      if (p.y === null) continue;
      if (p.y < lo) lo = p.y;
      if (p.y > hi) hi = p.y;
    }
  }
  return Number.isFinite(lo) ? { lo, hi } : { lo: 1, hi: 10 };
}

/** The last second of the timeseries (the x-axis end). */
export function lastSecond(result: RunResult): number {
  return result.timeseries.reduce((m, s) => Math.max(m, s.t), 0);
}
