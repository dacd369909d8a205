/**
 * Door of engine/verify-pool: signature verification on worker threads with adaptive batching
 * and ordered delivery (docs/verify-pool.md).
 */
export {
  type VerdictCallback,
  VerifyPool,
  VerifyPoolError,
  type VerifyPoolErrorCode,
  type VerifyPoolIntervalHistograms,
  type VerifyPoolOptions,
  type VerifyPoolStats,
} from './pool.js';
export type { VerifyResult, VerifyTask, VerifyWorkerData } from './protocol.js';
