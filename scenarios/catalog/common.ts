/** Data shared by several scenarios. */

/**
 * The four big state banks (ICBC, ABC, BOC, CCB): the operators of the 2020 closed pilots; the
 * Suzhou subsidy was paid through them (docs/scenarios.md, domain brief "Pilots").
 */
export const BIG_FOUR_BANKS = ['ICBC', 'ABC', 'BOC', 'CCB'] as const;

/** Seconds in an hour and a day, for scenario windows. */
export const HOUR_S = 3_600;
export const DAY_S = 86_400;
