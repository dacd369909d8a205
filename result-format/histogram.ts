/**
 * Histograms on the load side are the project's one HDR configuration (engine/metrics: µs,
 * 1 µs .. 1 h, 3 significant digits), so driver, engine and result-file histograms merge with
 * `add()`. This module adds only what results need on top: the percentile spectrum.
 */
import type { Histogram } from '../engine/metrics/index.js';
import type { SpectrumPoint } from './schema.js';

export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HIGHEST_MICROS,
  type Histogram,
  percentiles,
  recordMicros,
} from '../engine/metrics/index.js';

/**
 * The percentile spectrum in ms, with HdrHistogram's tick spacing (5 points per halving of the
 * remaining tail), stopping where the tail holds fewer than one sample, then the max.
 */
export function spectrum(h: Histogram): SpectrumPoint[] {
  const count = h.totalCount;
  if (count === 0) return [];
  const points: SpectrumPoint[] = [];
  for (let k = 0; ; k++) {
    const tail = 2 ** (-k / 5);
    if (tail * count < 1) break;
    const percentile = 100 * (1 - tail);
    points.push({ percentile, valueMs: h.getValueAtPercentile(percentile) / 1000 });
  }
  points.push({ percentile: 100, valueMs: h.maxValue / 1000 });
  return points;
}
