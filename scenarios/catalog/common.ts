/** Data and helpers shared by several scenarios. */
import type { ModelledFact, Source, SourcedFact } from '../model/index.js';

/**
 * The four big state banks (ICBC, ABC, BOC, CCB): the operators of the 2020 closed pilots; the
 * Suzhou subsidy was paid through them (see the facts of each scenario for the sources).
 */
export const BIG_FOUR_BANKS = ['ICBC', 'ABC', 'BOC', 'CCB'] as const;

/** The six big state banks: the four plus Bank of Communications and Postal Savings Bank. */
export const SIX_BIG_BANKS = [...BIG_FOUR_BANKS, 'BOCOM', 'PSBC'] as const;

/** Seconds in an hour and a day, for scenario windows. */
export const HOUR_S = 3_600;
export const DAY_S = 86_400;

/** A figure read on `source`, exactly as it gives it, used for the parameters `uses`. */
export function fact(
  figure: string,
  value: string,
  source: Source,
  ...uses: [string, ...string[]]
): SourcedFact {
  return { figure, value, source, uses };
}

/** A figure no source gives: the value used, why, and the parameters it is used for. */
export function modelled(
  figure: string,
  value: string,
  why: string,
  ...uses: [string, ...string[]]
): ModelledFact {
  return { figure, value, modelled: why, uses };
}
