/**
 * Schedule registry: one file per schedule type, named after its type string. The runner looks a
 * schedule up by `type` and never special-cases one.
 */
import { type ConstantSchedule, constant } from './constant.js';
import { type RampSchedule, ramp } from './ramp.js';
import { type StepsSchedule, steps } from './steps.js';
import type { ScheduleType } from './types.js';

export type { ConstantSchedule, RampSchedule, ScheduleType, StepsSchedule };

/** Any schedule override. */
export type ScheduleSpec = ConstantSchedule | RampSchedule | StepsSchedule;

const REGISTRY: {
  readonly [K in ScheduleSpec['type']]: ScheduleType<Extract<ScheduleSpec, { type: K }>>;
} = { constant, ramp, steps };

export const SCHEDULE_TYPES = Object.keys(REGISTRY) as ReadonlyArray<ScheduleSpec['type']>;

function lookup(spec: ScheduleSpec): ScheduleType<ScheduleSpec> {
  return REGISTRY[spec.type] as ScheduleType<ScheduleSpec>;
}

/** Every problem with a schedule spec; empty when valid. */
export function validateSchedule(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null) return ['schedule must be an object'];
  const type = (spec as { type?: unknown }).type;
  if (typeof type !== 'string' || !(SCHEDULE_TYPES as readonly string[]).includes(type)) {
    return [`schedule.type must be one of ${SCHEDULE_TYPES.join(', ')}, got ${String(type)}`];
  }
  return lookup(spec as ScheduleSpec).validate(spec as ScheduleSpec);
}

/** Intended send times (ms from start) for at most `limit` ops. */
export function scheduleArrivals(spec: ScheduleSpec, limit: number): Float64Array {
  return lookup(spec).arrivals(spec, limit);
}

export function scheduleDurationMs(spec: ScheduleSpec): number {
  return lookup(spec).durationMs(spec);
}
