/**
 * Arrival curves: the shape of a scenario's offered load over normalised time u in [0, 1], in
 * relative rates (only the shape matters: a workload scales it to its op count). n events sit
 * where the cumulative curve reaches (k + 0.5) / n of its area, so counts per interval match
 * the curve's integral to within one and the total is exact by construction.
 */
import { areaBefore, piecesOf, type RatePiece, timeAtArea, totalArea } from './pieces.js';

/** Relative arrival rate over normalised time. */
export type ArrivalCurve =
  | { readonly kind: 'constant' }
  /** Linear from `from` at u=0 to `to` at u=1. */
  | { readonly kind: 'ramp'; readonly from: number; readonly to: number }
  /** Piecewise constant: each step holds `rate` until `until`; the last `until` is 1. */
  | {
      readonly kind: 'steps';
      readonly steps: readonly { readonly until: number; readonly rate: number }[];
    }
  /** Piecewise linear through points; the first `t` is 0, the last is 1, `t` non-decreasing. */
  | {
      readonly kind: 'curve';
      readonly points: readonly { readonly t: number; readonly rate: number }[];
    };

/** The curve's pieces over [0, 1]. Assumes a validated curve. */
export function curvePieces(curve: ArrivalCurve): RatePiece[] {
  const spans: [number, number, number, number][] = [];
  switch (curve.kind) {
    case 'constant':
      spans.push([0, 1, 1, 1]);
      break;
    case 'ramp':
      spans.push([0, 1, curve.from, curve.to]);
      break;
    case 'steps': {
      let u = 0;
      for (const s of curve.steps) {
        if (s.until > u) spans.push([u, s.until, s.rate, s.rate]);
        u = s.until;
      }
      break;
    }
    case 'curve':
      for (let i = 1; i < curve.points.length; i++) {
        const a = curve.points[i - 1]!;
        const b = curve.points[i]!;
        // A repeated t is a jump: it has no width, so no area.
        if (b.t > a.t) spans.push([a.t, b.t, a.rate, b.rate]);
      }
      break;
  }
  return piecesOf(spans);
}

/**
 * Normalised times of `count` events following the curve: event k sits where the cumulative
 * area reaches (k + 0.5) / count of the total. Non-decreasing, inside (0, 1).
 */
export function eventTimes(curve: ArrivalCurve, count: number): Float64Array {
  const pieces = curvePieces(curve);
  const total = totalArea(pieces);
  const out = new Float64Array(count);
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = ((k + 0.5) / count) * total;
    while (j < pieces.length - 1 && pieces[j]!.before + pieces[j]!.area < target) j++;
    const s = pieces[j]!;
    out[k] = timeAtArea(s, Math.min(s.area, Math.max(0, target - s.before)));
  }
  return out;
}

/** Evenly spread times over [from, to]: a uniform accrual (e.g. offline payments made). */
export function uniformTimes(count: number, from: number, to: number): Float64Array {
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = from + ((k + 0.5) / count) * (to - from);
  return out;
}

/** Share of the curve's area before normalised time `u` (0 at 0, 1 at 1). */
export function curveShareBefore(curve: ArrivalCurve, u: number): number {
  const pieces = curvePieces(curve);
  const total = totalArea(pieces);
  return total > 0 ? areaBefore(pieces, u) / total : 0;
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
  for (const s of curvePieces(curve)) {
    if (points.length === 0) points.push({ t: s.t0 * until, rate: s.r0 });
    else if (
      points[points.length - 1]!.t !== s.t0 * until ||
      points[points.length - 1]!.rate !== s.r0
    )
      points.push({ t: s.t0 * until, rate: s.r0 });
    points.push({ t: s.t1 * until, rate: s.r1 });
  }
  points.push({ t: until, rate: 0 }, { t: 1, rate: 0 });
  return { kind: 'curve', points };
}
