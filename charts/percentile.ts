/**
 * The HDR percentile-distribution x axis: x = 1/(1-p).
 *
 * On this axis each "nine" gets the same width (90% -> 10, 99% -> 100, 99.9% -> 1000), so the
 * tail, where latency problems live, is spread out instead of squeezed into the last pixel of a
 * 0-100% axis. This is the axis of HdrHistogram's own plotter and of most latency papers.
 */
import type { SpectrumPoint } from '../result-format/index.js';
import type { Point } from './types.js';

/** x = 1/(1-p) for a fraction p in [0, 1): 0.5 -> 2, 0.99 -> 100, 0.999 -> 1000. */
export function percentileToX(p: number): number {
  // Rounded so 0.999 maps to 1000, not 999.9999999999991 (labels and tests compare exactly).
  return Number((1 / (1 - p)).toPrecision(12));
}

/** The inverse: the fraction p at x. */
export function xToPercentile(x: number): number {
  return 1 - 1 / x;
}

/**
 * Whether the spectrum's percentiles are on a 0-100 scale rather than fractions. HdrHistogram's
 * text output uses fractions, its iterators use percents; a spectrum always reaches its top, so
 * any value above 1 settles it.
 */
export function isPercentScale(spectrum: readonly SpectrumPoint[]): boolean {
  return spectrum.some((s) => s.percentile > 1);
}

/**
 * Spectrum points on the 1/(1-p) axis, ordered by x. p = 1 (the maximum) has no finite x: it is
 * placed at x = count, which is exactly where the largest of `count` samples sits (its rank is
 * 1 - 1/count); without a count it is left out. Duplicate x keep the largest value (the step's
 * top), as HdrHistogram's plots do.
 */
export function spectrumPoints(spectrum: readonly SpectrumPoint[], count: number): Point[] {
  const scale = isPercentScale(spectrum) ? 100 : 1;
  const byX = new Map<number, number>();
  for (const s of spectrum) {
    const p = s.percentile / scale;
    if (!(p >= 0) || !Number.isFinite(s.valueMs)) continue;
    let x: number;
    if (p >= 1 || (count > 0 && percentileToX(p) > count)) {
      if (count < 1) continue;
      x = Math.max(1, count);
    } else {
      x = percentileToX(p);
    }
    byX.set(x, Math.max(byX.get(x) ?? Number.NEGATIVE_INFINITY, s.valueMs));
  }
  return [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y }));
}

/** Tick positions 1 (0%), 2 (50%), 10 (90%), 100 (99%) ... up to `xMax`. */
export function percentileTicks(xMax: number): number[] {
  const ticks = [1, 2];
  for (let x = 10; x <= xMax * 1.0000001; x *= 10) ticks.push(x);
  return ticks;
}

/**
 * The axis end: the largest x (the maximum sits at x = count), and at least 10^4 so 99.99% is
 * always on the axis and short runs compare on the same frame. Not rounded up to a power of ten:
 * that would leave up to a decade of empty axis after the maximum.
 */
export function percentileAxisMax(points: readonly (readonly Point[])[]): number {
  let xMax = 1;
  for (const series of points) for (const p of series) xMax = Math.max(xMax, p.x);
  return Math.max(1e4, xMax);
}
