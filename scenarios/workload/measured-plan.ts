/**
 * Planning the measured phase, before any op is built: when each op is sent (the arrival
 * curve), which flow it belongs to (the mix in force then), which ops are invalid and with
 * which code (exact counts per flow and per code), and when each offline payment was made.
 * Nothing here looks at the ledger; the same inputs give the same plan.
 */

import { eventTimes, uniformTimes } from '../../rates/index.js';
import {
  DEFAULT_INVALID_SPLIT,
  type FlowSpec,
  INVALID_CODES,
  type InvalidCode,
  type Mix,
  normaliseSplit,
  type ResolvedScenario,
} from '../model/index.js';
import type { Population } from './population.js';
import { apportion, type Rng, WeightedPicker } from './rng.js';
import { type AmountSampler, amountSampler, minAmount } from './samplers.js';

/** Kind of a planned op: VALID, else 1 + index into INVALID_CODES. */
export const VALID = 0;
const KIND_OF: Readonly<Record<InvalidCode, number>> = {
  BAD_SIGNATURE: 1,
  ALREADY_SPENT: 2,
  TIER_LIMIT: 3,
  UNKNOWN_COIN: 4,
};

/** A flow with what building its ops needs: its groups, samplers and invalid split. */
export interface FlowRt {
  readonly name: string;
  readonly spec: FlowSpec;
  readonly payerGroup: number;
  readonly payeeGroup: number;
  readonly amount: AmountSampler;
  readonly min: number;
  readonly channels: { readonly names: string[]; readonly picker: WeightedPicker } | null;
  readonly split: Readonly<Record<InvalidCode, number>>;
}

/** The measured phase as planned: one entry per op, in send order. */
export interface MeasuredPlan {
  readonly flows: readonly FlowRt[];
  readonly total: number;
  /** Normalised send time of each op. */
  readonly u: Float64Array;
  /** Index into `flows` of each op. */
  readonly flowOf: Int32Array;
  /** VALID or KIND_OF[code] of each op. */
  readonly kind: Uint8Array;
  /** Normalised time each offline payment was made; NaN for ops made online. */
  readonly madeU: Float64Array;
  /** Offline payments made and not yet sent, at the end of each second. */
  readonly backlogCurve: number[] | null;
  /** Offline payments made in each second. */
  readonly offlineMade: number[] | null;
}

/** Counts of the planned ops: valid payments as the scale says, invalid on top as a share. */
export function plannedCounts(payments: number, share: number): { total: number; invalid: number } {
  const invalid = share > 0 ? Math.round((payments * share) / (1 - share)) : 0;
  return { total: payments + invalid, invalid };
}

/** Plans every measured op of `resolved` over `pop`. */
export function planMeasured(resolved: ResolvedScenario, pop: Population, rng: Rng): MeasuredPlan {
  const flows = flowRuntimes(resolved, pop);
  const { total, invalid } = plannedCounts(resolved.payments, resolved.invalidShare);
  const u = eventTimes(resolved.spec.arrival, total);
  const { flowOf, opsOfFlow } = assignFlows(resolved, flows, u, rng.fork('timeline'));
  const kind = planInvalid(flows, opsOfFlow, invalid, total, rng);
  const offline = planOffline(flows, opsOfFlow, u, resolved.durationS * 1000);
  return { flows, total, u, flowOf, kind, ...offline };
}

function flowRuntimes(resolved: ResolvedScenario, pop: Population): FlowRt[] {
  const spec = resolved.spec;
  return Object.keys(spec.flows).map((name) => {
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
}

/** The flow of each op, drawn from the mix in force at its send time. */
function assignFlows(
  resolved: ResolvedScenario,
  flows: readonly FlowRt[],
  u: Float64Array,
  timeline: Rng,
): { flowOf: Int32Array; opsOfFlow: number[][] } {
  const spec = resolved.spec;
  const flowNames = flows.map((f) => f.name);
  const mixPicker = (mix: Mix) => {
    const names = Object.keys(mix);
    return {
      ids: names.map((n) => flowNames.indexOf(n)),
      picker: new WeightedPicker(names.map((n) => mix[n]!)),
    };
  };
  const defaultMix = mixPicker(spec.mix);
  const phases = (spec.phases ?? []).map((p) => ({ from: p.from, to: p.to, ...mixPicker(p.mix) }));
  const flowOf = new Int32Array(u.length);
  const opsOfFlow: number[][] = flows.map(() => []);
  for (let i = 0; i < u.length; i++) {
    const ui = u[i]!;
    const ph = phases.find((p) => ui >= p.from && ui < p.to) ?? defaultMix;
    const f = ph.ids[ph.picker.pick(timeline)]!;
    flowOf[i] = f;
    opsOfFlow[f]!.push(i);
  }
  return { flowOf, opsOfFlow };
}

/** Which ops are invalid: exact counts per flow (by its size) and per code (by its split). */
function planInvalid(
  flows: readonly FlowRt[],
  opsOfFlow: readonly number[][],
  invalid: number,
  total: number,
  rng: Rng,
): Uint8Array {
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
    const chosen = rng.fork(`invalid/${f.name}`).shuffle(list.slice()).slice(0, n);
    let k = 0;
    INVALID_CODES.forEach((code, ci) => {
      for (let j = 0; j < byCode[ci]!; j++) kind[chosen[k++]!] = KIND_OF[code];
    });
  });
  return kind;
}

/** Offline flows: made evenly over their offline window, synced in order of sending. */
function planOffline(
  flows: readonly FlowRt[],
  opsOfFlow: readonly number[][],
  u: Float64Array,
  durationMs: number,
): Pick<MeasuredPlan, 'madeU' | 'backlogCurve' | 'offlineMade'> {
  const madeU = new Float64Array(u.length).fill(Number.NaN);
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
  return { madeU, backlogCurve, offlineMade };
}
