/**
 * Schedule registry: one file per schedule type, named after its type string. The driver looks
 * a schedule up by `type` and never special-cases one.
 */
import { arrivalsIn, type RatePiece, timeAtArea } from '../pieces.js';
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

function piecesOfSchedule(spec: ScheduleSpec): RatePiece[] {
  return (REGISTRY[spec.type] as ScheduleType<ScheduleSpec>).pieces(spec);
}

/** Every problem with a schedule spec; empty when valid. */
export function validateSchedule(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null) return ['schedule must be an object'];
  const type = (spec as { type?: unknown }).type;
  if (typeof type !== 'string' || !(SCHEDULE_TYPES as readonly string[]).includes(type)) {
    return [`schedule.type must be one of ${SCHEDULE_TYPES.join(', ')}, got ${String(type)}`];
  }
  return (REGISTRY[type as ScheduleSpec['type']] as ScheduleType<ScheduleSpec>).validate(
    spec as ScheduleSpec,
  );
}

/**
 * Intended send times (ms from start) for at most `limit` ops: each piece sends its own
 * arrivals, the k-th where the piece's area from its start reaches k (so a constant rate r
 * sends at 0, 1/r, 2/r, ... and every stage of `steps` starts with a send).
 */
export function scheduleArrivals(spec: ScheduleSpec, limit: number): Float64Array {
  const out: number[] = [];
  for (const piece of piecesOfSchedule(spec)) {
    const n = arrivalsIn(piece.area);
    for (let k = 0; k < n && out.length < limit; k++) out.push(timeAtArea(piece, k));
  }
  return Float64Array.from(out);
}

/** Sends the whole schedule makes (what `scheduleArrivals` gives without a limit). */
export function scheduleArrivalCount(spec: ScheduleSpec): number {
  let n = 0;
  for (const piece of piecesOfSchedule(spec)) n += arrivalsIn(piece.area);
  return n;
}

/** Length of the schedule in ms. */
export function scheduleDurationMs(spec: ScheduleSpec): number {
  const pieces = piecesOfSchedule(spec);
  return pieces[pieces.length - 1]?.t1 ?? 0;
}
