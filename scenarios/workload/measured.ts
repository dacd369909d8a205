/**
 * The measured phase: every op built with its outcome known by construction.
 *
 * The generator keeps its own model of the ledger (each payer's coins, daily and annual tallies,
 * each payee's worst-case balance) and only builds valid ops that settle under ANY interleaving
 * the driver may produce:
 *  - a payer spends genesis coins (settled before measurement) or change from one earlier op of
 *    its own lane, named in `dependsOn`; coins received from other lanes are never spent, so no
 *    dependency crosses lanes;
 *  - a payer's daily and annual totals stay within its tier whatever the order, and each payment
 *    within its single limit;
 *  - a personal payee's genesis balance plus everything it will ever receive stays within its
 *    balance limit, so no order of credits can hit the cap (its own payments only lower it).
 * Invalid ops fail for exactly one reason, again whatever the order, and never touch the model:
 *  - BAD_SIGNATURE: a well-formed op with one signature byte flipped;
 *  - ALREADY_SPENT: re-spends the first input of the payer's last valid op, which it depends on;
 *  - TIER_LIMIT: pays above the single limit from a reserve coin no valid op ever spends;
 *  - UNKNOWN_COIN: spends a random coin id.
 */
import { CodedError, coinIdOf, type Output } from '../../engine/domain/index.js';
import { yearOf } from '../../engine/registry/index.js';
import {
  DEFAULT_INVALID_SPLIT,
  eventTimes,
  type FlowSpec,
  INVALID_CODES,
  type InvalidCode,
  type Mix,
  normaliseSplit,
  type ResolvedScenario,
  uniformTimes,
} from '../model/index.js';
import type { GenesisCoin, GenesisResult } from './genesis.js';
import type { OpList } from './op-list.js';
import type { Population, Wallet } from './population.js';
import { apportion, type Rng, WeightedPicker } from './rng.js';
import {
  type AmountSampler,
  amountSampler,
  type MemberSampler,
  memberSampler,
  minAmount,
} from './samplers.js';
import { signOp } from './signer.js';
import { type Expected, OFFLINE_TRANSFER } from './types.js';

/** Kind of a planned measured op: 0 = valid, else 1 + index into INVALID_CODES. */
const VALID = 0;
const KIND_OF: Readonly<Record<InvalidCode, number>> = {
  BAD_SIGNATURE: 1,
  ALREADY_SPENT: 2,
  TIER_LIMIT: 3,
  UNKNOWN_COIN: 4,
};
const TRIES = 32;
/** Amount draws before a payment is declared impossible. */
const REDRAWS = 8;
const MAX_INPUTS_USED = 100;

/** The population cannot carry the planned payments (or an invalid op cannot be built). */
export class WorkloadGenerationError extends CodedError {
  readonly code = 'WORKLOAD_GENERATION';
  readonly kind = 'failure';
}

interface ChangeCoin {
  readonly id: string;
  readonly value: number;
  /** The op that created it: spending it depends on that op. */
  readonly op: number;
}

/** One payer's state in the generator's ledger model. */
class Payer {
  readonly wallet: Wallet;
  readonly gen: GenesisCoin[];
  genTotal = 0;
  readonly chg: ChangeCoin[] = [];
  #maxChg = 0;
  readonly reserve: GenesisCoin | null;
  /** Some coin it was given (for BAD_SIGNATURE ops, which must look real). */
  readonly anyCoin: GenesisCoin | null;
  readonly days = new Map<number, number>();
  readonly years = new Map<number, number>();
  last: { op: number; coin: GenesisCoin; payee: number } | null = null;

  constructor(wallet: Wallet, coins: GenesisCoin[], reserve: GenesisCoin | null) {
    this.wallet = wallet;
    this.gen = coins.slice();
    for (const c of coins) this.genTotal += c.value;
    this.reserve = reserve;
    this.anyCoin = coins[0] ?? reserve;
  }

  /** What one payment can use: all genesis coins plus the largest change coin (one dependency). */
  available(): number {
    return this.genTotal + this.#maxChg;
  }

  addChange(c: ChangeCoin): void {
    this.chg.push(c);
    if (c.value > this.#maxChg) this.#maxChg = c.value;
  }

  removeChange(c: ChangeCoin): void {
    const i = this.chg.lastIndexOf(c);
    this.chg.splice(i, 1);
    if (c.value >= this.#maxChg) {
      let m = 0;
      for (const x of this.chg) if (x.value > m) m = x.value;
      this.#maxChg = m;
    }
  }

  largestChange(): ChangeCoin | null {
    let best: ChangeCoin | null = null;
    for (const c of this.chg) if (!best || c.value > best.value) best = c;
    return best;
  }

  removeGen(c: GenesisCoin): void {
    const i = this.gen.indexOf(c);
    this.gen.splice(i, 1);
    this.genTotal -= c.value;
  }

  /** Smallest genesis coin >= amount (gen is ascending). */
  bestGen(amount: number): GenesisCoin | null {
    let lo = 0;
    let hi = this.gen.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.gen[mid]!.value >= amount) hi = mid;
      else lo = mid + 1;
    }
    return this.gen[lo] ?? null;
  }

  /** Largest-first genesis coins summing to >= need, or null. */
  takeGen(need: number): GenesisCoin[] | null {
    if (need <= 0) return [];
    if (this.genTotal < need) return null;
    const out: GenesisCoin[] = [];
    let s = 0;
    for (let i = this.gen.length - 1; i >= 0 && s < need; i--) {
      out.push(this.gen[i]!);
      s += this.gen[i]!.value;
    }
    return s >= need && out.length <= MAX_INPUTS_USED ? out : null;
  }

  spent(day: number, year: number): { day: number; year: number } {
    return { day: this.days.get(day) ?? 0, year: this.years.get(year) ?? 0 };
  }
}

interface Selection {
  readonly gen: GenesisCoin[];
  readonly chg: ChangeCoin | null;
}

function selectCoins(p: Payer, amount: number, strategy: FlowSpec['coins']): Selection | null {
  if (strategy === 'chain' && p.chg.length > 0) {
    const latest = p.chg[p.chg.length - 1]!;
    if (latest.value >= amount) return { gen: [], chg: latest };
    const top = p.takeGen(amount - latest.value);
    if (top) return { gen: top, chg: latest };
  }
  const g = p.bestGen(amount);
  if (g) return { gen: [g], chg: null };
  let smallest: ChangeCoin | null = null;
  for (const c of p.chg)
    if (c.value >= amount && (!smallest || c.value < smallest.value)) smallest = c;
  if (smallest) return { gen: [], chg: smallest };
  const big = p.largestChange();
  const rest = p.takeGen(amount - (big?.value ?? 0));
  return rest ? { gen: rest, chg: big } : null;
}

interface FlowRt {
  readonly name: string;
  readonly spec: FlowSpec;
  readonly payerGroup: number;
  readonly payeeGroup: number;
  readonly amount: AmountSampler;
  readonly min: number;
  readonly channels: { readonly names: string[]; readonly picker: WeightedPicker } | null;
  readonly split: Readonly<Record<InvalidCode, number>>;
}

/** What the measured phase reports into the workload's meta. */
export interface MeasuredStats {
  readonly flows: Record<string, { ops: number; valid: number; invalid: number; fen: number }>;
  /** Ops per channel label (scan, tap, online), over every op of flows that name channels. */
  readonly channels: Record<string, number>;
  /** Valid payments received per member, for payee groups (popularity check). */
  readonly received: Map<number, number[]>;
  /** Offline payments made and not yet sent, at the end of each second (the plan). */
  readonly backlogCurve: number[] | null;
  /** Offline payments made in each second (their ops are typed OFFLINE_TRANSFER). */
  readonly offlineMade: number[] | null;
  /** Ops that wait for an earlier op, and the longest chain of such waits. */
  dependent: number;
  maxChain: number;
  nonce: number;
  readonly lanes: number;
}

/** Everything buildMeasured reads; it appends to `out`. */
export interface MeasuredInput {
  readonly resolved: ResolvedScenario;
  readonly pop: Population;
  readonly genesis: GenesisResult;
  readonly rng: Rng;
  /**
   * The value day of every op: the engine that runs the workload reads this day from its clock
   * (`serve --today`), so daily and annual limits apply over the whole run. Offline payments
   * carry it too (their device day must lie between their coins' day and the sync).
   */
  readonly day: number;
  readonly nonce: number;
  readonly out: OpList;
  readonly progress?: (done: number, total: number) => void;
}

/** Counts of the planned ops: valid payments as the scale says, invalid on top as a share. */
export function plannedCounts(payments: number, share: number): { total: number; invalid: number } {
  const invalid = share > 0 ? Math.round((payments * share) / (1 - share)) : 0;
  return { total: payments + invalid, invalid };
}

/** Appends the measured ops to `input.out` and reports what meta needs. */
export function buildMeasured(input: MeasuredInput): MeasuredStats {
  const { resolved, pop, genesis, out } = input;
  const spec = resolved.spec;
  const durationMs = resolved.durationS * 1000;
  const day = input.day;
  const year = yearOf(day);

  const flowNames = Object.keys(spec.flows);
  const flows: FlowRt[] = flowNames.map((name) => {
    const f = spec.flows[name]!;
    const chNames = Object.keys(f.channels ?? {});
    return {
      name,
      spec: f,
      payerGroup: pop.groupIndex.get(f.payer)!,
      payeeGroup: pop.groupIndex.get(f.payee)!,
      amount: amountSampler(f.amount),
      min: minAmount(f.amount),
      channels:
        chNames.length > 0
          ? { names: chNames, picker: new WeightedPicker(chNames.map((c) => f.channels![c]!)) }
          : null,
      split:
        resolved.invalidSplit ??
        normaliseSplit(f.invalidSplit ?? spec.invalid?.split ?? DEFAULT_INVALID_SPLIT),
    };
  });

  // Lanes: every member of a payer group, in population order.
  const payerGroups = new Set(flows.map((f) => f.payerGroup));
  const payers: Payer[] = [];
  for (const w of pop.wallets) {
    if (!payerGroups.has(w.group)) continue;
    w.lane = payers.length;
    payers.push(new Payer(w, genesis.coins[w.index]!, genesis.reserves[w.index]!));
  }

  // 1. Send times from the arrival curve; the flow of each op from the mix in force then.
  const { total, invalid } = plannedCounts(resolved.payments, resolved.invalidShare);
  const u = eventTimes(spec.arrival, total);
  const mixPicker = (mix: Mix) => {
    const names = Object.keys(mix);
    return {
      ids: names.map((n) => flowNames.indexOf(n)),
      picker: new WeightedPicker(names.map((n) => mix[n]!)),
    };
  };
  const defaultMix = mixPicker(spec.mix);
  const phases = (spec.phases ?? []).map((p) => ({ from: p.from, to: p.to, ...mixPicker(p.mix) }));
  const timeline = input.rng.fork('timeline');
  const flowOf = new Int32Array(total);
  const opsOfFlow: number[][] = flows.map(() => []);
  for (let i = 0; i < total; i++) {
    const ui = u[i]!;
    const ph = phases.find((p) => ui >= p.from && ui < p.to) ?? defaultMix;
    const f = ph.ids[ph.picker.pick(timeline)]!;
    flowOf[i] = f;
    opsOfFlow[f]!.push(i);
  }

  // 2. Which ops are invalid: exact counts per flow (by size) and per code (by split).
  const kind = new Uint8Array(total);
  const perFlowInvalid = apportion(
    invalid,
    opsOfFlow.map((l) => l.length),
  );
  flows.forEach((f, fi) => {
    const list = opsOfFlow[fi]!;
    const n = Math.min(perFlowInvalid[fi]!, list.length);
    const byCode = apportion(
      n,
      INVALID_CODES.map((c) => f.split[c]),
    );
    const chosen = input.rng.fork(`invalid/${f.name}`).shuffle(list.slice()).slice(0, n);
    let k = 0;
    INVALID_CODES.forEach((code, ci) => {
      for (let j = 0; j < byCode[ci]!; j++) kind[chosen[k++]!] = KIND_OF[code];
    });
  });

  // 3. Offline flows: made evenly over their offline window, synced in order of sending.
  const madeU = new Float64Array(total).fill(Number.NaN);
  let backlogCurve: number[] | null = null;
  let offlineMade: number[] | null = null;
  flows.forEach((f, fi) => {
    if (!f.spec.offline) return;
    const list = opsOfFlow[fi]!;
    const made = uniformTimes(list.length, f.spec.offline.from, f.spec.offline.to);
    list.forEach((op, k) => {
      madeU[op] = made[k]!;
    });
    const seconds = Math.max(1, Math.ceil(durationMs / 1000));
    backlogCurve ??= new Array<number>(seconds).fill(0);
    offlineMade ??= new Array<number>(seconds).fill(0);
    // Backlog at the end of second s: made by then minus sent by then.
    const delta = new Array<number>(seconds + 1).fill(0);
    for (let k = 0; k < list.length; k++) {
      const madeSecond = Math.floor((made[k]! * durationMs) / 1000);
      offlineMade[Math.min(seconds - 1, madeSecond)]!++;
      delta[Math.min(seconds, madeSecond)]!++;
      delta[Math.min(seconds, Math.floor((u[list[k]!]! * durationMs) / 1000))]!--;
    }
    let level = 0;
    for (let s = 0; s < seconds; s++) {
      level += delta[s]!;
      backlogCurve[s]! += level;
    }
  });

  // Samplers.
  const payeeRng = input.rng.fork('payees');
  const payeeSamplers = new Map<number, MemberSampler>();
  for (const f of flows) {
    if (payeeSamplers.has(f.payeeGroup)) continue;
    const g = pop.groups[f.payeeGroup]!;
    payeeSamplers.set(
      f.payeeGroup,
      memberSampler(g.spec.popularity, g.count, input.rng.fork(`popularity/${g.name}`)),
    );
  }
  const amountRng = input.rng.fork('amounts');
  const payerRng = input.rng.fork('payers');
  const badRng = input.rng.fork('bad');
  const channelRng = input.rng.fork('channels');

  // Per payer group: payers that may still pay, and payers that have paid (for ALREADY_SPENT).
  const groupMin = new Map<number, number>();
  for (const f of flows)
    groupMin.set(f.payerGroup, Math.min(groupMin.get(f.payerGroup) ?? Infinity, f.min));
  const active = new Map<number, number[]>();
  const spenders = new Map<number, number[]>();
  const reserveLanes = new Map<number, number[]>();
  for (const p of payers) {
    const g = p.wallet.group;
    if (!active.has(g)) {
      active.set(g, []);
      spenders.set(g, []);
      reserveLanes.set(g, []);
    }
    if (p.available() >= groupMin.get(g)!) active.get(g)!.push(p.wallet.lane);
    if (p.reserve) reserveLanes.get(g)!.push(p.wallet.lane);
  }
  const allReserveLanes = [...reserveLanes.values()].flat().sort((a, b) => a - b);

  const incoming = new Float64Array(pop.wallets.length);
  const gbal = new Float64Array(pop.wallets.length);
  for (const w of pop.wallets) {
    let s = w.reserve;
    for (const v of w.funding) s += v;
    gbal[w.index] = s;
  }

  const stats: MeasuredStats = {
    flows: Object.fromEntries(flows.map((f) => [f.name, { ops: 0, valid: 0, invalid: 0, fen: 0 }])),
    channels: {},
    received: new Map(),
    backlogCurve,
    offlineMade,
    dependent: 0,
    maxChain: 0,
    nonce: input.nonce,
    lanes: payers.length,
  };
  for (const f of flows) {
    const g = pop.groups[f.payeeGroup]!;
    if (!stats.received.has(f.payeeGroup))
      stats.received.set(f.payeeGroup, new Array<number>(g.count).fill(0));
  }
  const depth = new Int32Array(total);
  let nonce = input.nonce;

  const tiers = resolved.tiers.table;
  const limitsOf = (w: Wallet) => tiers[w.tier];

  /**
   * A payer of `f` able to pay `want` (or, spending down, as much as it can): random tries, then
   * (if `exhaustive`) a scan of every payer still able to pay.
   */
  const pickPayer = (f: FlowRt, want: number, day: number, year: number, exhaustive: boolean) => {
    const list = active.get(f.payerGroup)!;
    const gmin = groupMin.get(f.payerGroup)!;
    const fit = (lane: number): number => {
      const p = payers[lane]!;
      const l = limitsOf(p.wallet);
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
      const at = payerRng.int(list.length);
      const lane = list[at]!;
      if (payers[lane]!.available() < gmin) {
        list[at] = list[list.length - 1]!;
        list.pop();
        continue;
      }
      const amount = fit(lane);
      if (amount > 0) return { lane, amount };
    }
    if (!exhaustive) return null;
    const start = list.length > 0 ? payerRng.int(list.length) : 0;
    for (let k = 0; k < list.length; k++) {
      const lane = list[(start + k) % list.length]!;
      const amount = fit(lane);
      if (amount > 0) return { lane, amount };
    }
    return null;
  };

  /** A payee of `f` other than the payer; with room for `amount` if it has a balance cap. */
  const pickPayee = (
    f: FlowRt,
    payer: Wallet,
    amount: number,
    checkRoom: boolean,
  ): Wallet | null => {
    const g = pop.groups[f.payeeGroup]!;
    const sample = payeeSamplers.get(f.payeeGroup)!;
    const ok = (w: Wallet) =>
      w.index !== payer.index &&
      (!checkRoom || gbal[w.index]! + incoming[w.index]! + amount <= w.cap);
    for (let t = 0; t < TRIES; t++) {
      const w = pop.wallets[g.first + sample(payeeRng)]!;
      if (ok(w)) return w;
    }
    const start = payeeRng.int(g.count);
    for (let k = 0; k < g.count; k++) {
      const w = pop.wallets[g.first + ((start + k) % g.count)]!;
      if (ok(w)) return w;
    }
    return null;
  };

  const randomLane = (lanes: readonly number[]): number | null =>
    lanes.length === 0 ? null : lanes[badRng.int(lanes.length)]!;

  const emit = (
    i: number,
    payer: Payer,
    inputs: string[],
    outputs: Output[],
    day: number,
    expected: Expected,
    dependsOn: number,
    corrupt = false,
  ) => {
    const offline = !Number.isNaN(madeU[i]!);
    const fields = {
      type: offline ? ('offline-transfer' as const) : ('transfer' as const),
      signer: payer.wallet.pair.publicKey,
      day,
      nonce: nonce++,
      inputs,
      outputs,
    };
    const signed = signOp(
      fields,
      payer.wallet.pair,
      corrupt ? { index: badRng.int(64), mask: 1 + badRng.int(255) } : undefined,
    );
    const at = Math.round(u[i]! * durationMs * 1000) / 1000;
    const type = offline ? OFFLINE_TRANSFER : 'transfer';
    const index = out.push(signed.body, expected, at, dependsOn, payer.wallet.lane, type);
    if (dependsOn >= 0) {
      depth[index] = depth[dependsOn]! + 1;
      stats.dependent++;
      if (depth[index]! > stats.maxChain) stats.maxChain = depth[index]!;
    }
    return { index, txid: signed.txid };
  };

  const outputsFor = (
    payee: Wallet,
    payer: Wallet,
    amount: number,
    inputTotal: number,
  ): Output[] =>
    inputTotal > amount
      ? [
          { owner: payee.pair.publicKey, value: amount },
          { owner: payer.pair.publicKey, value: inputTotal - amount },
        ]
      : [{ owner: payee.pair.publicKey, value: amount }];

  const buildValid = (i: number, f: FlowRt, day: number, year: number): boolean => {
    // An amount no payer can carry right now is drawn again: the distribution is truncated
    // to what the population can pay (rare when funding fits the tickets).
    let pick: { lane: number; amount: number } | null = null;
    for (let draw = 0; draw < REDRAWS && !pick; draw++)
      pick = pickPayer(f, f.amount(amountRng), day, year, draw === REDRAWS - 1);
    if (!pick) return false;
    const p = payers[pick.lane]!;
    const sel = selectCoins(p, pick.amount, f.spec.coins);
    if (!sel) return false;
    const payee = pickPayee(f, p.wallet, pick.amount, true);
    if (!payee) return false;
    const inputs: string[] = [];
    let inTotal = 0;
    if (sel.chg) {
      inputs.push(sel.chg.id);
      inTotal += sel.chg.value;
    }
    for (const c of sel.gen) {
      inputs.push(c.id);
      inTotal += c.value;
    }
    const outputs = outputsFor(payee, p.wallet, pick.amount, inTotal);
    const ref = emit(i, p, inputs, outputs, day, 'SETTLED', sel.chg ? sel.chg.op : -1);
    // The model: inputs gone, change back, tallies and the payee's worst-case balance up.
    const first: GenesisCoin = sel.chg ? { id: sel.chg.id, value: sel.chg.value } : sel.gen[0]!;
    if (sel.chg) p.removeChange(sel.chg);
    for (const c of sel.gen) p.removeGen(c);
    if (inTotal > pick.amount)
      p.addChange({ id: coinIdOf(ref.txid, 1), value: inTotal - pick.amount, op: ref.index });
    p.days.set(day, (p.days.get(day) ?? 0) + pick.amount);
    p.years.set(year, (p.years.get(year) ?? 0) + pick.amount);
    incoming[payee.index]! += pick.amount;
    if (!p.last) spenders.get(p.wallet.group)!.push(p.wallet.lane);
    p.last = { op: ref.index, coin: first, payee: payee.index };
    const st = stats.flows[f.name]!;
    st.valid++;
    st.fen += pick.amount;
    const rec = stats.received.get(f.payeeGroup)!;
    rec[payee.member]!++;
    return true;
  };

  /** Builds an invalid op of `code`; false if this flow cannot build one right now. */
  const buildInvalid = (i: number, f: FlowRt, code: InvalidCode, day: number): boolean => {
    const want = f.amount(amountRng);
    switch (code) {
      case 'ALREADY_SPENT': {
        const lane = randomLane(spenders.get(f.payerGroup)!);
        if (lane === null) return false;
        const p = payers[lane]!;
        const last = p.last!;
        const single = limitsOf(p.wallet).single ?? Infinity;
        const amount = Math.max(1, Math.min(last.coin.value, want, single));
        // Paid to someone else: the same coin offered to a second payee (a double spend).
        let payee = pickPayee(f, p.wallet, amount, false);
        if (payee && payee.index === last.payee && pop.groups[f.payeeGroup]!.count > 2)
          payee = pickPayee(f, p.wallet, amount, false);
        if (!payee) return false;
        emit(
          i,
          p,
          [last.coin.id],
          outputsFor(payee, p.wallet, amount, last.coin.value),
          day,
          code,
          last.op,
        );
        return true;
      }
      case 'TIER_LIMIT': {
        const lane = randomLane(reserveLanes.get(f.payerGroup)!) ?? randomLane(allReserveLanes);
        if (lane === null) return false;
        const p = payers[lane]!;
        const coin = p.reserve!;
        const single = limitsOf(p.wallet).single!;
        const amount = single + 1 + badRng.int(coin.value - single);
        const payee = pickPayee(f, p.wallet, amount, false);
        if (!payee) return false;
        emit(i, p, [coin.id], outputsFor(payee, p.wallet, amount, coin.value), day, code, -1);
        return true;
      }
      case 'BAD_SIGNATURE':
      case 'UNKNOWN_COIN': {
        const list = active.get(f.payerGroup)!;
        let p: Payer | null = null;
        for (let t = 0; t < TRIES && !p; t++) {
          const cand =
            payers[list.length > 0 ? list[badRng.int(list.length)]! : badRng.int(payers.length)]!;
          if (cand.anyCoin && cand.wallet.group === f.payerGroup) p = cand;
        }
        p ??= payers.find((x) => x.anyCoin && x.wallet.group === f.payerGroup) ?? null;
        if (!p) return false;
        const single = limitsOf(p.wallet).single ?? Infinity;
        if (code === 'UNKNOWN_COIN') {
          const amount = Math.max(1, Math.min(want, single));
          const payee = pickPayee(f, p.wallet, amount, false);
          if (!payee) return false;
          emit(
            i,
            p,
            [badRng.hex32()],
            [{ owner: payee.pair.publicKey, value: amount }],
            day,
            code,
            -1,
          );
          return true;
        }
        const coin = p.anyCoin!;
        const amount = Math.max(1, Math.min(want, single, coin.value));
        const payee = pickPayee(f, p.wallet, amount, false);
        if (!payee) return false;
        emit(i, p, [coin.id], outputsFor(payee, p.wallet, amount, coin.value), day, code, -1, true);
        return true;
      }
    }
  };

  // 4. Build, in send order.
  const deferred = new Int32Array(flows.length);
  for (let i = 0; i < total; i++) {
    const fi = flowOf[i]!;
    const f = flows[fi]!;
    const st = stats.flows[f.name]!;
    st.ops++;
    if (f.channels) {
      const ch = f.channels.names[f.channels.picker.pick(channelRng)]!;
      stats.channels[ch] = (stats.channels[ch] ?? 0) + 1;
    }
    let k = kind[i]!;
    // An ALREADY_SPENT that had no earlier payment to re-spend is built at the next chance.
    if (k === VALID && deferred[fi]! > 0 && spenders.get(f.payerGroup)!.length > 0) {
      k = KIND_OF.ALREADY_SPENT;
      deferred[fi]!--;
    }
    if (k !== VALID) {
      const code = INVALID_CODES[k - 1]!;
      if (buildInvalid(i, f, code, day)) {
        st.invalid++;
        continue;
      }
      if (code !== 'ALREADY_SPENT')
        throw new WorkloadGenerationError(
          `${code} op ${i} of flow "${f.name}": no payer can build it (TIER_LIMIT needs a payer ` +
            'tier whose balance limit allows a coin above its single limit)',
        );
      deferred[fi]!++;
    }
    if (!buildValid(i, f, day, year)) {
      throw new WorkloadGenerationError(
        `population exhausted: op ${i} of flow "${f.name}" (${f.spec.payer} -> ${f.spec.payee}) ` +
          'found no payer with the funds and limits for it, or no payee with room; ' +
          'give the payer group more funding or members, or plan fewer payments',
      );
    }
    if (input.progress && (i & 1023) === 0) input.progress(i, total);
  }
  input.progress?.(total, total);
  stats.nonce = nonce;
  return stats;
}
