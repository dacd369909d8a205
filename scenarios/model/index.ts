/** The scenario model: types, arrival curves, validation and resolution (pure data, no I/O). */
export {
  type CurvePiece,
  curveArea,
  curveShareBefore,
  eventTimes,
  type HourlyPoint,
  hourlyProfileCurve,
  perSecond,
  rateAt,
  segmentsOf,
  uniformTimes,
  withQuietTail,
} from './curves.js';
export {
  type Fact,
  formatSource,
  isSourced,
  type ModelledFact,
  type Source,
  type SourcedFact,
  sourcesOf,
} from './facts.js';
export { normaliseSplit, resolveScenario, startLocalMs } from './resolve.js';
export * from './types.js';
export { validateDefinition, validateOptions, validateSpec } from './validate.js';
export { figurePaths, validateFacts } from './validate-facts.js';
