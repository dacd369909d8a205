/** `ramp`: the rate moves linearly from `fromRate` to `toRate` over `durationMs`. */
import { checkDuration, checkRate, collect, type ScheduleType } from './types.js';

export interface RampSchedule {
  readonly type: 'ramp';
  readonly fromRate: number;
  readonly toRate: number;
  readonly durationMs: number;
}

export const ramp: ScheduleType<RampSchedule> = {
  type: 'ramp',
  validate(spec) {
    const errors: string[] = [];
    checkRate(spec.fromRate, 'schedule.fromRate', errors);
    checkRate(spec.toRate, 'schedule.toRate', errors);
    checkDuration(spec.durationMs, 'schedule.durationMs', errors);
    if (spec.fromRate === 0 && spec.toRate === 0) {
      errors.push('schedule.fromRate and schedule.toRate cannot both be 0');
    }
    return errors;
  },
  arrivals(spec, limit) {
    // Cumulative arrivals N(t) = a·t + b·t²/2 (t in ms); arrival k is at N(t) = k.
    const a = spec.fromRate / 1000;
    const b = (spec.toRate - spec.fromRate) / (1000 * spec.durationMs);
    return collect(limit, (k) => {
      let t: number;
      if (Math.abs(b) < 1e-15) {
        t = k / a;
      } else {
        const disc = a * a + 2 * b * k;
        if (disc < 0) return undefined; // a ramp down to zero ends before the duration
        t = (-a + Math.sqrt(disc)) / b;
      }
      return t < spec.durationMs ? t : undefined;
    });
  },
  durationMs: (spec) => spec.durationMs,
};
