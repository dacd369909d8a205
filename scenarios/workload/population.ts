/**
 * The population: every wallet of a scenario at one scale, with its key, tier, kind, bank and
 * planned genesis coins. Pure function of (spec, scale, seed).
 */

import type { SuiteName } from '../../engine/crypto/index.js';
import {
  balanceLimit,
  type KeyPair,
  type TierTable,
  type WalletKind,
  type WalletTier,
} from '../../engine/domain/index.js';
import type { GroupSpec, Scale, ScenarioSpec } from '../model/index.js';
import { workloadKeyPair } from './keys.js';
import { type Rng, WeightedPicker } from './rng.js';

/** Workloads count fen; scenario data counts yuan. */
export const FEN_PER_YUAN = 100;

/** One wallet of the population. */
export interface Wallet {
  /** Position in the population (genesis opens them in this order). */
  readonly index: number;
  readonly group: number;
  /** Position inside its group: rank 0 is the most popular payee under Zipf. */
  readonly member: number;
  readonly pair: KeyPair;
  readonly tier: WalletTier;
  readonly kind: WalletKind;
  readonly bank: number;
  /** Balance limit in fen; Infinity when uncapped (merchants). */
  readonly cap: number;
  /** Genesis coin values (fen), not counting the reserve coin. */
  readonly funding: number[];
  /** Value of a reserve coin (fen) held for TIER_LIMIT ops, or 0. Never spent by a valid op. */
  reserve: number;
  /** Measured-phase lane, or -1 for wallets that never pay. */
  lane: number;
  /**
   * When a claimed wallet opens and receives its funding (normalised time), NaN for a wallet
   * opened and funded in genesis (scenarios/workload/two-tier-plan.ts sets it).
   */
  claimAt: number;
  /** False for a claimed group's member without funding: it never opens. */
  opens: boolean;
}

/** A population group: its members are wallets[first .. first + count). */
export interface Group {
  readonly name: string;
  readonly spec: GroupSpec;
  readonly first: number;
  readonly count: number;
}

/** Every wallet and bank of a scenario at one scale. */
export interface Population {
  readonly groups: Group[];
  readonly groupIndex: ReadonlyMap<string, number>;
  readonly wallets: Wallet[];
  readonly banks: { readonly name: string; readonly pair: KeyPair }[];
}

/** Progress of one stage: items done of total. */
export type ProgressFn = (done: number, total: number) => void;

function coinsAt(coins: number | Readonly<Record<Scale, number>>, scale: Scale): number {
  return typeof coins === 'number' ? coins : coins[scale];
}

/** Builds the wallets. Keys come from `deriveKeyPair(seed, "wallet/<group>/<member>")`. */
export function buildPopulation(
  spec: ScenarioSpec,
  scale: Scale,
  seed: string,
  rng: Rng,
  tiers: TierTable,
  progress?: ProgressFn,
  suite: SuiteName = 'ed25519',
): Population {
  const banks = spec.banks.map((name) => ({
    name,
    pair: workloadKeyPair(seed, `bank/${name}`, suite),
  }));
  const groups: Group[] = [];
  const groupIndex = new Map<string, number>();
  let total = 0;
  for (const [name, g] of Object.entries(spec.groups)) {
    groupIndex.set(name, groups.length);
    groups.push({ name, spec: g, first: total, count: g.count[scale] });
    total += g.count[scale];
  }
  const wallets: Wallet[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const group = groups[gi]!;
    const g = group.spec;
    const tierKeys = Object.keys(g.tiers).map(Number) as WalletTier[];
    const tierPick = new WeightedPicker(tierKeys.map((t) => g.tiers[t] ?? 0));
    const tierRng = rng.fork(`tiers/${group.name}`);
    // Which members each funding entry reaches: an exact share, chosen by a seeded shuffle.
    const funding: number[][] = Array.from({ length: group.count }, () => []);
    (g.funding ?? []).forEach((f, fi) => {
      const n = Math.round(f.share * group.count);
      const members = rng
        .fork(`funding/${group.name}/${fi}`)
        .shuffle(Array.from({ length: group.count }, (_, i) => i));
      const coins = coinsAt(f.coins, scale);
      const value = Math.round(f.yuan * FEN_PER_YUAN);
      for (let k = 0; k < n; k++) {
        const list = funding[members[k]!]!;
        for (let c = 0; c < coins; c++) list.push(value);
      }
    });
    for (let m = 0; m < group.count; m++) {
      const index = wallets.length;
      const tier = tierKeys[tierPick.pick(tierRng)]!;
      const cap = balanceLimit(tiers, tier, g.kind);
      wallets.push({
        index,
        group: gi,
        member: m,
        pair: workloadKeyPair(seed, `wallet/${group.name}/${m}`, suite),
        tier,
        kind: g.kind,
        bank: index % banks.length,
        cap: cap ?? Number.POSITIVE_INFINITY,
        funding: funding[m]!,
        reserve: 0,
        lane: -1,
        claimAt: Number.NaN,
        opens: g.claim === undefined || funding[m]!.length > 0,
      });
      if (progress && (index & 1023) === 0) progress(index, total);
    }
  }
  progress?.(total, total);
  return { groups, groupIndex, wallets, banks };
}

/** Genesis balance in fen (funding plus reserve). */
export function genesisBalance(w: Wallet): number {
  let s = w.reserve;
  for (const v of w.funding) s += v;
  return s;
}
