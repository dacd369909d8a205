/**
 * A schedule turns a rate curve into intended send times. The workload's own `at` already encodes
 * the scenario's curve; a schedule overrides it (generic no-op runs, capacity sweeps): op i of
 * the workload is sent at the schedule's i-th arrival, and ops beyond the last arrival are not
 * planned. Arrivals are evenly spaced at the instantaneous rate (no randomness), so every
 * generator computes the same times locally.
 */
export interface ScheduleType<S extends { readonly type: string }> {
  readonly type: S['type'];
  /** Every problem with the spec (empty when valid), each naming its field. */
  validate(spec: S): string[];
  /** Intended send times in ms from the start, ascending, at most `limit` of them. */
  arrivals(spec: S, limit: number): Float64Array;
  /** Length of the schedule in ms. */
  durationMs(spec: S): number;
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

/** Collects arrivals from a generator into a right-sized array. */
export function collect(limit: number, next: (k: number) => number | undefined): Float64Array {
  const out: number[] = [];
  for (let k = 0; k < limit; k++) {
    const t = next(k);
    if (t === undefined) break;
    out.push(t);
  }
  return Float64Array.from(out);
}
