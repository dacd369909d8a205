export {
  ConfigError,
  checkEngineConfig,
  defaultCentralBankKey,
  defaultEngineConfig,
  type EngineConfig,
  type EngineFaults,
} from './config.js';
export {
  type EngineService,
  type EngineStats,
  openEngineService,
  type RecoveredRegistry,
  type Recovery,
  RecoveryError,
  recoverRegistry,
} from './service.js';
