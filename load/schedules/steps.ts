/** `steps`: a sequence of constant-rate stages (a rate of 0 is a pause). */
import { checkDuration, checkRate, type ScheduleType } from './types.js';

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
  arrivals(spec, limit) {
    const out: number[] = [];
    let offset = 0;
    for (const step of spec.steps) {
      if (step.rate > 0) {
        const interval = 1000 / step.rate;
        for (let k = 0; out.length < limit; k++) {
          const t = k * interval;
          if (t >= step.durationMs) break;
          out.push(offset + t);
        }
      }
      offset += step.durationMs;
    }
    return Float64Array.from(out);
  },
  durationMs: (spec) => spec.steps.reduce((sum, s) => sum + s.durationMs, 0),
};
