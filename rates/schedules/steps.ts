/** `steps`: a sequence of constant-rate stages (a rate of 0 is a pause). */
import { piecesOf } from '../pieces.js';
import { checkDuration, checkRate, perMs, type ScheduleType } from './types.js';

export interface StepsSchedule {
  readonly type: 'steps';
  readonly steps: ReadonlyArray<{ readonly rate: number; readonly durationMs: number }>;
}

export const steps: ScheduleType<StepsSchedule> = {
  type: 'steps',
  validate(spec) {
    const errors: string[] = [];
    if (!Array.isArray(spec.steps) || spec.steps.length === 0) {
      errors.push('schedule.steps must be a non-empty array');
      return errors;
    }
    spec.steps.forEach((step, i) => {
      checkRate(step.rate, `schedule.steps[${i}].rate`, errors);
      checkDuration(step.durationMs, `schedule.steps[${i}].durationMs`, errors);
    });
    if (spec.steps.every((s) => s.rate === 0)) errors.push('schedule.steps are all rate 0');
    return errors;
  },
  pieces(spec) {
    let t = 0;
    return piecesOf(
      spec.steps.map((s) => {
        const t0 = t;
        t += s.durationMs;
        return [t0, t, perMs(s.rate), perMs(s.rate)] as const;
      }),
    );
  },
};
