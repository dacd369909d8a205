/**
 * The two-tier flows of the measured phase, as timed events interleaved with the payments:
 * claims (the bank opens a wallet and exchanges its packet into it), top-ups, redemptions,
 * merchants' day-end sweeps, the recovery of expired packets (with the bank's return to the
 * issuance vault) and bank vault replenishment. Each becomes ops whose outcome holds under any
 * interleaving, by the same lane rule as payments:
 *  - a wallet's ops run in its lane: its claim's `open` and `exchange`, its top-ups,
 *    redemptions and packet recovery (and the `return` of what was recovered);
 *  - a merchant's sweep of one payment's coin runs in that payment's lane and depends on it
 *    (so a merchant sweeps its takings one coin per op: an op waits for at most one other);
 *  - replenishment allocations run in one lane per bank; their coins are not spent during the
 *    run (exchanges spend vault coins genesis set aside, each of its exact value).
 * Events fire in time order (`runUntil`), so ops stay sorted by intended send time.
 */
import { coinIdOf, type KeyPair, type Output, type TxFields } from '../../engine/domain/index.js';
import type { ResolvedScenario } from '../model/index.js';
import type { GenesisCoin, GenesisResult } from './genesis.js';
import { type Payer, selectCoins } from './payer.js';
import { FEN_PER_YUAN, type Population, type Wallet } from './population.js';
import type { Rng } from './rng.js';
import type { PlannedCredit, TwoTierPlan } from './two-tier-plan.js';
import type { Expected, OpLabel } from './types.js';

const MS_PER_MINUTE = 60_000;

/** Emits one op at normalised time `u` and returns its index and transaction id. */
export type EmitOp = (
  u: number,
  fields: Omit<TxFields, 'day' | 'nonce'>,
  pair: KeyPair,
  expected: Expected,
  dependsOn: number,
  lane: number,
  label: OpLabel,
) => { index: number; txid: Buffer };

/** What the two-tier flows read from the measured phase. */
export interface TwoTierContext {
  readonly resolved: ResolvedScenario;
  readonly pop: Population;
  readonly genesis: GenesisResult;
  readonly plan: TwoTierPlan;
  /** Payer by wallet index (wallets of payer groups), else undefined. */
  readonly payerOf: (wallet: number) => Payer | undefined;
  /** A payer became able to pay (claimed, or topped up): it joins its group's payers. */
  readonly activate: (p: Payer) => void;
  readonly emit: EmitOp;
  readonly centralBank: KeyPair;
  /** Lane of bank b's replenishments (after every payer lane). */
  readonly bankLane: (b: number) => number;
  /** Beijing wall-clock ms (as UTC) of the start, and simulated ms per unit of u. */
  readonly startLocalMs: number;
  readonly windowMs: number;
  readonly rng: Rng;
}

/** What the two-tier flows did, for meta (fen and op counts). */
export interface TwoTierStats {
  readonly ops: Record<string, number>;
  /** Fen moved between the tiers during the run. */
  readonly fen: {
    exchanged: number;
    redeemed: number;
    returned: number;
    allocated: number;
  };
  /** Claims by second of the measured phase (the claim storm, as planned). */
  claimsPerSecond: number[] | null;
  skipped: { redemptions: number; expiry: number };
}

type Event =
  | { readonly kind: 'claim' | 'top-up'; readonly credit: PlannedCredit }
  | { readonly kind: 'redeem'; readonly wallet: number; readonly value: number }
  | { readonly kind: 'sweep-day'; readonly spec: number }
  | { readonly kind: 'sweep'; readonly coin: Receipt }
  | { readonly kind: 'expiry'; readonly wallet: number };

/** A coin a sweeping merchant received, from the payment that made it. */
interface Receipt {
  readonly merchant: Wallet;
  readonly coin: GenesisCoin;
  readonly op: number;
  readonly lane: number;
}

/** Min-heap of events by time, then insertion order (deterministic). */
class EventQueue {
  readonly #u: number[] = [];
  readonly #seq: number[] = [];
  readonly #e: Event[] = [];
  #next = 0;

  get size(): number {
    return this.#e.length;
  }

  peekU(): number {
    return this.#u[0] ?? Number.POSITIVE_INFINITY;
  }

  push(u: number, e: Event): void {
    this.#u.push(u);
    this.#seq.push(this.#next++);
    this.#e.push(e);
    let i = this.#e.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): { u: number; e: Event } {
    const top = { u: this.#u[0]!, e: this.#e[0]! };
    const last = this.#e.length - 1;
    this.#swap(0, last);
    this.#u.pop();
    this.#seq.pop();
    this.#e.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.#e.length && this.#less(l, m)) m = l;
      if (r < this.#e.length && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    return (
      this.#u[a]! < this.#u[b]! || (this.#u[a] === this.#u[b] && this.#seq[a]! < this.#seq[b]!)
    );
  }

  #swap(a: number, b: number): void {
    [this.#u[a], this.#u[b]] = [this.#u[b]!, this.#u[a]!];
    [this.#seq[a], this.#seq[b]] = [this.#seq[b]!, this.#seq[a]!];
    [this.#e[a], this.#e[b]] = [this.#e[b]!, this.#e[a]!];
  }
}

/** The two-tier flows of one workload; the measured phase drives it through time. */
export class TwoTierFlows {
  readonly stats: TwoTierStats;
  readonly #c: TwoTierContext;
  readonly #queue = new EventQueue();
  /** Sweeping merchants (wallet index) and the coins each received since its last sweep. */
  readonly #sweeping = new Map<number, Receipt[]>();
  readonly #float: number[];
  readonly #nextIssuance: number[];
  readonly #lowWater: number;
  readonly #refill: number;

  constructor(c: TwoTierContext) {
    this.#c = c;
    const { pop, plan, resolved } = c;
    const tt = resolved.spec.twoTier ?? {};
    this.stats = {
      ops: {},
      fen: { exchanged: 0, redeemed: 0, returned: 0, allocated: 0 },
      claimsPerSecond: null,
      skipped: { redemptions: 0, expiry: 0 },
    };
    for (const credit of plan.claims) this.#queue.push(credit.u, { kind: 'claim', credit });
    for (const credit of plan.topUps) this.#queue.push(credit.u, { kind: 'top-up', credit });
    for (const r of plan.redemptions)
      this.#queue.push(r.u, { kind: 'redeem', wallet: r.wallet, value: r.value });
    if (plan.claims.length > 0) {
      const seconds = Math.max(1, Math.ceil(resolved.durationS));
      const perSecond = new Array<number>(seconds).fill(0);
      for (const cl of plan.claims)
        perSecond[Math.min(seconds - 1, Math.floor(cl.u * resolved.durationS))]!++;
      this.stats.claimsPerSecond = perSecond;
    }

    // Sweeps: the chosen merchants of each spec, then one event per simulated day end.
    (tt.sweeps ?? []).forEach((s, k) => {
      const g = pop.groups[pop.groupIndex.get(s.group)!]!;
      const members = c.rng
        .fork(`sweepers/${k}`)
        .shuffle(Array.from({ length: g.count }, (_, m) => g.first + m));
      for (const i of members.slice(0, Math.round(s.share * g.count))) this.#sweeping.set(i, []);
      const dayMs = 86_400_000;
      const firstDay = Math.floor(c.startLocalMs / dayMs);
      for (let d = firstDay; ; d++) {
        const u = (d * dayMs + s.hour * 3_600_000 - c.startLocalMs) / c.windowMs;
        if (u >= 1) break;
        if (u > 0) this.#queue.push(u, { kind: 'sweep-day', spec: k });
      }
    });

    // Expiry: every packet holder of the groups, spread over the recovery window.
    if (tt.expiry) {
      const e = tt.expiry;
      const holders: number[] = [];
      for (const name of e.groups) {
        const g = pop.groups[pop.groupIndex.get(name)!]!;
        for (let m = 0; m < g.count; m++)
          if (pop.wallets[g.first + m]!.opens) holders.push(g.first + m);
      }
      const order = c.rng.fork('expiry').shuffle(holders);
      order.forEach((wallet, k) => {
        this.#queue.push(e.at + ((k + 0.5) / order.length) * e.spread, { kind: 'expiry', wallet });
      });
    }

    this.#float = pop.banks.map(() => Math.round((tt.replenish?.floatYuan ?? 0) * FEN_PER_YUAN));
    this.#nextIssuance = pop.banks.map(() => 0);
    this.#lowWater = Math.round((tt.replenish?.lowWaterYuan ?? 0) * FEN_PER_YUAN);
    this.#refill = Math.round((tt.replenish?.amountYuan ?? 0) * FEN_PER_YUAN);
  }

  /** Fires every event due at or before `u`, in time order. */
  runUntil(u: number): void {
    while (this.#queue.size > 0 && this.#queue.peekU() <= u) {
      const { u: at, e } = this.#queue.pop();
      this.#fire(at, e);
    }
  }

  /** A valid payment paid `value` fen to `payee` as output 0 of op `op` in `lane`. */
  onPayment(payee: Wallet, txid: Buffer, value: number, op: number, lane: number): void {
    const pending = this.#sweeping.get(payee.index);
    if (pending)
      pending.push({ merchant: payee, coin: { id: coinIdOf(txid, 0), value }, op, lane });
  }

  #count(label: OpLabel): void {
    this.stats.ops[label] = (this.stats.ops[label] ?? 0) + 1;
  }

  #fire(u: number, e: Event): void {
    switch (e.kind) {
      case 'claim':
      case 'top-up':
        this.#credit(u, e.kind, e.credit);
        return;
      case 'redeem':
        this.#redeem(u, e.wallet, e.value);
        return;
      case 'sweep-day':
        this.#sweepDay(u, e.spec);
        return;
      case 'sweep':
        this.#sweep(u, e.coin);
        return;
      case 'expiry':
        this.#expire(u, e.wallet);
        return;
    }
  }

  /** A claim (open, then exchange the packet) or a top-up (exchange), in the wallet's lane. */
  #credit(u: number, kind: 'claim' | 'top-up', credit: PlannedCredit): void {
    const c = this.#c;
    const w = c.pop.wallets[credit.wallet]!;
    const p = c.payerOf(w.index)!;
    const bank = c.pop.banks[w.bank]!;
    let dependsOn = p.openOp;
    if (kind === 'claim') {
      const open = c.emit(
        u,
        {
          type: 'open',
          signer: bank.pair.publicKey,
          inputs: [],
          outputs: [],
          subject: {
            key: w.pair.publicKey,
            role: 'wallet',
            tier: w.tier,
            kind: w.kind,
            kyc: `${c.pop.groups[w.group]!.name}/${w.member}`,
          },
        },
        bank.pair,
        'SETTLED',
        -1,
        p.wallet.lane,
        'open',
      );
      this.#count('open');
      dependsOn = open.index;
    }
    const coin = c.genesis.vault[w.bank]![credit.vaultIndex]!;
    const ref = c.emit(
      u,
      {
        type: 'exchange',
        signer: bank.pair.publicKey,
        inputs: [coin.id],
        outputs: credit.values.map((value) => ({ owner: w.pair.publicKey, value })),
      },
      bank.pair,
      'SETTLED',
      dependsOn,
      p.wallet.lane,
      kind,
    );
    this.#count(kind);
    this.stats.fen.exchanged += coin.value;
    // The claim's last output is the reserve coin when the wallet was given one.
    const spendable =
      kind === 'claim' && w.reserve > 0 ? credit.values.length - 1 : credit.values.length;
    for (let i = 0; i < spendable; i++)
      p.addChange({ id: coinIdOf(ref.txid, i), value: credit.values[i]!, op: ref.index });
    if (kind === 'claim') {
      if (w.reserve > 0) {
        p.reserve = { id: coinIdOf(ref.txid, spendable), value: w.reserve };
        p.reserveOp = ref.index;
      }
      p.anyCoin = { id: coinIdOf(ref.txid, 0), value: credit.values[0]! };
      p.openOp = ref.index;
      for (let i = 0; i < spendable; i++) p.packet += credit.values[i]!;
      p.ready = true;
    }
    c.activate(p);
    this.#moveFloat(u, w.bank, -coin.value);
  }

  /** What a wallet may redeem in one op: one coin's worth, never its unspent packet. */
  #redeemable(p: Payer): number {
    let total = p.genTotal;
    for (const ch of p.chg) total += ch.value;
    return Math.min(p.available(), total - (p.packet - p.paidFromPacket));
  }

  /** Redeems `amount` fen of `p` to its bank (label `redeem` or `expiry`); its op index. */
  #redeemOp(u: number, p: Payer, amount: number, label: 'redeem' | 'expiry') {
    const c = this.#c;
    const w = p.wallet;
    const sel = selectCoins(p, amount, 'fresh')!;
    const inputs: string[] = [];
    let inTotal = 0;
    if (sel.chg) {
      inputs.push(sel.chg.id);
      inTotal += sel.chg.value;
    }
    for (const coin of sel.gen) {
      inputs.push(coin.id);
      inTotal += coin.value;
    }
    const bank = c.pop.banks[w.bank]!;
    const outputs: Output[] = [{ owner: bank.pair.publicKey, value: amount }];
    if (inTotal > amount) outputs.push({ owner: w.pair.publicKey, value: inTotal - amount });
    const ref = c.emit(
      u,
      { type: 'redeem', signer: w.pair.publicKey, inputs, outputs },
      w.pair,
      'SETTLED',
      sel.chg ? sel.chg.op : p.openOp,
      w.lane,
      label,
    );
    if (sel.chg) p.removeChange(sel.chg);
    for (const coin of sel.gen) p.removeGen(coin);
    if (inTotal > amount)
      p.addChange({ id: coinIdOf(ref.txid, 1), value: inTotal - amount, op: ref.index });
    this.#count(label);
    this.stats.fen.redeemed += amount;
    this.#moveFloat(u, w.bank, amount);
    return ref;
  }

  #redeem(u: number, wallet: number, value: number): void {
    const p = this.#c.payerOf(wallet)!;
    const amount = p.ready ? Math.min(value, this.#redeemable(p)) : 0;
    if (amount <= 0) {
      this.stats.skipped.redemptions++;
      return;
    }
    this.#redeemOp(u, p, amount, 'redeem');
  }

  /** Recovers what is left of a wallet's packet; with `returnToIssuer`, the bank returns it. */
  #expire(u: number, wallet: number): void {
    const c = this.#c;
    const p = c.payerOf(wallet)!;
    const left = p.ready ? Math.min(p.packet - p.paidFromPacket, p.available()) : 0;
    if (left <= 0) {
      this.stats.skipped.expiry++;
      return;
    }
    const ref = this.#redeemOp(u, p, left, 'expiry');
    p.paidFromPacket = p.packet;
    if (!c.resolved.spec.twoTier?.expiry?.returnToIssuer) return;
    const bank = c.pop.banks[p.wallet.bank]!;
    c.emit(
      u,
      {
        type: 'return',
        signer: bank.pair.publicKey,
        inputs: [coinIdOf(ref.txid, 0)],
        outputs: [{ owner: c.centralBank.publicKey, value: left }],
      },
      bank.pair,
      'SETTLED',
      ref.index,
      p.wallet.lane,
      'return',
    );
    this.#count('return');
    this.stats.fen.returned += left;
    this.#moveFloat(u, p.wallet.bank, -left);
  }

  /** A day end: every coin the group's sweeping merchants received since their last sweep. */
  #sweepDay(u: number, k: number): void {
    const c = this.#c;
    const s = c.resolved.spec.twoTier!.sweeps![k]!;
    const g = c.pop.groupIndex.get(s.group)!;
    const due: Receipt[] = [];
    for (const [wallet, list] of this.#sweeping)
      if (c.pop.wallets[wallet]!.group === g && list.length > 0) due.push(...list.splice(0));
    due.sort((a, b) => a.op - b.op);
    const spread = Math.min((s.spreadMinutes * MS_PER_MINUTE) / c.windowMs, 1 - u);
    due.forEach((coin, i) => {
      this.#queue.push(u + ((i + 0.5) / due.length) * spread, { kind: 'sweep', coin });
    });
  }

  /** One received coin swept to the merchant's bank, in the lane of the payment that made it. */
  #sweep(u: number, r: Receipt): void {
    const c = this.#c;
    const bank = c.pop.banks[r.merchant.bank]!;
    c.emit(
      u,
      {
        type: 'redeem',
        signer: r.merchant.pair.publicKey,
        inputs: [r.coin.id],
        outputs: [{ owner: bank.pair.publicKey, value: r.coin.value }],
      },
      r.merchant.pair,
      'SETTLED',
      r.op,
      r.lane,
      'sweep',
    );
    this.#count('sweep');
    this.stats.fen.redeemed += r.coin.value;
    this.#moveFloat(u, r.merchant.bank, r.coin.value);
  }

  /** The bank's modelled float moves; below the low-water mark, the central bank refills it. */
  #moveFloat(u: number, b: number, delta: number): void {
    if (this.#refill <= 0) return;
    this.#float[b]! += delta;
    const c = this.#c;
    while (this.#float[b]! < this.#lowWater) {
      const k = this.#nextIssuance[b]!;
      const coin = c.genesis.issuance[b]![k];
      if (coin === undefined) return; // planned for the worst case: not reached
      this.#nextIssuance[b] = k + 1;
      c.emit(
        u,
        {
          type: 'allocate',
          signer: c.centralBank.publicKey,
          inputs: [coin.id],
          outputs: [{ owner: c.pop.banks[b]!.pair.publicKey, value: coin.value }],
        },
        c.centralBank,
        'SETTLED',
        -1,
        c.bankLane(b),
        'allocate',
      );
      this.#count('allocate');
      this.stats.fen.allocated += coin.value;
      this.#float[b]! += coin.value;
    }
  }
}
