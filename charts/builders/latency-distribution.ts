/**
 * The HDR percentile distribution: latency (ms) against percentile on the x = 1/(1-p) log axis,
 * corrected (solid) and uncorrected (faint, dashed), with the SLO as a horizontal line and each
 * latency threshold (`p99<50ms`) as a marker at its percentile: green met, red crossed.
 *
 * Read the curve where it crosses the SLO: everything right of the crossing misses it. A flat
 * curve that turns up sharply at 99.9% is a healthy system with rare stalls; a curve climbing
 * from the start is a system running near saturation.
 */
import type { RunResult } from '../../result-format/index.js';
import { FAINT_ALPHA, SERIES, withAlpha } from '../palette.js';
import {
  percentileAxisMax,
  percentileTicks,
  percentileToX,
  spectrumPoints,
} from '../percentile.js';
import {
  axisTitle,
  DASH,
  FONT,
  LINE,
  linearMsAxis,
  lineChart,
  lineSeries,
  logMsAxis,
  referenceLine,
  runSubtitle,
  yRange,
} from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const LATENCY_DISTRIBUTION_ID = 'latency-distribution';

/** One curve of a distribution chart: a solid corrected curve, or a faint uncorrected one. */
export interface DistributionCurve {
  readonly label: string;
  readonly colour: string;
  readonly points: Point[];
  readonly faint: boolean;
}

/**
 * The percentile x axis: log scale from 1 (0%) to `xMax`, ticks at 0%, 50%, 90%, 99%, 99.9% ...
 * labelled by the `percentile` formatter.
 */
export function percentileAxis(xMax: number) {
  return {
    type: 'logarithmic' as const,
    min: 1,
    max: xMax,
    title: axisTitle('percentile (x = 1/(1-p), log scale)'),
    ticks: { color: '#222222', font: { size: FONT.tick, family: FONT.family }, autoSkip: false },
    grid: { color: 'rgba(0, 0, 0, 0.09)' },
    ecny: { format: 'percentile' as const, ticks: percentileTicks(xMax) },
  };
}

/**
 * Whether the latency axis should be logarithmic: when the curves span more than two orders of
 * magnitude above the lowest median (typically corrected vs uncorrected under overload), a
 * linear axis would flatten everything but the worst tail into the floor.
 */
export function useLogLatencyAxis(curves: readonly DistributionCurve[]): boolean {
  const { hi } = yRange(curves.map((c) => c.points));
  const medians = curves
    .map((c) => c.points.find((p) => p.x >= 2)?.y ?? null)
    .filter((v): v is number => v !== null && v > 0);
  const lowestMedian = medians.length > 0 ? Math.min(...medians) : hi;
  return hi > 100 * lowestMedian;
}

/**
 * A distribution chart from curves (shared by the run chart and the comparison overlay). `slos`
 * holds one line per distinct SLO value.
 */
export function distributionChart(
  title: string,
  subtitle: string,
  curves: readonly DistributionCurve[],
  slos: readonly { readonly label: string; readonly ms: number }[],
  marks: readonly ThresholdMark[] = [],
): ChartConfig {
  const xMax = percentileAxisMax(curves.map((c) => c.points));
  const { lo, hi } = yRange(curves.map((c) => c.points));
  const limits = [...slos.map((s) => s.ms), ...marks.map((m) => m.ms)];
  const sloMax = Math.max(0, ...limits);
  const sloMin = Math.min(...limits.filter((v) => v > 0), lo);
  const y = useLogLatencyAxis(curves)
    ? logMsAxis('latency', Math.min(lo, sloMin), Math.max(hi, sloMax))
    : linearMsAxis('latency', Math.max(hi, sloMax) * 1.05);
  const datasets: ChartDatasetConfig[] = curves.map((c) =>
    lineSeries(c.label, c.faint ? withAlpha(c.colour, FAINT_ALPHA) : c.colour, c.points, {
      ...(c.faint ? { dash: DASH.faint, width: LINE.minor } : {}),
    }),
  );
  for (const slo of slos) {
    if (slo.ms > 0) datasets.push(referenceLine(slo.label, SERIES.slo, slo.ms, 1, xMax));
  }
  for (const m of marks) {
    const colour = m.passed ? SERIES.settled : SERIES.regression;
    // A downward triangle: a ceiling the curve must stay below at that percentile.
    datasets.push({
      ...lineSeries(m.label, colour, [{ x: Math.min(m.x, xMax), y: m.ms }]),
      showLine: false,
      pointStyle: 'triangle',
      pointRotation: 180,
      pointRadius: 7,
      pointHoverRadius: 8,
    });
  }
  return lineChart(title, subtitle, { x: percentileAxis(xMax), y }, datasets);
}

/** A latency threshold drawn at its percentile: an upper limit, met or crossed. */
export interface ThresholdMark {
  readonly label: string;
  readonly x: number;
  readonly ms: number;
  readonly passed: boolean;
}

/** The percentile of each latency metric a threshold can name, as a fraction. */
const METRIC_PERCENTILE: Readonly<Record<string, number>> = {
  p50: 0.5,
  p90: 0.9,
  p99: 0.99,
  'p99.9': 0.999,
  'p99.99': 0.9999,
};

/**
 * The run's upper-limit thresholds on corrected or service-time percentiles, placed where they
 * apply on the distribution (max at the rank of the slowest sample).
 */
export function thresholdMarks(result: RunResult): ThresholdMark[] {
  const marks: ThresholdMark[] = [];
  for (const t of result.thresholds ?? []) {
    if (t.unit !== 'ms' || (t.op !== '<' && t.op !== '<=')) continue;
    const service = t.metric.startsWith('service.');
    const name = service ? t.metric.slice('service.'.length) : t.metric;
    const count = (service ? result.latency.uncorrected : result.latency.corrected).count;
    const p = METRIC_PERCENTILE[name];
    const x = name === 'max' ? Math.max(1, count) : p === undefined ? null : percentileToX(p);
    if (x === null) continue;
    marks.push({
      label: `threshold ${t.expression} (${t.passed ? 'met' : 'crossed'})`,
      x,
      ms: t.limit,
      passed: t.passed,
    });
  }
  return marks;
}

/** The curves of one run: corrected, then uncorrected (each only when present). */
export function runCurves(result: RunResult, colour: string, prefix = ''): DistributionCurve[] {
  const { corrected, uncorrected, spectrum, uncorrectedSpectrum } = result.latency;
  const curves: DistributionCurve[] = [];
  const correctedPoints = spectrumPoints(spectrum, corrected.count);
  if (correctedPoints.length > 0) {
    curves.push({ label: `${prefix}corrected`, colour, points: correctedPoints, faint: false });
  }
  const uncorrectedPoints = spectrumPoints(uncorrectedSpectrum, uncorrected.count);
  if (uncorrectedPoints.length > 0) {
    curves.push({
      label: `${prefix}uncorrected (service time)`,
      colour,
      points: uncorrectedPoints,
      faint: true,
    });
  }
  return curves;
}

/** Corrected and uncorrected percentile spectra of the run, with its SLO. */
export function buildLatencyDistributionChart(result: RunResult): ChartConfig {
  const slo = result.config.sloMs;
  return distributionChart(
    'Latency by percentile (HDR distribution)',
    runSubtitle(result),
    runCurves(result, SERIES.corrected),
    [{ label: `SLO ${slo} ms`, ms: slo }],
    thresholdMarks(result),
  );
}
