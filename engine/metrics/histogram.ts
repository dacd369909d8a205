/**
 * The one place HDR histograms are configured for the whole project.
 *
 * Every latency in ecny-bench is recorded as integer microseconds into a histogram built here, so
 * histograms produced in different processes (load generators, engine, pool) have the same range
 * and precision and can be merged with `add()` after a round trip through `encodeHistogram` /
 * `decodeHistogram`. Reports read them back in milliseconds through `percentiles`.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

export type { Histogram };

/** Lowest discernible value: 1 µs. */
export const LOWEST_MICROS = 1;
/** Highest trackable value: one hour in µs. Anything slower is clamped (see `recordMicros`). */
export const HIGHEST_MICROS = 3_600_000_000;
/** 3 significant digits: ±0.1% value error, ~100 KB of counts per histogram. */
export const SIGNIFICANT_DIGITS = 3;
/**
 * 32-bit bucket counters: 2^31 samples per bucket is far beyond any run, at half the memory of
 * 64-bit. Decoding uses the same size so a decoded histogram is the same kind as a fresh one.
 */
const BUCKET_SIZE = 32;

/**
 * A new empty histogram for microsecond values (1 µs .. 1 h, 3 significant digits).
 *
 * JS implementation, not WebAssembly: no async init, no manual `destroy()`, and it works the same
 * in worker threads. Auto-resize stays off because `recordMicros` clamps to the fixed range, which
 * keeps every histogram in the project identical in shape (cheap, lossless `add()`).
 */
export function createHistogram(): Histogram {
  return build({
    bitBucketSize: BUCKET_SIZE,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_MICROS,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/**
 * Records one value in µs, rounded and clamped into [0, HIGHEST_MICROS]. Use this rather than
 * `recordValue` directly: a raw out-of-range value throws, and a measurement must never take the
 * measured code down. Non-finite values (a clock bug) are dropped.
 */
export function recordMicros(h: Histogram, micros: number): void {
  if (!Number.isFinite(micros)) return;
  h.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, Math.round(micros))));
}

/** Compressed base64 (HdrHistogram V2 format, interoperable with the Java/Go/Rust ports). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/**
 * Decodes `encodeHistogram` output. The range is widened to at least the project's range so the
 * result can absorb any histogram from `createHistogram` via `add()`. Throws on malformed input.
 */
export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, BUCKET_SIZE, false, HIGHEST_MICROS);
}

/** A plain snapshot of a histogram (JSON-safe). All zeros when the histogram is empty. */
export interface Percentiles {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

/**
 * The snapshot in the histogram's own unit (µs for latencies; items for batch sizes and other
 * counts recorded into a `createHistogram()` histogram).
 */
export function distribution(h: Histogram): Percentiles {
  return summarize(h, 1);
}

/** The snapshot of a µs histogram, in milliseconds (floating). */
export function percentiles(h: Histogram): Percentiles {
  return summarize(h, 1000);
}

/** The index-level reads of hdr-histogram-js's JS histograms (public methods, not in its types). */
interface IndexedHistogram {
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  medianEquivalentValue(value: number): number;
}

/**
 * The histogram's mean, as `h.mean` computes it (each bucket at its median equivalent value, in
 * the same order, so the same number) but by a plain loop over the bucket counts up to the
 * largest value: `h.mean` walks an iterator object per bucket and costs about a millisecond on a
 * run-long histogram, which made every GET /v1/stats cost several.
 */
export function meanOf(h: Histogram): number {
  const total = h.totalCount;
  if (total === 0) return 0;
  const x = h as unknown as Partial<IndexedHistogram>;
  if (
    typeof x.countsArrayIndex !== 'function' ||
    typeof x.getCountAtIndex !== 'function' ||
    typeof x.valueFromIndex !== 'function' ||
    typeof x.medianEquivalentValue !== 'function'
  ) {
    return h.mean;
  }
  const indexed = x as IndexedHistogram;
  const last = indexed.countsArrayIndex(h.maxValue);
  let sum = 0;
  for (let i = 0; i <= last; i++) {
    const count = indexed.getCountAtIndex(i);
    if (count !== 0) sum += indexed.medianEquivalentValue(indexed.valueFromIndex(i)) * count;
  }
  return sum / total;
}

function summarize(h: Histogram, divisor: number): Percentiles {
  const count = h.totalCount;
  if (count === 0) {
    return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  }
  // minNonZeroValue ignores recorded zeros; the 0th percentile sees them.
  const min = h.getValueAtPercentile(0) === 0 ? 0 : h.minNonZeroValue;
  return {
    count,
    min: min / divisor,
    mean: meanOf(h) / divisor,
    p50: h.getValueAtPercentile(50) / divisor,
    p90: h.getValueAtPercentile(90) / divisor,
    p99: h.getValueAtPercentile(99) / divisor,
    p999: h.getValueAtPercentile(99.9) / divisor,
    p9999: h.getValueAtPercentile(99.99) / divisor,
    max: h.maxValue / divisor,
  };
}
