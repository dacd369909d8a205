export { Accounts, type SpendTally, yearOf } from './accounts.js';
export {
  type CoinStatus,
  type LifecycleCounts,
  type Reconciliation,
  Registry,
  type RegistryOptions,
} from './registry.js';
