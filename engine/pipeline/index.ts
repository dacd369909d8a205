export { type EngineCounters, SettlementEngine } from './engine.js';
export { type Outcome, OVERLOADED_QUEUE } from './outcome.js';
export type { SignatureStage } from './ports.js';
