/**
 * The measured phase: every op built with its outcome known by construction, in three units:
 * - planning (measured-plan.ts): send times, flows, which ops are invalid, offline times;
 * - bookkeeping (ledger-model.ts): the generator's model of the ledger, from which only valid
 *   ops that settle under ANY interleaving the driver may produce are built:
 *    - a payer spends genesis coins (settled before measurement) or change from one earlier op
 *      of its own lane, named in `dependsOn`; coins received from other lanes are never spent,
 *      so no dependency crosses lanes;
 *    - a payer's daily and annual totals stay within its tier whatever the order, and each
 *      payment within its single limit;
 *    - a personal payee's genesis balance plus everything it will ever receive stays within its
 *      balance limit, so no order of credits can hit the cap (its own payments only lower it);
 * - assembly (payments.ts, op-emitter.ts): the payment ops, valid or invalid for exactly one
 *   reason, signed and appended in send order.
 * This file walks the plan in send order, firing the two-tier flows (claims, top-ups,
 * redemptions, sweeps, expiry, replenishment: two-tier.ts) between the payments, and keeps the
 * tallies the workload's meta reports.
 */
import { CodedError, type KeyPair } from '../../engine/domain/index.js';
import { yearOf } from '../../engine/registry/index.js';
import {
  INVALID_CODES,
  type InvalidCode,
  type ResolvedScenario,
  startLocalMs,
} from '../model/index.js';
import type { GenesisResult } from './genesis.js';
import { LedgerModel } from './ledger-model.js';
import { type FlowRt, type MeasuredPlan, planMeasured, VALID } from './measured-plan.js';
import { OpEmitter } from './op-emitter.js';
import type { OpList } from './op-list.js';
import { type PaidPayment, PaymentBuilder, type PaymentSlot } from './payments.js';
import type { Population } from './population.js';
import type { Rng } from './rng.js';
import { TwoTierFlows, type TwoTierStats } from './two-tier.js';
import type { TwoTierPlan } from './two-tier-plan.js';

export { plannedCounts } from './measured-plan.js';

/** The population cannot carry the planned payments (or an invalid op cannot be built). */
export class WorkloadGenerationError extends CodedError {
  readonly code = 'WORKLOAD_GENERATION';
  readonly kind = 'failure';
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
  readonly dependent: number;
  readonly maxChain: number;
  readonly nonce: number;
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

/** Appends the measured ops to `input.out` and reports what meta needs. */
export function buildMeasured(input: MeasuredInput): MeasuredStats {
  const { resolved, pop, genesis, plan } = input;
  const measured = planMeasured(resolved, pop, input.rng);
  const ledger = new LedgerModel(resolved, pop, genesis, plan, measured.flows, input.rng);
  const emitter = new OpEmitter(input.out, resolved.durationS * 1000, input.day, input.nonce);
  const payments = new PaymentBuilder(
    ledger,
    emitter,
    pop,
    input.day,
    yearOf(input.day),
    input.rng,
  );
  const twoTier = twoTierFlowsFor(input, ledger, emitter);
  const tally = new Tally(measured, pop);
  const owed = new OwedInvalid(measured.flows.length, ledger, plan.claims.length > 0);
  const channelRng = input.rng.fork('channels');
  const { total, u, flowOf, kind, madeU } = measured;
  for (let i = 0; i < total; i++) {
    twoTier?.runUntil(u[i]!);
    const fi = flowOf[i]!;
    const flow = measured.flows[fi]!;
    const slot: PaymentSlot = {
      i,
      u: u[i]!,
      flow,
      channel: tally.slot(flow, channelRng),
      offline: !Number.isNaN(madeU[i]!),
    };
    const code = owed.codeFor(kind[i]!, fi, flow);
    if (code !== null) {
      if (payments.invalid(slot, code)) {
        tally.flows[flow.name]!.invalid++;
        continue;
      }
      owed.owe(slot, fi, code);
    }
    const paid = payments.valid(slot);
    if (!paid) {
      throw new WorkloadGenerationError(
        `population exhausted: op ${i} of flow "${flow.name}" (${flow.spec.payer} -> ` +
          `${flow.spec.payee}) found no payer with the funds and limits for it, or no payee ` +
          'with room; give the payer group more funding or members, or plan fewer payments',
      );
    }
    tally.paid(flow, paid);
    twoTier?.onPayment(paid.payee, paid.txid, paid.amount, paid.index, paid.lane);
    if (input.progress && (i & 1023) === 0) input.progress(i, total);
  }
  // Events after the last payment: the last day's sweeps, the recovery of expired packets.
  twoTier?.runUntil(Number.POSITIVE_INFINITY);
  input.progress?.(total, total);
  return {
    flows: tally.flows,
    channels: tally.channels,
    received: tally.received,
    backlogCurve: measured.backlogCurve,
    offlineMade: measured.offlineMade,
    dependent: emitter.dependent,
    maxChain: emitter.maxChain,
    nonce: emitter.nonce,
    lanes: ledger.payers.length + (resolved.spec.twoTier?.replenish ? pop.banks.length : 0),
    twoTier: twoTier?.stats ?? null,
  };
}

/** The two-tier flows of the scenario over the ledger model, or null when it has none. */
function twoTierFlowsFor(
  input: MeasuredInput,
  ledger: LedgerModel,
  emitter: OpEmitter,
): TwoTierFlows | null {
  const { resolved, plan } = input;
  if (plan.claims.length === 0 && resolved.spec.twoTier === undefined) return null;
  return new TwoTierFlows({
    resolved,
    pop: input.pop,
    genesis: input.genesis,
    plan,
    payerOf: (w) => ledger.payerOf(w),
    activate: (p) => ledger.activate(p),
    emit: (...op) => emitter.emit(...op),
    centralBank: input.centralBank,
    // Replenishments run in one lane per bank, after every payer's.
    bankLane: (b) => ledger.payers.length + b,
    startLocalMs: startLocalMs(resolved.spec.start),
    windowMs: resolved.durationS * 1000 * resolved.timeCompression,
    rng: input.rng.fork('two-tier'),
  });
}

/**
 * Invalid ops that could not be built at their slot, owed at their flow's next valid slot: an
 * ALREADY_SPENT before the flow's payers have paid anything to re-spend, a TIER_LIMIT before
 * any reserve holder of a claimed group has claimed. Any other code that cannot be built is a
 * population that cannot carry it.
 */
class OwedInvalid {
  readonly #alreadySpent: Int32Array;
  readonly #tierLimit: Int32Array;
  readonly #ledger: LedgerModel;
  readonly #claims: boolean;

  constructor(flows: number, ledger: LedgerModel, claims: boolean) {
    this.#alreadySpent = new Int32Array(flows);
    this.#tierLimit = new Int32Array(flows);
    this.#ledger = ledger;
    this.#claims = claims;
  }

  /** The code the op of this slot is built with (its planned one, or one owed); null: valid. */
  codeFor(kind: number, fi: number, flow: FlowRt): InvalidCode | null {
    if (kind !== VALID) return INVALID_CODES[kind - 1]!;
    if (this.#alreadySpent[fi]! > 0 && this.#ledger.spenders(flow.payerGroup).length > 0) {
      this.#alreadySpent[fi]!--;
      return 'ALREADY_SPENT';
    }
    if (this.#tierLimit[fi]! > 0 && this.#ledger.reserveLanes(flow.payerGroup).length > 0) {
      this.#tierLimit[fi]!--;
      return 'TIER_LIMIT';
    }
    return null;
  }

  /** The slot's `code` op could not be built now: owe it, or give up on the population. */
  owe(slot: PaymentSlot, fi: number, code: InvalidCode): void {
    if (code === 'TIER_LIMIT' && this.#claims) this.#tierLimit[fi]!++;
    else if (code === 'ALREADY_SPENT') this.#alreadySpent[fi]!++;
    else
      throw new WorkloadGenerationError(
        `${code} op ${slot.i} of flow "${slot.flow.name}": no payer can build it (TIER_LIMIT ` +
          'needs a payer tier whose balance limit allows a coin above its single limit)',
      );
  }
}

/** Per-flow, per-channel and per-payee counts of the payments built. */
class Tally {
  readonly flows: MeasuredStats['flows'];
  readonly channels: Record<string, number> = {};
  readonly received = new Map<number, number[]>();

  constructor(plan: MeasuredPlan, pop: Population) {
    this.flows = Object.fromEntries(
      plan.flows.map((f) => [f.name, { ops: 0, valid: 0, invalid: 0, fen: 0 }]),
    );
    for (const f of plan.flows)
      if (!this.received.has(f.payeeGroup))
        this.received.set(f.payeeGroup, new Array<number>(pop.groups[f.payeeGroup]!.count).fill(0));
  }

  /** A slot of `flow` begins: counted, and its channel label drawn (if the flow names any). */
  slot(flow: FlowRt, channelRng: Rng): string {
    this.flows[flow.name]!.ops++;
    if (!flow.channels) return '';
    const channel = flow.channels.names[flow.channels.picker.pick(channelRng)]!;
    this.channels[channel] = (this.channels[channel] ?? 0) + 1;
    return channel;
  }

  paid(flow: FlowRt, p: PaidPayment): void {
    const st = this.flows[flow.name]!;
    st.valid++;
    st.fen += p.amount;
    this.received.get(flow.payeeGroup)![p.payee.member]!++;
  }
}
