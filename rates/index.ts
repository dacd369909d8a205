/**
 * Rate shapes, defined once: a rate over time as linear pieces (`pieces.ts`), and the two forms
 * the project writes them in, each turned into pieces and from them into send times:
 * - arrival curves (`curve.ts`): a scenario's relative rate over normalised time; n events at
 *   the midpoints of n equal shares of the area;
 * - schedules (`schedules/`): absolute sends per second over milliseconds (driver overrides,
 *   capacity steps); each piece sends at areas 0, 1, 2, ... from its start.
 * Pure; depends on nothing.
 */
export {
  type ArrivalCurve,
  curvePieces,
  curveShareBefore,
  eventTimes,
  type HourlyPoint,
  hourlyProfileCurve,
  uniformTimes,
  withQuietTail,
} from './curve.js';
export { perSecond } from './per-second.js';
export {
  areaBefore,
  arrivalsIn,
  piecesOf,
  type RatePiece,
  rateAt,
  timeAtArea,
  totalArea,
} from './pieces.js';
export {
  type ConstantSchedule,
  type RampSchedule,
  SCHEDULE_TYPES,
  type ScheduleSpec,
  type ScheduleType,
  type StepsSchedule,
  scheduleArrivalCount,
  scheduleArrivals,
  scheduleDurationMs,
  validateSchedule,
} from './schedules/index.js';
