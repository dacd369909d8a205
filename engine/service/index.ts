export {
  type CentralBankKeySource,
  insecureDevCentralBankKey,
  type ResolvedCentralBankKey,
  readCentralBankKeyFile,
  resolveCentralBankKey,
  storedKeyPath,
} from './central-bank-key.js';
export {
  ConfigError,
  checkEngineConfig,
  defaultEngineConfig,
  type EngineConfig,
  type EngineFaults,
  type StoreConfig,
} from './config.js';
export { BATCH_ITEM_BYTES, DEFAULT_HTTP_OPTIONS, type HttpOptions } from './http-options.js';
export { ENGINE_NODE_FLAGS, hasEngineNodeFlags } from './runtime.js';
export {
  type EngineService,
  type EngineStats,
  memoryStoreOf,
  openEngineService,
  type RecoveredRegistry,
  type Recovery,
  RecoveryError,
  recoverRegistry,
} from './service.js';
export type { StatsContract, StatsLatency } from './stats-contract.js';
