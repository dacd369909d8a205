import type { WalletKind, WalletTier } from './types.js';

/** Limits in fen. `null` means unlimited. */
export interface TierLimits {
  readonly balance: number | null;
  readonly single: number | null;
  readonly daily: number | null;
  readonly annual: number | null;
}

export type TierTable = Readonly<Record<WalletTier, TierLimits>> & {
  /** Merchant wallets: payment limits of their tier, but balances sweep to the bank daily. */
  readonly merchantBalance: number | null;
};

const YUAN = 100;

/**
 * Default tiers: the 2020 terms of one operator bank (see docs/scenarios.md for the source):
 * tier / balance / single payment / daily / annual, in yuan.
 */
export const DEFAULT_TIERS: TierTable = {
  1: {
    balance: 500_000 * YUAN,
    single: 50_000 * YUAN,
    daily: 100_000 * YUAN,
    annual: 500_000 * YUAN,
  },
  2: { balance: 10_000 * YUAN, single: 5_000 * YUAN, daily: 10_000 * YUAN, annual: 300_000 * YUAN },
  3: { balance: 2_000 * YUAN, single: 2_000 * YUAN, daily: 2_000 * YUAN, annual: 50_000 * YUAN },
  4: { balance: 1_000 * YUAN, single: 500 * YUAN, daily: 1_000 * YUAN, annual: 10_000 * YUAN },
  merchantBalance: null,
};

export function balanceLimit(table: TierTable, tier: WalletTier, kind: WalletKind): number | null {
  return kind === 'merchant' ? table.merchantBalance : table[tier].balance;
}
