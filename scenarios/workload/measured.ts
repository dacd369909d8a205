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
 * The two-tier flows (claims, top-ups, redemptions, sweeps, expiry, replenishment) are timed
 * events interleaved with the payments (two-tier.ts), under the same rules.
 */
import {
  CodedError,
  coinIdOf,
  type KeyPair,
  type Output,
  type TxFields,
} from '../../engine/domain/index.js';
import { yearOf } from '../../engine/registry/index.js';
import { eventTimes, uniformTimes } from '../../rates/index.js';
import {
  DEFAULT_INVALID_SPLIT,
  type FlowSpec,
  INVALID_CODES,
  type InvalidCode,
  type Mix,
  normaliseSplit,
  type ResolvedScenario,
  startLocalMs,
} from '../model/index.js';
import type { GenesisCoin, GenesisResult } from './genesis.js';
import type { OpList } from './op-list.js';
import { Payer, selectCoins } from './payer.js';
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
import { TwoTierFlows, type TwoTierStats } from './two-tier.js';
import type { TwoTierPlan } from './two-tier-plan.js';
import { type Expected, OFFLINE_TRANSFER, type OpLabel } from './types.js';

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

/** The population cannot carry the planned payments (or an invalid op cannot be built). */
export class WorkloadGenerationError extends CodedError {
  readonly code = 'WORKLOAD_GENERATION';
  readonly kind = 'failure';
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
  /** The two-tier flows' ops and money, when the scenario has any. */
  readonly twoTier: TwoTierStats | null;
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
  readonly plan: TwoTierPlan;
  /** The workload's central bank: it signs the replenishing allocations. */
  readonly centralBank: KeyPair;
  readonly progress?: (done: number, total: number) => void;
}

/** Counts of the planned ops: valid payments as the scale says, invalid on top as a share. */
export function plannedCounts(payments: number, share: number): { total: number; invalid: number } {
  const invalid = share > 0 ? Math.round((payments * share) / (1 - share)) : 0;
  return { total: payments + invalid, invalid };
}

/** Appends the measured ops to `input.out` and reports what meta needs. */
export function buildMeasured(input: MeasuredInput): MeasuredStats {
  const { resolved, pop, genesis, out, plan } = input;
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
  const expiring = new Set((spec.twoTier?.expiry?.groups ?? []).map((g) => pop.groupIndex.get(g)!));
  const payers: Payer[] = [];
  for (const w of pop.wallets) {
    if (!payerGroups.has(w.group)) continue;
    w.lane = payers.length;
    const p = new Payer(w, genesis.coins[w.index]!, genesis.reserves[w.index]!);
    // A claimed wallet can do nothing until its claim (two-tier.ts makes it ready).
    if (!Number.isNaN(w.claimAt)) p.ready = false;
    else if (expiring.has(w.group)) p.packet = p.genTotal;
    payers.push(p);
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
  const isActive = new Uint8Array(payers.length);
  const spenders = new Map<number, number[]>();
  const reserveLanes = new Map<number, number[]>();
  for (const p of payers) {
    const g = p.wallet.group;
    if (!active.has(g)) {
      active.set(g, []);
      spenders.set(g, []);
      reserveLanes.set(g, []);
    }
    if (p.ready && p.available() >= groupMin.get(g)!) {
      active.get(g)!.push(p.wallet.lane);
      isActive[p.wallet.lane] = 1;
    }
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
  // Planned top-ups count against a wallet's balance cap like its genesis coins.
  for (const t of plan.topUps) for (const v of t.values) gbal[t.wallet]! += v;

  const stats: MeasuredStats = {
    flows: Object.fromEntries(flows.map((f) => [f.name, { ops: 0, valid: 0, invalid: 0, fen: 0 }])),
    channels: {},
    received: new Map(),
    backlogCurve,
    offlineMade,
    dependent: 0,
    maxChain: 0,
    nonce: input.nonce,
    lanes: payers.length + (spec.twoTier?.replenish ? pop.banks.length : 0),
    twoTier: null,
  };
  for (const f of flows) {
    const g = pop.groups[f.payeeGroup]!;
    if (!stats.received.has(f.payeeGroup))
      stats.received.set(f.payeeGroup, new Array<number>(g.count).fill(0));
  }
  /** Chain depth of each op (ops that wait for others), indexed like `out`. */
  const depth: number[] = [];
  let nonce = input.nonce;

  /** Appends one signed op at normalised time `at`; every measured op goes through here. */
  const emitOp = (
    at: number,
    fields: Omit<TxFields, 'day' | 'nonce'>,
    pair: KeyPair,
    expected: Expected,
    dependsOn: number,
    lane: number,
    label: OpLabel,
    channel = '',
    opDay = day,
    corrupt?: { index: number; mask: number },
  ) => {
    const signed = signOp({ ...fields, day: opDay, nonce: nonce++ } as TxFields, pair, corrupt);
    const ms = Math.round(at * durationMs * 1000) / 1000;
    const index = out.push(signed.body, expected, ms, dependsOn, lane, label, channel);
    depth[index] = dependsOn >= 0 ? depth[dependsOn]! + 1 : 0;
    if (dependsOn >= 0) {
      stats.dependent++;
      if (depth[index]! > stats.maxChain) stats.maxChain = depth[index]!;
    }
    return { index, txid: signed.txid };
  };

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
        isActive[lane] = 0;
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

  /** The channel label of the payment being built (set per op in the build loop). */
  let channel = '';
  const emit = (
    i: number,
    payer: Payer,
    inputs: string[],
    outputs: Output[],
    day: number,
    expected: Expected,
    dependsOn: number,
    corrupt = false,
  ) =>
    emitOp(
      u[i]!,
      {
        type: Number.isNaN(madeU[i]!) ? 'transfer' : 'offline-transfer',
        signer: payer.wallet.pair.publicKey,
        inputs,
        outputs,
      },
      payer.wallet.pair,
      expected,
      dependsOn,
      payer.wallet.lane,
      Number.isNaN(madeU[i]!) ? 'transfer' : OFFLINE_TRANSFER,
      channel,
      day,
      corrupt ? { index: badRng.int(64), mask: 1 + badRng.int(255) } : undefined,
    );

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
    // A packet is spent first (the Luohu rule): expiry recovers only what payments left of it.
    if (p.packet > 0) p.paidFromPacket = Math.min(p.packet, p.paidFromPacket + pick.amount);
    twoTier?.onPayment(payee, ref.txid, pick.amount, ref.index, p.wallet.lane);
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
        emit(
          i,
          p,
          [coin.id],
          outputsFor(payee, p.wallet, amount, coin.value),
          day,
          code,
          p.reserveOp,
        );
        return true;
      }
      case 'BAD_SIGNATURE':
      case 'UNKNOWN_COIN': {
        const list = active.get(f.payerGroup)!;
        let p: Payer | null = null;
        for (let t = 0; t < TRIES && !p; t++) {
          const cand =
            payers[list.length > 0 ? list[badRng.int(list.length)]! : badRng.int(payers.length)]!;
          if (cand.anyCoin && cand.ready && cand.wallet.group === f.payerGroup) p = cand;
        }
        p ??= payers.find((x) => x.anyCoin && x.ready && x.wallet.group === f.payerGroup) ?? null;
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
            // A claimed payer exists only once its claim is answered.
            p.openOp,
          );
          return true;
        }
        const coin = p.anyCoin!;
        const amount = Math.max(1, Math.min(want, single, coin.value));
        const payee = pickPayee(f, p.wallet, amount, false);
        if (!payee) return false;
        // Refused at verification whatever the order; it waits for a claim only to look real.
        emit(
          i,
          p,
          [coin.id],
          outputsFor(payee, p.wallet, amount, coin.value),
          day,
          code,
          p.openOp,
          true,
        );
        return true;
      }
    }
  };

  // The two-tier flows: timed events fired between the payments, in time order.
  const cb = input.centralBank;
  const twoTier =
    plan.claims.length > 0 || spec.twoTier !== undefined
      ? new TwoTierFlows({
          resolved,
          pop,
          genesis,
          plan,
          payerOf: (w) => {
            const lane = pop.wallets[w]!.lane;
            return lane >= 0 ? payers[lane] : undefined;
          },
          activate: (p) => {
            const lane = p.wallet.lane;
            if (!isActive[lane]) {
              isActive[lane] = 1;
              active.get(p.wallet.group)!.push(lane);
            }
            const reserves = reserveLanes.get(p.wallet.group)!;
            if (p.reserve && !reserves.includes(lane)) reserves.push(lane);
          },
          emit: emitOp,
          centralBank: cb,
          bankLane: (b) => payers.length + b,
          startLocalMs: startLocalMs(spec.start),
          windowMs: durationMs * resolved.timeCompression,
          rng: input.rng.fork('two-tier'),
        })
      : null;

  // 4. Build, in send order.
  const deferred = new Int32Array(flows.length);
  const deferredTierLimit = new Int32Array(flows.length);
  for (let i = 0; i < total; i++) {
    twoTier?.runUntil(u[i]!);
    const fi = flowOf[i]!;
    const f = flows[fi]!;
    const st = stats.flows[f.name]!;
    st.ops++;
    channel = '';
    if (f.channels) {
      channel = f.channels.names[f.channels.picker.pick(channelRng)]!;
      stats.channels[channel] = (stats.channels[channel] ?? 0) + 1;
    }
    let k = kind[i]!;
    // An ALREADY_SPENT that had no earlier payment to re-spend is built at the next chance;
    // so is a TIER_LIMIT before any reserve holder has claimed.
    if (k === VALID && deferred[fi]! > 0 && spenders.get(f.payerGroup)!.length > 0) {
      k = KIND_OF.ALREADY_SPENT;
      deferred[fi]!--;
    } else if (
      k === VALID &&
      deferredTierLimit[fi]! > 0 &&
      reserveLanes.get(f.payerGroup)!.length > 0
    ) {
      k = KIND_OF.TIER_LIMIT;
      deferredTierLimit[fi]!--;
    }
    if (k !== VALID) {
      const code = INVALID_CODES[k - 1]!;
      if (buildInvalid(i, f, code, day)) {
        st.invalid++;
        continue;
      }
      if (code === 'TIER_LIMIT' && plan.claims.length > 0) deferredTierLimit[fi]!++;
      else if (code === 'ALREADY_SPENT') deferred[fi]!++;
      else
        throw new WorkloadGenerationError(
          `${code} op ${i} of flow "${f.name}": no payer can build it (TIER_LIMIT needs a payer ` +
            'tier whose balance limit allows a coin above its single limit)',
        );
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
  // Events after the last payment: the last day's sweeps, the recovery of expired packets.
  twoTier?.runUntil(Number.POSITIVE_INFINITY);
  input.progress?.(total, total);
  stats.nonce = nonce;
  return { ...stats, twoTier: twoTier?.stats ?? null };
}
