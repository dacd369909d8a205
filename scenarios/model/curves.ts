/**
 * Arrival-rate curves. Every curve kind becomes piecewise-linear segments over normalised time,
 * so one inversion serves them all: the k-th of n sends goes where the cumulative curve reaches
 * (k + 0.5) / n of its total. Counts per interval then match the curve's integral to within one,
 * and the total is exact by construction.
 */
import type { ArrivalCurve } from './types.js';

/** A linear piece of a curve: rate goes from r0 at u0 to r1 at u1. */
export interface CurvePiece {
  readonly u0: number;
  readonly u1: number;
  readonly r0: number;
  readonly r1: number;
  /** Area before this segment. */
  readonly before: number;
  readonly area: number;
}

/** The curve as linear segments with cumulative areas. Assumes a validated curve. */
export function segmentsOf(curve: ArrivalCurve): CurvePiece[] {
  const pieces: [number, number, number, number][] = [];
  switch (curve.kind) {
    case 'constant':
      pieces.push([0, 1, 1, 1]);
      break;
    case 'ramp':
      pieces.push([0, 1, curve.from, curve.to]);
      break;
    case 'steps': {
      let u = 0;
      for (const s of curve.steps) {
        if (s.until > u) pieces.push([u, s.until, s.rate, s.rate]);
        u = s.until;
      }
      break;
    }
    case 'curve':
      for (let i = 1; i < curve.points.length; i++) {
        const a = curve.points[i - 1]!;
        const b = curve.points[i]!;
        // A repeated t is a jump: it has no width, so no area.
        if (b.t > a.t) pieces.push([a.t, b.t, a.rate, b.rate]);
      }
      break;
  }
  const out: CurvePiece[] = [];
  let before = 0;
  for (const [u0, u1, r0, r1] of pieces) {
    const area = ((r0 + r1) / 2) * (u1 - u0);
    out.push({ u0, u1, r0, r1, before, area });
    before += area;
  }
  return out;
}

/** Total area under the curve over [0, 1]. */
export function curveArea(segments: readonly CurvePiece[]): number {
  const last = segments[segments.length - 1];
  return last ? last.before + last.area : 0;
}

/** Relative rate at u (right-continuous at jumps). */
export function rateAt(segments: readonly CurvePiece[], u: number): number {
  for (const s of segments) {
    if (u < s.u1 || s === segments[segments.length - 1]) {
      const w = s.u1 - s.u0;
      return w === 0 ? s.r0 : s.r0 + ((s.r1 - s.r0) * (u - s.u0)) / w;
    }
  }
  return 0;
}

/** Position inside a segment where the area from u0 reaches `a` (0 <= a <= area). */
function solveInSegment(s: CurvePiece, a: number): number {
  const w = s.u1 - s.u0;
  const slope = (s.r1 - s.r0) / w;
  if (Math.abs(slope) < 1e-12 * Math.max(1, Math.abs(s.r0))) {
    return s.r0 > 0 ? s.u0 + a / s.r0 : s.u0;
  }
  // r0 x + slope x^2 / 2 = a  ->  x = (-r0 + sqrt(r0^2 + 2 slope a)) / slope, written stably.
  const disc = Math.max(0, s.r0 * s.r0 + 2 * slope * a);
  const x = (2 * a) / (s.r0 + Math.sqrt(disc));
  return s.u0 + Math.min(w, Math.max(0, Number.isFinite(x) ? x : 0));
}

/**
 * Normalised times of `count` events following the curve: event k sits where the cumulative
 * area reaches (k + 0.5) / count of the total. Non-decreasing, inside (0, 1).
 */
export function eventTimes(curve: ArrivalCurve, count: number): Float64Array {
  const segments = segmentsOf(curve);
  const total = curveArea(segments);
  const out = new Float64Array(count);
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = ((k + 0.5) / count) * total;
    while (j < segments.length - 1 && segments[j]!.before + segments[j]!.area < target) j++;
    const s = segments[j]!;
    out[k] = solveInSegment(s, Math.min(s.area, Math.max(0, target - s.before)));
  }
  return out;
}

/** Evenly spread times over [from, to]: a uniform accrual (e.g. offline payments made). */
export function uniformTimes(count: number, from: number, to: number): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = from + ((k + 0.5) / count) * (to - from);
  return out;
}

/** Counts per whole second of times in ms over a phase of `durationMs`. */
export function perSecond(atMs: ArrayLike<number>, durationMs: number): number[] {
  const out = new Array<number>(Math.max(1, Math.ceil(durationMs / 1000))).fill(0);
  for (let i = 0; i < atMs.length; i++) {
    const s = Math.min(out.length - 1, Math.floor(atMs[i]! / 1000));
    out[s]!++;
  }
  return out;
}

/** An hourly profile point: local hour in [0, 24] and relative rate. */
export type HourlyPoint = readonly [hour: number, rate: number];

function profileRate(profile: readonly HourlyPoint[], hour: number): number {
  for (let i = 1; i < profile.length; i++) {
    const [h0, r0] = profile[i - 1]!;
    const [h1, r1] = profile[i]!;
    if (hour <= h1) return h1 === h0 ? r1 : r0 + ((r1 - r0) * (hour - h0)) / (h1 - h0);
  }
  return profile[profile.length - 1]![1];
}

/**
 * A `curve` built from a daily profile (local hours 0..24, first at 0, last at 24) repeated
 * over a window that starts at local hour `startHour` and lasts `spanHours`, each day scaled by
 * its factor (day 0 = the start day; the last factor repeats). Midnight may jump between days.
 */
export function hourlyProfileCurve(
  startHour: number,
  spanHours: number,
  profile: readonly HourlyPoint[],
  dayFactors: readonly number[] = [1],
): ArrivalCurve {
  const factor = (d: number): number => dayFactors[Math.min(d, dayFactors.length - 1)] ?? 1;
  const end = startHour + spanHours;
  const at = (abs: number): number => Math.min(1, Math.max(0, (abs - startHour) / spanHours));
  const firstDay = Math.floor(startHour / 24);
  const points: { t: number; rate: number }[] = [
    { t: 0, rate: profileRate(profile, startHour - firstDay * 24) * factor(0) },
  ];
  for (let d = firstDay; d * 24 < end; d++) {
    for (const [h, r] of profile) {
      const abs = d * 24 + h;
      if (abs > startHour && abs < end) points.push({ t: at(abs), rate: r * factor(d - firstDay) });
    }
  }
  const lastDay = Math.ceil(end / 24) - 1;
  const endHour = end - lastDay * 24;
  points.push({ t: 1, rate: profileRate(profile, endHour) * factor(lastDay - firstDay) });
  return { kind: 'curve', points };
}

/**
 * `curve` squeezed into [0, until] of the run, followed by a quiet tail at rate 0: the time
 * after a validity window in which only the settling ops (e.g. packet recovery) run.
 */
export function withQuietTail(curve: ArrivalCurve, until: number): ArrivalCurve {
  const points: { t: number; rate: number }[] = [];
  for (const s of segmentsOf(curve)) {
    if (points.length === 0) points.push({ t: s.u0 * until, rate: s.r0 });
    else if (
      points[points.length - 1]!.t !== s.u0 * until ||
      points[points.length - 1]!.rate !== s.r0
    )
      points.push({ t: s.u0 * until, rate: s.r0 });
    points.push({ t: s.u1 * until, rate: s.r1 });
  }
  points.push({ t: until, rate: 0 }, { t: 1, rate: 0 });
  return { kind: 'curve', points };
}

/** Share of the curve's area before normalised time `u` (0 at 0, 1 at 1). */
export function curveShareBefore(curve: ArrivalCurve, u: number): number {
  const segments = segmentsOf(curve);
  const total = curveArea(segments);
  let area = 0;
  for (const s of segments) {
    if (u <= s.u0) break;
    const end = Math.min(u, s.u1);
    const rEnd = s.u1 > s.u0 ? s.r0 + ((s.r1 - s.r0) * (end - s.u0)) / (s.u1 - s.u0) : s.r0;
    area += ((s.r0 + rEnd) / 2) * (end - s.u0);
  }
  return total > 0 ? area / total : 0;
}
