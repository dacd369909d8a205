/**
 * The two-tier plan, made before genesis because genesis must hold the coins it needs: when
 * each claimed wallet claims, which wallets top up or redeem and how much, and the coins each
 * bank's vault and the issuance vault keep for the measured exchanges and replenishments.
 * Every exchange of the run spends one vault coin of exactly its value (no change, no chain),
 * as genesis does; replenishment coins wait in the issuance vault.
 */

import { eventTimes } from '../../rates/index.js';
import type { ResolvedScenario } from '../model/index.js';
import { FEN_PER_YUAN, genesisBalance, type Population } from './population.js';
import type { Rng } from './rng.js';
import { amountSampler, minAmount } from './samplers.js';

/** A planned exchange into a wallet during the run, and the vault coin it spends. */
export interface PlannedCredit {
  readonly wallet: number;
  /** Normalised time. */
  readonly u: number;
  /** Fen: the coins it creates (a claim: the wallet's funding, then its reserve coin). */
  readonly values: readonly number[];
  /** Index of its coin in its bank's `vault` list. */
  readonly vaultIndex: number;
}

/** A planned redemption: the wallet redeems up to `value` fen at `u`. */
export interface PlannedRedemption {
  readonly wallet: number;
  readonly u: number;
  readonly value: number;
}

export interface TwoTierPlan {
  readonly claims: PlannedCredit[];
  readonly topUps: PlannedCredit[];
  readonly redemptions: PlannedRedemption[];
  /** Per bank: values (fen) of the coins genesis leaves in its vault, in `vaultIndex` order. */
  readonly vault: number[][];
  /** Per bank: values (fen) of the coins genesis leaves in the issuance vault for replenishing it. */
  readonly issuance: number[][];
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Plans the two-tier flows of `r` over `pop` (sets `claimAt` of claimed wallets). */
export function planTwoTier(r: ResolvedScenario, pop: Population, rng: Rng): TwoTierPlan {
  const spec = r.spec;
  const vault: number[][] = pop.banks.map(() => []);
  const credit = (wallet: number, u: number, values: number[]): PlannedCredit => {
    const bank = vault[pop.wallets[wallet]!.bank]!;
    bank.push(sum(values));
    return { wallet, u, values, vaultIndex: bank.length - 1 };
  };

  // Claims: each funded member of a claimed group, at times following the claim curve.
  const claims: PlannedCredit[] = [];
  for (const g of pop.groups) {
    const claim = g.spec.claim;
    if (!claim) continue;
    const members = rng
      .fork(`claims/${g.name}`)
      .shuffle(Array.from({ length: g.count }, (_, m) => g.first + m))
      .filter((i) => pop.wallets[i]!.opens);
    const t = eventTimes(claim.arrival, members.length);
    members.forEach((i, k) => {
      const w = pop.wallets[i]!;
      w.claimAt = claim.from + t[k]! * (claim.to - claim.from);
      claims.push(credit(i, w.claimAt, w.reserve > 0 ? [...w.funding, w.reserve] : w.funding));
    });
  }
  claims.sort((a, b) => a.u - b.u || a.wallet - b.wallet);

  // Top-ups and redemptions: a share of the group's wallets, once each, inside the window and
  // after the wallet's claim. A top-up that could take the wallet past its balance cap is not
  // made (what it will receive from payments counts against the cap too: see measured.ts).
  const topUps: PlannedCredit[] = [];
  const redemptions: PlannedRedemption[] = [];
  const twoTier = spec.twoTier ?? {};
  const planned = new Float64Array(pop.wallets.length);
  const choose = (
    kind: string,
    k: number,
    e: { group: string; share: number; from: number; to: number },
  ) => {
    const g = pop.groups[pop.groupIndex.get(e.group)!]!;
    const f = rng.fork(`${kind}/${k}`);
    const members = f
      .shuffle(Array.from({ length: g.count }, (_, m) => g.first + m))
      .filter((i) => pop.wallets[i]!.opens);
    const n = Math.round(e.share * members.length);
    const out: { wallet: number; u: number }[] = [];
    for (const i of members.slice(0, n)) {
      const w = pop.wallets[i]!;
      const from = Number.isNaN(w.claimAt) ? e.from : Math.max(e.from, w.claimAt);
      if (from >= e.to) continue;
      out.push({ wallet: i, u: from + f.float() * (e.to - from) });
    }
    return { out, rng: f };
  };
  (twoTier.topUps ?? []).forEach((e, k) => {
    const { out, rng: f } = choose('top-ups', k, e);
    const draw = amountSampler(e.amount);
    for (const c of out) {
      const w = pop.wallets[c.wallet]!;
      const value = draw(f);
      if (genesisBalance(w) + planned[c.wallet]! + value > w.cap) continue;
      planned[c.wallet]! += value;
      topUps.push(credit(c.wallet, c.u, [value]));
    }
  });
  topUps.sort((a, b) => a.u - b.u || a.wallet - b.wallet);
  (twoTier.redemptions ?? []).forEach((e, k) => {
    const { out, rng: f } = choose('redemptions', k, e);
    const draw = amountSampler(e.amount);
    const min = minAmount(e.amount);
    for (const c of out) redemptions.push({ ...c, value: Math.max(min, draw(f)) });
  });
  redemptions.sort((a, b) => a.u - b.u || a.wallet - b.wallet);

  // Replenishment coins: enough allocations for every bank to refill as often as all the
  // run's exchanges could drain it, and two more.
  const issuance: number[][] = pop.banks.map(() => []);
  if (twoTier.replenish) {
    const amount = Math.round(twoTier.replenish.amountYuan * FEN_PER_YUAN);
    vault.forEach((coins, b) => {
      const n = Math.ceil(sum(coins) / amount) + 2;
      for (let k = 0; k < n; k++) issuance[b]!.push(amount);
    });
  }
  return { claims, topUps, redemptions, vault, issuance };
}
