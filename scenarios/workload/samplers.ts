/** Draws of amounts and payees, from the scenario's distributions. */
import type { AmountModel, Popularity } from '../model/index.js';
import { FEN_PER_YUAN } from './population.js';
import { type Rng, WeightedPicker, zipfWeights } from './rng.js';

const fen = (yuan: number): number => Math.round(yuan * FEN_PER_YUAN);

/** Draws a payment amount in fen. */
export type AmountSampler = (rng: Rng) => number;

/** A sampler for an amount model, in fen. */
export function amountSampler(model: AmountModel): AmountSampler {
  switch (model.kind) {
    case 'fixed': {
      const v = fen(model.yuan);
      return () => v;
    }
    case 'choice': {
      const values = model.yuan.map(fen);
      const picker = new WeightedPicker(model.weights ?? values.map(() => 1));
      return (rng) => values[picker.pick(rng)]!;
    }
    case 'uniform': {
      const lo = fen(model.minYuan);
      const hi = fen(model.maxYuan);
      return (rng) => lo + rng.int(hi - lo + 1);
    }
    case 'lognormal': {
      const median = fen(model.medianYuan);
      const lo = fen(model.minYuan);
      const hi = fen(model.maxYuan);
      return (rng) =>
        Math.min(hi, Math.max(lo, Math.round(median * Math.exp(model.sigma * rng.normal()))));
    }
  }
}

/** The smallest amount a model can draw, in fen. */
export function minAmount(model: AmountModel): number {
  switch (model.kind) {
    case 'fixed':
      return fen(model.yuan);
    case 'choice':
      return Math.min(...model.yuan.map(fen));
    case 'uniform':
      return fen(model.minYuan);
    case 'lognormal':
      return fen(model.minYuan);
  }
}

/** Draws a member index (0..count-1) of a payee group. */
export type MemberSampler = (rng: Rng) => number;

/** A sampler of group members by popularity; `rng` fixes the `each` order. */
export function memberSampler(
  popularity: Popularity | undefined,
  count: number,
  rng: Rng,
): MemberSampler {
  switch (popularity?.kind ?? 'uniform') {
    case 'zipf': {
      const s = popularity?.kind === 'zipf' ? popularity.s : 1;
      const picker = new WeightedPicker(zipfWeights(count, s));
      return (r) => picker.pick(r);
    }
    case 'each': {
      // Each member once per round, in a shuffled order fixed by the seed.
      const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
      let next = 0;
      return () => {
        const m = order[next]!;
        next = (next + 1) % count;
        return m;
      };
    }
    default:
      return (r) => r.int(count);
  }
}
