/**
 * A schedule is a rate shape in absolute terms (sends per second over milliseconds) that
 * overrides a workload's own send times (generic no-op runs, capacity steps): op i of the
 * workload is sent at the schedule's i-th arrival, and ops beyond the last are not planned.
 * Each type only checks its spec and names its pieces; the arrivals come from the pieces
 * (index.ts), evenly spaced at the instantaneous rate, so every generator computes the same
 * times locally.
 */
import type { RatePiece } from '../pieces.js';

export interface ScheduleType<S extends { readonly type: string }> {
  readonly type: S['type'];
  /** Every problem with the spec (empty when valid), each naming its field. */
  validate(spec: S): string[];
  /** The spec's pieces: time in ms from the start, rates in sends per ms. */
  pieces(spec: S): RatePiece[];
}

export function checkRate(value: unknown, field: string, errors: string[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    errors.push(`${field} must be a finite rate >= 0 per second, got ${String(value)}`);
  }
}

export function checkDuration(value: unknown, field: string, errors: string[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    errors.push(`${field} must be a finite duration > 0 ms, got ${String(value)}`);
  }
}

/** Sends per ms of a rate given per second. */
export const perMs = (ratePerS: number): number => ratePerS / 1000;
