/** `ramp`: the rate moves linearly from `fromRate` to `toRate` over `durationMs`. */
import { piecesOf } from '../pieces.js';
import { checkDuration, checkRate, perMs, type ScheduleType } from './types.js';

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
  pieces: (spec) => piecesOf([[0, spec.durationMs, perMs(spec.fromRate), perMs(spec.toRate)]]),
};
