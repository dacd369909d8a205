/**
 * Per-second recording inside one load generator: counters and HDR histograms binned by second
 * of the measured phase, shipped as deltas (everything recorded since the previous flush) so the
 * coordinator can add them whatever second they arrive in.
 */
import {
  createHistogram,
  emptyCounters,
  encodeHistogram,
  HISTOGRAM_KINDS,
  type Histogram,
  type HistogramKind,
  recordMicros,
  type SecondCounters,
} from '../result-format/index.js';
import type { WireBucket } from './protocol.js';

interface Bucket {
  readonly t: number;
  counters: SecondCounters;
  readonly hist: Partial<Record<HistogramKind, Histogram>>;
  dirty: boolean;
}

export class SecondRecorder {
  readonly #startPerf: number;
  readonly #buckets = new Map<number, Bucket>();
  /** Histograms from retired seconds, reset and reused: ~100 KB each, no churn. */
  readonly #spare: Histogram[] = [];
  #last: Bucket | undefined;

  /** @param startPerf the start of the measured phase on the `performance.now()` clock */
  constructor(startPerf: number) {
    this.#startPerf = startPerf;
  }

  /** Second index of a `performance.now()` time (times before the start count in second 0). */
  second(perf: number): number {
    const t = Math.floor((perf - this.#startPerf) / 1000);
    return Math.max(t, 0);
  }

  /** The counters of second `t`, marked dirty (the caller is about to change them). */
  counters(t: number): SecondCounters {
    const b = this.#bucket(t);
    b.dirty = true;
    return b.counters;
  }

  /** Records µs into histogram `kind` of second `t`. */
  record(t: number, kind: HistogramKind, micros: number): void {
    const b = this.#bucket(t);
    b.dirty = true;
    let h = b.hist[kind];
    if (h === undefined) {
      h = this.#spare.pop() ?? createHistogram();
      b.hist[kind] = h;
    }
    recordMicros(h, micros);
  }

  /**
   * Everything recorded since the last flush, one entry per second touched. Seconds before
   * `retireBefore` are forgotten afterwards (their histograms go back to the spare list).
   */
  flush(retireBefore: number): WireBucket[] {
    const out: WireBucket[] = [];
    for (const [t, b] of this.#buckets) {
      if (b.dirty) {
        const histograms: Partial<Record<HistogramKind, string>> = {};
        for (const kind of HISTOGRAM_KINDS) {
          const h = b.hist[kind];
          if (h !== undefined && h.totalCount > 0) {
            histograms[kind] = encodeHistogram(h);
            h.reset();
          }
        }
        out.push({ t, counters: b.counters, histograms });
        b.counters = emptyCounters();
        b.dirty = false;
      }
      if (t < retireBefore) {
        for (const kind of HISTOGRAM_KINDS) {
          const h = b.hist[kind];
          if (h !== undefined) this.#spare.push(h);
        }
        this.#buckets.delete(t);
        if (this.#last === b) this.#last = undefined;
      }
    }
    return out;
  }

  #bucket(t: number): Bucket {
    // nearly every call is for the current second: skip the map for it
    if (this.#last !== undefined && this.#last.t === t) return this.#last;
    let b = this.#buckets.get(t);
    if (b === undefined) {
      b = { t, counters: emptyCounters(), hist: {}, dirty: false };
      this.#buckets.set(t, b);
    }
    this.#last = b;
    return b;
  }
}
