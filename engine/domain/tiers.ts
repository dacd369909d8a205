import { CodedError } from './errors.js';
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
 * Default tiers: the 2020 terms of one operator bank (China Construction Bank's wallet terms,
 * Aug 2020; sources in scenarios/catalog/tiers.ts, with the other presets):
 * tier / balance / single payment / daily / annual, in yuan.
 */
/** The name the default table goes by (`--tiers operator-2020`). */
export const DEFAULT_TIERS_NAME = 'operator-2020';

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

/** A tier table that cannot be used: every problem, each with its path, under one stable code. */
export class TierTableError extends CodedError {
  readonly code = 'BAD_TIERS';
  readonly kind = 'input';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`unusable tier table:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const LIMITS = ['balance', 'single', 'daily', 'annual'] as const;
const TABLE_KEYS = ['1', '2', '3', '4', 'merchantBalance'];

/** A limit in yuan (whole fen, > 0) or null (unlimited); fen out, or a problem pushed. */
function limitFen(v: unknown, path: string, problems: string[]): number | null | undefined {
  if (v === null) return null;
  const fen = typeof v === 'number' ? Math.round(v * YUAN) : Number.NaN;
  if (
    typeof v !== 'number' ||
    !Number.isSafeInteger(fen) ||
    fen <= 0 ||
    Math.abs(v * YUAN - fen) > 1e-6
  ) {
    problems.push(`${path}: must be a positive number of yuan in whole fen, or null for no limit`);
    return undefined;
  }
  return fen;
}

/**
 * A tier table from JSON in yuan (`{"1": {"balance": 500000, "single": 50000, "daily": 100000,
 * "annual": 500000}, ..., "4": {...}, "merchantBalance": null}`), checked whole: every tier and
 * limit present, amounts in whole fen or null, a single payment no larger than the daily limit
 * and that no larger than the annual one. Throws TierTableError listing every problem.
 */
export function parseTierTable(input: unknown): TierTable {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TierTableError([
      'the table must be an object with tiers "1" to "4" and "merchantBalance"',
    ]);
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!TABLE_KEYS.includes(k))
      problems.push(`${k}: unknown key (allowed: ${TABLE_KEYS.join(', ')})`);
  const table: Record<string, unknown> = {};
  for (const tier of ['1', '2', '3', '4']) {
    const t = o[tier];
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      problems.push(`${tier}: missing; must be {balance, single, daily, annual}`);
      continue;
    }
    const row = t as Record<string, unknown>;
    for (const k of Object.keys(row))
      if (!(LIMITS as readonly string[]).includes(k))
        problems.push(`${tier}.${k}: unknown limit (allowed: ${LIMITS.join(', ')})`);
    const limits: Record<string, number | null | undefined> = {};
    for (const k of LIMITS) {
      if (!(k in row)) problems.push(`${tier}.${k}: missing (use null for no limit)`);
      else limits[k] = limitFen(row[k], `${tier}.${k}`, problems);
    }
    const [single, daily, annual] = [limits.single, limits.daily, limits.annual];
    if (typeof single === 'number' && typeof daily === 'number' && single > daily)
      problems.push(`${tier}.single: must not exceed the daily limit`);
    if (typeof daily === 'number' && typeof annual === 'number' && daily > annual)
      problems.push(`${tier}.daily: must not exceed the annual limit`);
    table[tier] = limits;
  }
  if (!('merchantBalance' in o)) problems.push('merchantBalance: missing (use null for no limit)');
  else table.merchantBalance = limitFen(o.merchantBalance, 'merchantBalance', problems);
  if (problems.length > 0) throw new TierTableError(problems);
  return table as unknown as TierTable;
}

/** The table in yuan, the form `parseTierTable` reads (for files, results and stats). */
export function tierTableYuan(table: TierTable): Record<string, unknown> {
  const yuan = (v: number | null) => (v === null ? null : v / YUAN);
  const out: Record<string, unknown> = {};
  for (const tier of [1, 2, 3, 4] as const) {
    const l = table[tier];
    out[tier] = {
      balance: yuan(l.balance),
      single: yuan(l.single),
      daily: yuan(l.daily),
      annual: yuan(l.annual),
    };
  }
  out.merchantBalance = yuan(table.merchantBalance);
  return out;
}
