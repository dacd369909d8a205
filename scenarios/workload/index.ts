/**
 * Workload generation, the one public door: deterministic, pre-signed workloads for the
 * registered scenarios (scenarios/catalog), cached on disk.
 *
 *   const { workload } = await loadOrGenerateWorkload('xiongan-retail', { scale: 'small' });
 */

export {
  type ConfigIssue,
  type Scale,
  ScenarioConfigError,
  type ScenarioOptions,
} from '../model/index.js';
export {
  codeFingerprint,
  DEFAULT_CACHE_DIR,
  type LoadedWorkload,
  loadOrGenerateWorkload,
  type WorkloadCacheOptions,
  workloadCachePath,
} from './cache.js';
export {
  canonicalJson,
  GENERATOR_VERSION,
  type GenerateHooks,
  generateWorkload,
  type ProgressListener,
  resolve as resolveWorkloadScenario,
  workloadKey,
} from './generate.js';
export { CENTRAL_BANK_LABEL, fastKeysEnabled, workloadCentralBankPair } from './keys.js';
export { WorkloadGenerationError } from './measured.js';
export { createProgressBar, type ProgressBar } from './progress.js';
export {
  parseWorkload,
  parseWorkloadBytes,
  serializeWorkload,
  WORKLOAD_FILE_FORMAT,
  WorkloadFormatError,
  workloadChunks,
  workloadDigest,
} from './serialize.js';
export type { Expected, OpLabel, PlannedOps, Workload, WorkloadMeta } from './types.js';
export { OFFLINE_TRANSFER, OP_LABELS } from './types.js';
