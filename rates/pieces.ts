/**
 * The one representation of a rate that changes over time: linear pieces, each with the area
 * (the number of arrivals, in the shape's units) under every piece before it. Every rate shape
 * of the project becomes pieces, so one integral and one inversion serve them all.
 */

/** A linear piece: the rate goes from `r0` at `t0` to `r1` at `t1`. */
export interface RatePiece {
  readonly t0: number;
  readonly t1: number;
  readonly r0: number;
  readonly r1: number;
  /** Area of every piece before this one. */
  readonly before: number;
  readonly area: number;
}

/** Pieces from `[t0, t1, r0, r1]` tuples in time order (a piece of no width has no area). */
export function piecesOf(spans: Iterable<readonly [number, number, number, number]>): RatePiece[] {
  const out: RatePiece[] = [];
  let before = 0;
  for (const [t0, t1, r0, r1] of spans) {
    const area = ((r0 + r1) / 2) * (t1 - t0);
    out.push({ t0, t1, r0, r1, before, area });
    before += area;
  }
  return out;
}

/** Total area under the pieces. */
export function totalArea(pieces: readonly RatePiece[]): number {
  const last = pieces[pieces.length - 1];
  return last ? last.before + last.area : 0;
}

/** Rate at `t` (right-continuous at jumps; the last piece's end rate past the end). */
export function rateAt(pieces: readonly RatePiece[], t: number): number {
  for (const s of pieces) {
    if (t < s.t1 || s === pieces[pieces.length - 1]) {
      const w = s.t1 - s.t0;
      return w === 0 ? s.r0 : s.r0 + ((s.r1 - s.r0) * (t - s.t0)) / w;
    }
  }
  return 0;
}

/** Area under the pieces before time `t`. */
export function areaBefore(pieces: readonly RatePiece[], t: number): number {
  let area = 0;
  for (const s of pieces) {
    if (t <= s.t0) break;
    const end = Math.min(t, s.t1);
    const rEnd = s.t1 > s.t0 ? s.r0 + ((s.r1 - s.r0) * (end - s.t0)) / (s.t1 - s.t0) : s.r0;
    area += ((s.r0 + rEnd) / 2) * (end - s.t0);
  }
  return area;
}

/** Time inside `s` where the area from its start reaches `a` (0 <= a <= s.area). */
export function timeAtArea(s: RatePiece, a: number): number {
  const w = s.t1 - s.t0;
  const slope = (s.r1 - s.r0) / w;
  if (Math.abs(slope) < 1e-12 * Math.max(1, Math.abs(s.r0))) {
    return s.r0 > 0 ? s.t0 + a / s.r0 : s.t0;
  }
  // r0 x + slope x^2 / 2 = a  ->  x = (-r0 + sqrt(r0^2 + 2 slope a)) / slope, written stably.
  const disc = Math.max(0, s.r0 * s.r0 + 2 * slope * a);
  const x = (2 * a) / (s.r0 + Math.sqrt(disc));
  return s.t0 + Math.min(w, Math.max(0, Number.isFinite(x) ? x : 0));
}

/**
 * Arrivals of a piece that counts its own from its start (at areas 0, 1, 2, ...): ⌈area⌉, where
 * an area a rounding error above a whole number counts as that number.
 */
export function arrivalsIn(area: number): number {
  return Math.max(0, Math.ceil(area - 1e-9 * Math.max(1, area)));
}
