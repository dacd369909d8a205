/**
 * Bookkeeping of the measured phase: the generator's model of the ledger, which it consults to
 * build only ops that settle under any interleaving and updates after each valid payment.
 * - payers (one lane each, in population order) with their coins, tallies and packet;
 * - per payer group: who may still pay (`active`), who has paid (`spenders`, for ALREADY_SPENT)
 *   and who holds a reserve coin (for TIER_LIMIT);
 * - per wallet, its worst-case balance: genesis funding, planned top-ups and everything it will
 *   ever receive, which a personal payee's balance cap must hold whatever the order.
 */
import { coinIdOf, type Output, type TierLimits } from '../../engine/domain/index.js';
import type { ResolvedScenario } from '../model/index.js';
import type { GenesisCoin, GenesisResult } from './genesis.js';
import type { FlowRt } from './measured-plan.js';
import { Payer, type Selection } from './payer.js';
import type { Population, Wallet } from './population.js';
import type { Rng } from './rng.js';
import { type MemberSampler, memberSampler } from './samplers.js';
import type { TwoTierPlan } from './two-tier-plan.js';

/** Random picks before a scan of every candidate. */
const TRIES = 32;

/** A payer able to pay, and the amount it pays. */
export interface PayerPick {
  readonly lane: number;
  readonly amount: number;
}

export class LedgerModel {
  /** Every payer, indexed by lane. */
  readonly payers: Payer[] = [];
  /** Reserve holders of every payer group, as at the start (a fallback for TIER_LIMIT). */
  readonly allReserveLanes: readonly number[];
  readonly #pop: Population;
  readonly #tiers: ResolvedScenario['tiers']['table'];
  /** Per payer group: the smallest amount any of its flows pays. */
  readonly #groupMin = new Map<number, number>();
  readonly #active = new Map<number, number[]>();
  readonly #isActive: Uint8Array;
  readonly #spenders = new Map<number, number[]>();
  readonly #reserveLanes = new Map<number, number[]>();
  /** What each wallet will receive from payments, and what it holds or is planned to get. */
  readonly #incoming: Float64Array;
  readonly #held: Float64Array;
  readonly #payeeSamplers = new Map<number, MemberSampler>();
  readonly #payerRng: Rng;
  readonly #payeeRng: Rng;

  constructor(
    resolved: ResolvedScenario,
    pop: Population,
    genesis: GenesisResult,
    plan: TwoTierPlan,
    flows: readonly FlowRt[],
    rng: Rng,
  ) {
    this.#pop = pop;
    this.#tiers = resolved.tiers.table;
    this.#payerRng = rng.fork('payers');
    this.#payeeRng = rng.fork('payees');

    // Lanes: every member of a payer group, in population order.
    const payerGroups = new Set(flows.map((f) => f.payerGroup));
    const expiring = new Set(
      (resolved.spec.twoTier?.expiry?.groups ?? []).map((g) => pop.groupIndex.get(g)!),
    );
    for (const w of pop.wallets) {
      if (!payerGroups.has(w.group)) continue;
      w.lane = this.payers.length;
      const p = new Payer(w, genesis.coins[w.index]!, genesis.reserves[w.index]!);
      // A claimed wallet can do nothing until its claim (two-tier.ts makes it ready).
      if (!Number.isNaN(w.claimAt)) p.ready = false;
      else if (expiring.has(w.group)) p.packet = p.genTotal;
      this.payers.push(p);
    }

    for (const f of flows) {
      if (this.#payeeSamplers.has(f.payeeGroup)) continue;
      const g = pop.groups[f.payeeGroup]!;
      this.#payeeSamplers.set(
        f.payeeGroup,
        memberSampler(g.spec.popularity, g.count, rng.fork(`popularity/${g.name}`)),
      );
    }

    for (const f of flows)
      this.#groupMin.set(
        f.payerGroup,
        Math.min(this.#groupMin.get(f.payerGroup) ?? Infinity, f.min),
      );
    this.#isActive = new Uint8Array(this.payers.length);
    for (const p of this.payers) {
      const g = p.wallet.group;
      if (!this.#active.has(g)) {
        this.#active.set(g, []);
        this.#spenders.set(g, []);
        this.#reserveLanes.set(g, []);
      }
      if (p.ready && p.available() >= this.#groupMin.get(g)!) {
        this.#active.get(g)!.push(p.wallet.lane);
        this.#isActive[p.wallet.lane] = 1;
      }
      if (p.reserve) this.#reserveLanes.get(g)!.push(p.wallet.lane);
    }
    this.allReserveLanes = [...this.#reserveLanes.values()].flat().sort((a, b) => a - b);

    this.#incoming = new Float64Array(pop.wallets.length);
    this.#held = new Float64Array(pop.wallets.length);
    for (const w of pop.wallets) {
      let s = w.reserve;
      for (const v of w.funding) s += v;
      this.#held[w.index] = s;
    }
    // Planned top-ups count against a wallet's balance cap like its genesis coins.
    for (const t of plan.topUps) for (const v of t.values) this.#held[t.wallet]! += v;
  }

  limitsOf(w: Wallet): TierLimits {
    return this.#tiers[w.tier];
  }

  /** The payer of wallet `index`, if it belongs to a payer group. */
  payerOf(index: number): Payer | undefined {
    const lane = this.#pop.wallets[index]!.lane;
    return lane >= 0 ? this.payers[lane] : undefined;
  }

  /** Payers of `group` that may still pay (random picks; some may have run dry). */
  active(group: number): readonly number[] {
    return this.#active.get(group)!;
  }

  /** Payers of `group` that have made a valid payment. */
  spenders(group: number): readonly number[] {
    return this.#spenders.get(group)!;
  }

  /** Payers of `group` holding a reserve coin. */
  reserveLanes(group: number): readonly number[] {
    return this.#reserveLanes.get(group)!;
  }

  /** A payer became able to pay (claimed, or topped up): it joins its group's payers. */
  activate(p: Payer): void {
    const lane = p.wallet.lane;
    if (!this.#isActive[lane]) {
      this.#isActive[lane] = 1;
      this.#active.get(p.wallet.group)!.push(lane);
    }
    const reserves = this.#reserveLanes.get(p.wallet.group)!;
    if (p.reserve && !reserves.includes(lane)) reserves.push(lane);
  }

  /**
   * A payer of `f` able to pay `want` (or, spending down, as much as it can): random tries, then
   * (if `exhaustive`) a scan of every payer still able to pay.
   */
  pickPayer(
    f: FlowRt,
    want: number,
    day: number,
    year: number,
    exhaustive: boolean,
  ): PayerPick | null {
    const list = this.#active.get(f.payerGroup)!;
    const gmin = this.#groupMin.get(f.payerGroup)!;
    const fit = (lane: number): number => {
      const p = this.payers[lane]!;
      const l = this.limitsOf(p.wallet);
      const s = p.spent(day, year);
      let lim = p.available();
      if (l.single !== null) lim = Math.min(lim, l.single);
      if (l.daily !== null) lim = Math.min(lim, l.daily - s.day);
      if (l.annual !== null) lim = Math.min(lim, l.annual - s.year);
      if (want <= lim) return want;
      if (f.spec.capToAvailable && lim >= f.min) return lim;
      return 0;
    };
    for (let t = 0; t < TRIES && list.length > 0; t++) {
      const at = this.#payerRng.int(list.length);
      const lane = list[at]!;
      if (this.payers[lane]!.available() < gmin) {
        // Run dry for good: it leaves the group's payers.
        list[at] = list[list.length - 1]!;
        list.pop();
        this.#isActive[lane] = 0;
        continue;
      }
      const amount = fit(lane);
      if (amount > 0) return { lane, amount };
    }
    if (!exhaustive) return null;
    const start = list.length > 0 ? this.#payerRng.int(list.length) : 0;
    for (let k = 0; k < list.length; k++) {
      const lane = list[(start + k) % list.length]!;
      const amount = fit(lane);
      if (amount > 0) return { lane, amount };
    }
    return null;
  }

  /** A payee of `f` other than the payer; with room for `amount` if it has a balance cap. */
  pickPayee(f: FlowRt, payer: Wallet, amount: number, checkRoom: boolean): Wallet | null {
    const pop = this.#pop;
    const g = pop.groups[f.payeeGroup]!;
    const sample = this.#payeeSamplers.get(f.payeeGroup)!;
    const ok = (w: Wallet) =>
      w.index !== payer.index &&
      (!checkRoom || this.#held[w.index]! + this.#incoming[w.index]! + amount <= w.cap);
    for (let t = 0; t < TRIES; t++) {
      const w = pop.wallets[g.first + sample(this.#payeeRng)]!;
      if (ok(w)) return w;
    }
    const start = this.#payeeRng.int(g.count);
    for (let k = 0; k < g.count; k++) {
      const w = pop.wallets[g.first + ((start + k) % g.count)]!;
      if (ok(w)) return w;
    }
    return null;
  }

  /**
   * A valid payment of `amount` from `p` to `payee` with the coins of `sel` (worth `inTotal`)
   * was emitted as op `op` with id `txid`: inputs gone, change back, tallies and the payee's
   * worst-case balance up.
   */
  recordPayment(
    p: Payer,
    payee: Wallet,
    amount: number,
    sel: Selection,
    inTotal: number,
    op: { index: number; txid: Buffer },
    day: number,
    year: number,
  ): void {
    const first: GenesisCoin = sel.chg ? { id: sel.chg.id, value: sel.chg.value } : sel.gen[0]!;
    if (sel.chg) p.removeChange(sel.chg);
    for (const c of sel.gen) p.removeGen(c);
    if (inTotal > amount)
      p.addChange({ id: coinIdOf(op.txid, 1), value: inTotal - amount, op: op.index });
    p.days.set(day, (p.days.get(day) ?? 0) + amount);
    p.years.set(year, (p.years.get(year) ?? 0) + amount);
    this.#incoming[payee.index]! += amount;
    if (!p.last) this.#spenders.get(p.wallet.group)!.push(p.wallet.lane);
    p.last = { op: op.index, coin: first, payee: payee.index };
    // A packet is spent first (the Luohu rule): expiry recovers only what payments left of it.
    if (p.packet > 0) p.paidFromPacket = Math.min(p.packet, p.paidFromPacket + amount);
  }
}

/** A payment's outputs: the amount to the payee, any change back to the payer. */
export function paymentOutputs(
  payee: Wallet,
  payer: Wallet,
  amount: number,
  inputTotal: number,
): Output[] {
  return inputTotal > amount
    ? [
        { owner: payee.pair.publicKey, value: amount },
        { owner: payer.pair.publicKey, value: inputTotal - amount },
      ]
    : [{ owner: payee.pair.publicKey, value: amount }];
}
