/**
 * Per-second series: the counters and histograms every load generator keeps for each second of
 * the measured phase, and the accumulator that adds them up exactly (counts summed, histograms
 * `add()`ed, percentiles computed only from the sums; never averaged).
 */
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentiles,
} from './histogram.js';
import type { Percentiles, SecondSample } from './schema.js';

/**
 * The histograms kept per second; also the tags of `latency.hlog`. All are µs.
 * - corrected: answer time minus intended send time (wrk2's rule), by answer second;
 * - uncorrected: answer time minus actual send time (service time), by answer second;
 * - sendLag: actual send minus the time the op became sendable, by send second;
 * - dependencyWait: how long a due op waited for its dependency's answer, by release second.
 */
export const HISTOGRAM_KINDS = ['corrected', 'uncorrected', 'sendLag', 'dependencyWait'] as const;
export type HistogramKind = (typeof HISTOGRAM_KINDS)[number];

/** Counters of one second (see `SecondSample` for which clock bins each one). */
export interface SecondCounters {
  offered: number;
  sent: number;
  achieved: number;
  settled: number;
  rejectedByCode: Record<string, number>;
  dropped: number;
  errors: number;
  /** Answers (settled or rejected) to payments made offline: what drains the offline backlog. */
  synced: number;
}

export function emptyCounters(): SecondCounters {
  return {
    offered: 0,
    sent: 0,
    achieved: 0,
    settled: 0,
    rejectedByCode: {},
    dropped: 0,
    errors: 0,
    synced: 0,
  };
}

export function addCounters(into: SecondCounters, from: Readonly<SecondCounters>): void {
  into.offered += from.offered;
  into.sent += from.sent;
  into.achieved += from.achieved;
  into.settled += from.settled;
  into.dropped += from.dropped;
  into.errors += from.errors;
  into.synced += from.synced;
  for (const [code, n] of Object.entries(from.rejectedByCode)) {
    into.rejectedByCode[code] = (into.rejectedByCode[code] ?? 0) + n;
  }
}

export function isEmptyCounters(c: Readonly<SecondCounters>): boolean {
  return (
    c.offered === 0 &&
    c.sent === 0 &&
    c.achieved === 0 &&
    c.dropped === 0 &&
    c.errors === 0 &&
    c.synced === 0 &&
    Object.keys(c.rejectedByCode).length === 0
  );
}

/** One second's histograms, encoded (compressed base64), keyed by kind. */
export interface IntervalHistograms {
  /** Seconds since the start of the measured phase. */
  readonly t: number;
  readonly histograms: Readonly<Record<HistogramKind, string>>;
}

/**
 * Every histogram of a run, one interval per second. Encoded so that a long run costs little
 * memory and so the exact data can cross processes and files unchanged.
 */
export interface RunHistograms {
  /** The agreed start of the measured phase, epoch ms (the hlog's StartTime/BaseTime). */
  readonly startAtMs: number;
  readonly intervals: readonly IntervalHistograms[];
}

export type EngineSample = NonNullable<SecondSample['engine']>;

interface Slot {
  readonly counters: SecondCounters;
  /** Live while the second may still receive data; an encoded string once sealed. */
  readonly hist: Record<HistogramKind, Histogram | string | undefined>;
  latency: Percentiles | undefined;
  uncorrected: Percentiles | undefined;
  sendLagP99: number | undefined;
}

/** What an accumulator hands back once all data is in. */
export interface Accumulated {
  /** Counters and percentiles per second, from 0 to the last second with any data. */
  readonly seconds: ReadonlyArray<{
    readonly t: number;
    readonly counters: Readonly<SecondCounters>;
    readonly latency: Percentiles;
    readonly uncorrected: Percentiles;
    /** Send lag p99 (ms) of the sends of this second; absent when nothing was sent. */
    readonly sendLagP99?: number;
  }>;
  readonly histograms: RunHistograms;
  /** The whole run: the sum of every second. */
  readonly overall: Readonly<Record<HistogramKind, Histogram>>;
}

/**
 * Adds per-second data from any number of sources (load-generator deltas, shard result files).
 * Seconds that can no longer change are sealed (encoded, live histograms released) so memory
 * stays flat over long runs; data arriving late for a sealed second is still added exactly.
 */
export class SecondsAccumulator {
  readonly #slots = new Map<number, Slot>();
  readonly #overall: Record<HistogramKind, Histogram>;

  constructor() {
    this.#overall = {
      corrected: createHistogram(),
      uncorrected: createHistogram(),
      sendLag: createHistogram(),
      dependencyWait: createHistogram(),
    };
  }

  addCounters(t: number, counters: Readonly<SecondCounters>): void {
    addCounters(this.#slot(t).counters, counters);
  }

  /** Adds a histogram (decoded or encoded) of one kind for second `t`. */
  addHistogram(t: number, kind: HistogramKind, h: Histogram | string): void {
    const incoming = typeof h === 'string' ? decodeHistogram(h) : h;
    if (incoming.totalCount === 0) return;
    const slot = this.#slot(t);
    let live = slot.hist[kind];
    if (live === undefined) {
      live = createHistogram();
    } else if (typeof live === 'string') {
      live = decodeHistogram(live);
    }
    live.add(incoming);
    slot.hist[kind] = live;
    if (kind === 'corrected') slot.latency = undefined;
    if (kind === 'uncorrected') slot.uncorrected = undefined;
    if (kind === 'sendLag') slot.sendLagP99 = undefined;
    this.#overall[kind].add(incoming);
  }

  /** The counters of second `t` so far (undefined when nothing was recorded for it). */
  peekCounters(t: number): Readonly<SecondCounters> | undefined {
    return this.#slots.get(t)?.counters;
  }

  /** Percentiles (ms) of everything added so far of one kind: the measured phase so far. */
  overallPercentiles(kind: HistogramKind): Percentiles {
    return percentiles(this.#overall[kind]);
  }

  /** Seals every second before `t`: encodes its histograms and frees the live ones. */
  seal(beforeT: number): void {
    for (const [t, slot] of this.#slots) {
      if (t < beforeT) sealSlot(slot);
    }
  }

  finish(startAtMs: number): Accumulated {
    const last = this.#slots.size === 0 ? -1 : Math.max(...this.#slots.keys());
    const seconds: Array<Accumulated['seconds'][number]> = [];
    const intervals: IntervalHistograms[] = [];
    for (let t = 0; t <= last; t++) {
      const slot = this.#slot(t);
      sealSlot(slot);
      seconds.push({
        t,
        counters: slot.counters,
        latency: slot.latency ?? EMPTY_PERCENTILES,
        uncorrected: slot.uncorrected ?? EMPTY_PERCENTILES,
        ...(slot.sendLagP99 === undefined ? {} : { sendLagP99: slot.sendLagP99 }),
      });
      intervals.push({ t, histograms: encodedAll(slot) });
    }
    return { seconds, histograms: { startAtMs, intervals }, overall: this.#overall };
  }

  #slot(t: number): Slot {
    if (!Number.isInteger(t) || t < 0) throw new RangeError(`second index must be >= 0, got ${t}`);
    let slot = this.#slots.get(t);
    if (slot === undefined) {
      slot = {
        counters: emptyCounters(),
        hist: {
          corrected: undefined,
          uncorrected: undefined,
          sendLag: undefined,
          dependencyWait: undefined,
        },
        latency: undefined,
        uncorrected: undefined,
        sendLagP99: undefined,
      };
      this.#slots.set(t, slot);
    }
    return slot;
  }
}

const EMPTY_PERCENTILES = percentiles(createHistogram());
let emptyEncoded: string | undefined;

function sealSlot(slot: Slot): void {
  for (const kind of HISTOGRAM_KINDS) {
    const h = slot.hist[kind];
    if (h === undefined || typeof h === 'string') continue;
    if (kind === 'corrected') slot.latency = percentiles(h);
    if (kind === 'uncorrected') slot.uncorrected = percentiles(h);
    if (kind === 'sendLag' && h.totalCount > 0) slot.sendLagP99 = percentiles(h).p99;
    slot.hist[kind] = encodeHistogram(h);
  }
}

function encodedAll(slot: Slot): Record<HistogramKind, string> {
  emptyEncoded ??= encodeHistogram(createHistogram());
  const out = {} as Record<HistogramKind, string>;
  for (const kind of HISTOGRAM_KINDS) {
    const h = slot.hist[kind];
    out[kind] = typeof h === 'string' ? h : emptyEncoded;
  }
  return out;
}
