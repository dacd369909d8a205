/**
 * Placing a shard's start without synchronized clocks (Cristian's method). The coordinator
 * answers each beat with its clock reading and, once released, the start as "in d ms". The
 * shard reads its own clock when the beat leaves (s) and times the round trip (r); the answer
 * was written between s and s + r on the shard's clock, so the start falls at s + r/2 + d on
 * the shard's clock, within +-r/2 (plus 1 ms: both clocks are read in whole milliseconds).
 * A start is placed only by an exchange whose round trip is within the run's bound. The same
 * exchange gives the clock offset (recorded, never used to start).
 */

/** One beat exchange as the shard saw it. */
export interface ClockSample {
  /** The shard's clock when the beat left, epoch ms. */
  readonly sentAtMs: number;
  /** Round trip, ms (monotonic clock). */
  readonly rttMs: number;
  /** The coordinator's clock in its answer, epoch ms. */
  readonly coordinatorNowMs: number;
  /** Once released: the start, ms after the coordinator's `now`. */
  readonly startInMs?: number;
}

/** Resolution of the two wall clocks read (whole milliseconds). */
export const CLOCK_RESOLUTION_MS = 1;

/** The shard's clock minus the coordinator's, ms (within +-rtt/2). */
export function clockOffsetOf(sample: ClockSample): number {
  return sample.sentAtMs + sample.rttMs / 2 - sample.coordinatorNowMs;
}

/** The sample with the shortest round trip (the tightest bound). */
export function quickest<T extends ClockSample>(samples: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const s of samples) if (best === undefined || s.rttMs < best.rttMs) best = s;
  return best;
}

/** The start on the shard's clock (epoch ms) and how far from the coordinator's instant it may be. */
export function placeStart(sample: ClockSample & { readonly startInMs: number }): {
  readonly startAtMs: number;
  readonly boundMs: number;
} {
  return {
    startAtMs: sample.sentAtMs + sample.rttMs / 2 + sample.startInMs,
    boundMs: sample.rttMs / 2 + CLOCK_RESOLUTION_MS,
  };
}

/** Bound on max minus min start over shards: the two largest bounds (errors of opposite sign). */
export function spreadBound(bounds: readonly number[]): number {
  if (bounds.length < 2) return 0;
  const sorted = [...bounds].sort((a, b) => b - a);
  return sorted[0]! + sorted[1]!;
}
