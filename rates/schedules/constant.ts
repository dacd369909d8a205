/** `constant`: a fixed rate for a fixed time. */
import { piecesOf } from '../pieces.js';
import { checkDuration, checkRate, perMs, type ScheduleType } from './types.js';

export interface ConstantSchedule {
  readonly type: 'constant';
  /** Sends per second. */
  readonly rate: number;
  readonly durationMs: number;
}

export const constant: ScheduleType<ConstantSchedule> = {
  type: 'constant',
  validate(spec) {
    const errors: string[] = [];
    checkRate(spec.rate, 'schedule.rate', errors);
    checkDuration(spec.durationMs, 'schedule.durationMs', errors);
    if (spec.rate === 0) errors.push('schedule.rate must be > 0 for a constant schedule');
    return errors;
  },
  pieces: (spec) => piecesOf([[0, spec.durationMs, perMs(spec.rate), perMs(spec.rate)]]),
};
