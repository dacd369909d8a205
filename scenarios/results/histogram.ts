/**
 * Histogram adaptor for the load side.
 *
 * Mirrors the API of `engine/metrics` (createHistogram, recordMicros, encodeHistogram,
 * decodeHistogram, percentiles) with the same range and precision, so histograms from the driver,
 * the engine and result files are interchangeable. Written against hdr-histogram-js directly
 * only because `engine/metrics` had not landed when the driver was written: once it is committed,
 * this file shrinks to a re-export of it plus `spectrum`.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import type { Percentiles, SpectrumPoint } from './schema.js';

export type { Histogram };

/** Highest trackable value: one hour in µs; slower values are clamped, never thrown. */
export const HIGHEST_MICROS = 3_600_000_000;

/** A new empty histogram of microseconds (1 µs .. 1 h, 3 significant digits, 32-bit counts). */
export function createHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records µs rounded and clamped into range: a measurement must never take the run down. */
export function recordMicros(h: Histogram, micros: number): void {
  if (!Number.isFinite(micros)) return;
  h.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, Math.round(micros))));
}

/** Compressed base64 (HdrHistogram V2 encoding, readable by the Java/Go/Rust ports). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Decodes `encodeHistogram` output into a histogram that can `add()` any `createHistogram()`. */
export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false, HIGHEST_MICROS);
}

const EMPTY: Percentiles = {
  count: 0,
  min: 0,
  mean: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  p999: 0,
  p9999: 0,
  max: 0,
};

/** Percentiles of a µs histogram, in milliseconds. All zeros when empty. */
export function percentiles(h: Histogram): Percentiles {
  const count = h.totalCount;
  if (count === 0) return EMPTY;
  const min = h.getValueAtPercentile(0) === 0 ? 0 : h.minNonZeroValue;
  return {
    count,
    min: min / 1000,
    mean: h.mean / 1000,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    p999: h.getValueAtPercentile(99.9) / 1000,
    p9999: h.getValueAtPercentile(99.99) / 1000,
    max: h.maxValue / 1000,
  };
}

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
