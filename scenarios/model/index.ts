/**
 * The scenario model: types, validation and resolution (pure data, no I/O). Arrival curves, the
 * shape of a scenario's load, are rate shapes (rates/).
 */
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
