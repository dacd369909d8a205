export { type EngineCounters, SettlementEngine, type SettlementTiming } from './engine.js';
export { type Outcome, OVERLOADED_QUEUE } from './outcome.js';
export type { SignatureStage } from './ports.js';
