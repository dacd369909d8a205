/**
 * Latency and throughput per class of op: per operation type (the workload's report label:
 * transfer, claim, top-up, sweep, ...) and per payment channel (scan, tap, online). Each load
 * generator counts its answers per class and per second and keeps one corrected-latency
 * histogram per class; the coordinator (and `merge`, across shards) adds them exactly.
 */
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentiles,
} from './histogram.js';
import type { ClassSummary } from './schema.js';

/** A class key: `type:<label>` or `channel:<label>`. */
export type ClassKey = `type:${string}` | `channel:${string}`;

/** One class as a generator ships it at the end of a run (and as shards are merged). */
export interface WireClass {
  planned: number;
  answered: number;
  settled: number;
  rejected: number;
  errors: number;
  dropped: number;
  /** Answers per second of the measured phase. */
  perSecond: number[];
  /** Corrected latency (µs), encoded (compressed base64). */
  histogram: string;
}

/** A class with nothing counted yet. */
export function emptyClass(): WireClass {
  return {
    planned: 0,
    answered: 0,
    settled: 0,
    rejected: 0,
    errors: 0,
    dropped: 0,
    perSecond: [],
    histogram: '',
  };
}

/** Classes by key, as they travel from a generator. */
export type WireClasses = Record<string, WireClass>;

/** Adds class tallies from generators or shards; `histogram` is added exactly. */
export class ClassAccumulator {
  readonly #classes = new Map<string, { wire: WireClass; hist: Histogram }>();

  add(classes: WireClasses | undefined): void {
    for (const [key, c] of Object.entries(classes ?? {})) {
      let mine = this.#classes.get(key);
      if (!mine) {
        const wire = { ...emptyClass(), histogram: '' };
        mine = { wire, hist: createHistogram() };
        this.#classes.set(key, mine);
      }
      const w = mine.wire;
      w.planned += c.planned;
      w.answered += c.answered;
      w.settled += c.settled;
      w.rejected += c.rejected;
      w.errors += c.errors;
      w.dropped += c.dropped;
      c.perSecond.forEach((n, t) => {
        w.perSecond[t] = (w.perSecond[t] ?? 0) + n;
      });
      if (c.histogram !== '') mine.hist.add(decodeHistogram(c.histogram));
    }
  }

  /** The summaries, split into per-type and per-channel maps (ordered by op count). */
  summarize(durationS: number): {
    byType: Record<string, ClassSummary>;
    byChannel: Record<string, ClassSummary>;
  } {
    const byType: Record<string, ClassSummary> = {};
    const byChannel: Record<string, ClassSummary> = {};
    const entries = [...this.#classes.entries()].sort(
      (a, b) => b[1].wire.planned - a[1].wire.planned || (a[0] < b[0] ? -1 : 1),
    );
    for (const [key, { wire, hist }] of entries) {
      const perSecond = Array.from(wire.perSecond, (n) => n ?? 0);
      const summary: ClassSummary = {
        planned: wire.planned,
        answered: wire.answered,
        settled: wire.settled,
        rejected: wire.rejected,
        errors: wire.errors,
        dropped: wire.dropped,
        settledPerSecond: wire.settled / (durationS > 0 ? durationS : 1),
        peakPerSecond: perSecond.reduce((m, n) => Math.max(m, n), 0),
        latency: percentiles(hist),
        perSecond,
        histogram: hist.totalCount > 0 ? encodeHistogram(hist) : '',
      };
      const [kind, label] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (kind === 'type') byType[label] = summary;
      else byChannel[label] = summary;
    }
    return { byType, byChannel };
  }
}

/** A result's classes back in wire form (for merging shard results). */
export function classesOf(result: {
  readonly byType?: Readonly<Record<string, ClassSummary>>;
  readonly byChannel?: Readonly<Record<string, ClassSummary>>;
}): WireClasses {
  const out: WireClasses = {};
  const put = (kind: string, map: Readonly<Record<string, ClassSummary>> | undefined) => {
    for (const [label, s] of Object.entries(map ?? {}))
      out[`${kind}:${label}`] = {
        planned: s.planned,
        answered: s.answered,
        settled: s.settled,
        rejected: s.rejected,
        errors: s.errors,
        dropped: s.dropped,
        perSecond: [...s.perSecond],
        histogram: s.histogram,
      };
  };
  put('type', result.byType);
  put('channel', result.byChannel);
  return out;
}
