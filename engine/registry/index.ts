/**
 * The registration and certification centres behind one store port (port.ts), with two
 * adapters: `memory` (Registry + journal, one process) and `postgres` (any number of nodes).
 */
export { Accounts, type SpendTally, yearOf } from './accounts.js';
export { type DurableLog, MemoryStore } from './memory-store.js';
export {
  type CoinStatus,
  isRefusal,
  type LedgerStore,
  type LifecycleCounts,
  type Reconciliation,
  type SettleDone,
  type SettleResult,
  type StoreKind,
  type StoreRefusal,
  type WalletHoldings,
} from './port.js';
export { Registry, type RegistryOptions } from './registry.js';
export { checkOfflineDay, isPayment, REJECT, RULES } from './rules.js';
export { recordSubjectKeyVerdict } from './subject-keys.js';
