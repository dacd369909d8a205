/**
 * Suzhou, May 2020: civil servants in Xiangcheng district receive half of their monthly transport
 * subsidy in e-CNY, through the four big state banks, then spend it. And Suzhou "Double 12",
 * Dec 2020: 100,000 red packets x 200 yuan, 10,368 stores plus JD.com online, 96,614 claimed,
 * 18.97 M yuan spent, 55.3% in stores and 44.7% online (sources in each variant's `facts`).
 *
 * Modelled (no source gives them): the number of civil servants and government payer wallets,
 * the subsidy amounts, the employees' own balances, the merchants serving them, ticket sizes, the
 * arrival curve, the Double-12 payment count and ticket size.
 */

import type { ArrivalCurve } from '../../rates/index.js';
import type {
  Fact,
  FlowSpec,
  GroupSpec,
  ScenarioDefinition,
  ScenarioSpec,
} from '../model/index.js';
import { BIG_FOUR_BANKS, DAY_S, fact, HOUR_S, modelled, SIX_BIG_BANKS } from './common.js';
import {
  ASIAFINANCIAL_SUZHOU_SUBSIDY,
  BG3_SUZHOU_RESULTS,
  COINFOMANIA_SUZHOU_SUBSIDY,
  EIGHTBTC_SUZHOU_WINDOW,
  GLOBALTIMES_JD_ORDERS,
  JD_BLOG_FIRST_ORDER,
  PANDAILY_SUZHOU_RESULTS,
} from './sources.js';

/**
 * Government payer wallets. Tier 1 (in-person KYC) has the highest limits, yet its daily limit
 * of 100,000 yuan caps a payer at ~570 subsidies of 175 yuan per value day; so the count grows
 * with the population (modelled: a few per bank per district). Kind `merchant` stands for an
 * institutional wallet: payment limits of its tier, no balance cap.
 */
const GOV_COUNT = { small: 4, city: 48, national: 480 } as const;
/** Subsidies each payer is funded for: its share of the employees (~420 at city) with margin. */
const SUBSIDIES_PER_PAYER = 500;
/** Largest subsidy: one pre-split coin covers any one payment. */
const SUBSIDY_MAX_YUAN = 250;

const employees: GroupSpec = {
  kind: 'personal',
  // Modelled: civil servants' wallets across tiers 2-4.
  tiers: { 2: 0.3, 3: 0.4, 4: 0.3 },
  count: { small: 1_000, city: 20_000, national: 200_000 },
  // Their own e-CNY (exchanged at wallet set-up), pre-split so payments run in parallel. The
  // subsidy they receive is not spent during the run: coins received from another lane are
  // never spent (see scenarios/workload/types.ts), so the spending wave uses these.
  funding: [{ share: 1, coins: 4, yuan: 50 }],
  popularity: { kind: 'each' },
};

const transport: GroupSpec = {
  kind: 'merchant',
  tiers: { 2: 1 },
  // Metro lines and bus companies: few, and a few take most rides (modelled).
  count: { small: 8, city: 40, national: 200 },
  popularity: { kind: 'zipf', s: 1.2 },
};

const shops: GroupSpec = {
  kind: 'merchant',
  tiers: { 2: 1 },
  count: { small: 150, city: 3_000, national: 30_000 },
  popularity: { kind: 'zipf', s: 0.8 },
};

const spendingFlows: Record<string, FlowSpec> = {
  // Targeted circulation: transport fares (modelled: 2-8 yuan typical).
  transport: {
    payer: 'employees',
    payee: 'transport',
    amount: { kind: 'lognormal', medianYuan: 4, sigma: 0.5, minYuan: 1, maxYuan: 30 },
    coins: 'fresh',
    channels: { scan: 0.7, tap: 0.3 },
  },
  shops: {
    payer: 'employees',
    payee: 'shops',
    amount: { kind: 'lognormal', medianYuan: 35, sigma: 0.8, minYuan: 2, maxYuan: 200 },
    coins: 'fresh',
    channels: { scan: 0.85, tap: 0.15 },
  },
};

/**
 * Disbursement burst in the first ~10 hours of a 7-day window (u < 0.06), then a spending wave
 * that peaks as the subsidy lands and decays over the following days (modelled).
 */
const SUBSIDY_CURVE: ArrivalCurve = {
  kind: 'curve',
  points: [
    { t: 0, rate: 0 },
    { t: 0.005, rate: 10 },
    { t: 0.05, rate: 10 },
    { t: 0.06, rate: 1 },
    { t: 0.1, rate: 3 },
    { t: 0.3, rate: 2 },
    { t: 1, rate: 0.8 },
  ],
};

const SUBSIDY_FACTS: readonly Fact[] = [
  fact(
    'month of the payment',
    'Xiangcheng District ... will distribute 50% of the transportation subsidy in May',
    ASIAFINANCIAL_SUZHOU_SUBSIDY,
    'start',
    'flows.subsidy.amount',
  ),
  modelled(
    'day and window',
    'from Mon 11 May 2020 09:00, over 7 days',
    'the sources give the month only',
    'start',
    'windowS',
  ),
  fact(
    'banks',
    'the four big state-owned banks, Agricultural Bank of China, ICBC, Bank of China and China Construction Bank',
    COINFOMANIA_SUZHOU_SUBSIDY,
    'banks',
  ),
  fact(
    'recipients',
    'all employees eligible for the transportation subsidy should install the DC/EP digital wallets this April',
    COINFOMANIA_SUZHOU_SUBSIDY,
    'groups.employees.popularity',
  ),
  modelled(
    'employees',
    '1,000 / 20,000 / 200,000 civil servants (tiers 2/3/4 = 30/40/30%), each with 200 yuan of their own in 4 coins',
    'no source gives the number of recipients, their wallet tiers or balances',
    'groups.employees.count',
    'groups.employees.tiers',
    'groups.employees.funding',
  ),
  modelled(
    'government payer wallets',
    '4 / 48 / 480 tier-1 institutional wallets, each funded for 500 subsidies of up to 250 yuan',
    "no source gives the payers; tier 1's daily limit caps a payer at ~570 subsidies of 175 yuan a day",
    'groups.gov.count',
    'groups.gov.tiers',
    'groups.gov.funding',
  ),
  modelled(
    'subsidy amounts',
    '100 / 150 / 200 / 250 yuan, paid online from payroll',
    'the source gives the half only; the monthly amounts by grade are our model',
    'flows.subsidy.amount',
    'flows.subsidy.channels',
  ),
  modelled(
    'transport operators and shops',
    'transport 8 / 40 / 200 (Zipf 1.2, fares median 4 yuan); shops 150 / 3,000 / 30,000 (Zipf 0.8, median 35 yuan, at most 200); scan 70-85%, tap the rest',
    'no source describes the spending of the subsidy',
    'groups.transport',
    'groups.shops',
    'flows.transport',
    'flows.shops',
  ),
  modelled(
    'shape',
    'disbursement in the first 6% of the run, then a spending wave 55% transport / 45% shops that peaks and decays',
    'no source gives the timing',
    'arrival',
    'mix',
    'phases',
  ),
  modelled(
    'payments',
    '4,000 / 80,000 / 800,000',
    'scale choices of the benchmark',
    'scales.small.payments',
    'scales.city.payments',
    'scales.national.payments',
  ),
];

function subsidyVariant(variant: 'hotspot' | 'presplit'): ScenarioSpec {
  const gov: GroupSpec = {
    kind: 'merchant',
    tiers: { 1: 1 },
    count: GOV_COUNT,
    funding:
      variant === 'hotspot'
        ? // One big coin each: every payment spends the previous change (a serial chain).
          [{ share: 1, coins: 1, yuan: SUBSIDIES_PER_PAYER * SUBSIDY_MAX_YUAN }]
        : // The same money pre-split into one coin per subsidy: independent payments.
          [{ share: 1, coins: SUBSIDIES_PER_PAYER, yuan: SUBSIDY_MAX_YUAN }],
  };
  return {
    name: 'suzhou-subsidy',
    variant,
    description:
      variant === 'hotspot'
        ? 'Transport subsidy fan-out from a few government wallets, each paying from one coin: ' +
          'a serial chain per payer (the bottleneck), then a spending wave'
        : 'Transport subsidy fan-out from a few government wallets with pre-split coins ' +
          '(independent payments), then a spending wave',
    start: '2020-05-11T09:00',
    windowS: 7 * DAY_S,
    banks: BIG_FOUR_BANKS,
    groups: { gov, employees, transport, shops },
    flows: {
      subsidy: {
        payer: 'gov',
        payee: 'employees',
        // Modelled: half of a monthly transport subsidy of 200-500 yuan by grade.
        amount: { kind: 'choice', yuan: [100, 150, 200, SUBSIDY_MAX_YUAN] },
        coins: variant === 'hotspot' ? 'chain' : 'fresh',
        channels: { online: 1 },
      },
      ...spendingFlows,
    },
    arrival: SUBSIDY_CURVE,
    mix: { transport: 0.55, shops: 0.45 },
    phases: [{ name: 'disbursement', from: 0, to: 0.06, mix: { subsidy: 1 } }],
    scales: {
      small: { payments: 4_000, durationS: 15, note: 'modelled district: 1,000 employees' },
      city: { payments: 80_000, durationS: 60, note: 'modelled district: 20,000 employees' },
      national: { payments: 800_000, durationS: 300, note: 'modelled: 10x city' },
    },
    facts: SUBSIDY_FACTS,
  };
}

/**
 * Double 12: red packets credited before the spending window (genesis), then spent in stores
 * (55.3% of value) and online at JD.com (44.7%) over 11-27 Dec.
 */
const DOUBLE12_FACTOR_SMALL = 50;
const double12: ScenarioSpec = {
  name: 'suzhou-subsidy',
  variant: 'double12',
  description:
    'Suzhou Double-12 red packets (100,000 x 200 yuan) spent at ~10,000 stores (55.3%) and ' +
    'JD.com online (44.7%) over 11-27 Dec 2020',
  // 11 Dec 20:00 to 27 Dec 24:00 (see the facts).
  start: '2020-12-11T20:00',
  windowS: 16 * DAY_S + 4 * HOUR_S,
  // The four big banks plus Postal Savings Bank and Bank of Communications (see the facts).
  banks: SIX_BIG_BANKS,
  groups: {
    claimants: {
      kind: 'personal',
      // Modelled: packets land mostly in newly opened, phone-only wallets.
      tiers: { 2: 0.1, 3: 0.2, 4: 0.7 },
      count: { small: 100_000 / DOUBLE12_FACTOR_SMALL, city: 100_000, national: 1_000_000 },
      // 96,614 of 100,000 claimed, 200 yuan each, as one coin (see the facts).
      funding: [{ share: 96_614 / 100_000, coins: 1, yuan: 200 }],
    },
    stores: {
      kind: 'merchant',
      tiers: { 2: 1 },
      count: { small: Math.round(10_368 / DOUBLE12_FACTOR_SMALL), city: 10_368, national: 103_680 },
      popularity: { kind: 'zipf', s: 0.9 },
    },
    // JD.com, the online merchant: one payee taking 44.7% of the value.
    jd: { kind: 'merchant', tiers: { 1: 1 }, count: { small: 1, city: 1, national: 1 } },
  },
  flows: {
    store: {
      payer: 'claimants',
      payee: 'stores',
      // Modelled shape; the median is calibrated so spending reaches ~96% of the real
      // 18.97 M yuan (scaled) without running every packet dry.
      amount: { kind: 'lognormal', medianYuan: 125, sigma: 0.7, minYuan: 1, maxYuan: 500 },
      coins: 'fresh',
      // A packet is spent down: the last payment takes what is left.
      capToAvailable: true,
      channels: { scan: 0.97, tap: 0.03 },
    },
    online: {
      payer: 'claimants',
      payee: 'jd',
      amount: { kind: 'lognormal', medianYuan: 125, sigma: 0.7, minYuan: 1, maxYuan: 500 },
      coins: 'fresh',
      capToAvailable: true,
      channels: { online: 1 },
    },
  },
  // Modelled: a launch evening and Double-12 peak, a decay, and a rush before the deadline.
  // Points are hours after 11 Dec 00:00 over the 388-hour window that opens at hour 20.
  arrival: {
    kind: 'curve',
    points: [
      { t: 0, rate: 3 },
      { t: (24 - 20) / 388, rate: 3 },
      { t: (36 - 20) / 388, rate: 4 },
      { t: (48 - 20) / 388, rate: 2 },
      { t: (96 - 20) / 388, rate: 1.2 },
      { t: (216 - 20) / 388, rate: 0.8 },
      { t: (360 - 20) / 388, rate: 0.6 },
      { t: 1, rate: 1.2 },
    ],
  },
  // 55.3% of the value in stores, 44.7% online; both flows draw the same ticket size, so the
  // count split equals the value split.
  mix: { store: 0.553, online: 0.447 },
  scales: {
    small: {
      // Modelled: 180,000 payments at city scale (18.97 M yuan at ~100 yuan a ticket).
      payments: 180_000 / DOUBLE12_FACTOR_SMALL,
      durationS: 15,
      note: 'scaled down proportionally: 1/50 of the real counts (packets, stores, payments)',
    },
    city: {
      payments: 180_000,
      durationS: 120,
      note: 'real counts (100,000 packets, 10,368 stores); payment count modelled',
    },
    national: { payments: 1_800_000, durationS: 600, note: 'modelled: 10x city' },
  },
  facts: [
    fact(
      'spending window',
      'valid from 20:00 on December 11 to 24:00 on December 27',
      EIGHTBTC_SUZHOU_WINDOW,
      'start',
      'windowS',
    ),
    fact(
      'banks',
      'two more banks, Postal Savings Bank of China and Bank of Communications, for their first time joined the experiment',
      PANDAILY_SUZHOU_RESULTS,
      'banks',
    ),
    fact(
      'first order',
      'the first online order by DCEP was made at 20:00:02 on December 11',
      JD_BLOG_FIRST_ORDER,
      'arrival',
    ),
    fact(
      'red packets',
      '100,000 red packets (10万个) of 200 yuan, 20 million yuan',
      BG3_SUZHOU_RESULTS,
      'groups.claimants.count',
      'groups.claimants.funding',
    ),
    fact(
      'claimed',
      '96,614 residents were awarded red envelopes with the digital currency',
      PANDAILY_SUZHOU_RESULTS,
      'groups.claimants.funding',
    ),
    modelled(
      'claimant tiers',
      'tiers 2/3/4 = 10/20/70%',
      'no source gives the tiers; packets landed mostly in newly opened phone-number wallets',
      'groups.claimants.tiers',
    ),
    fact(
      'stores',
      '10,368 physical stores covering 5 districts and some core business districts',
      PANDAILY_SUZHOU_RESULTS,
      'groups.stores.count',
    ),
    modelled(
      'store wallets',
      'tier 2 merchant wallets, Zipf popularity s = 0.9; JD.com one tier-1 merchant',
      'no source gives how payments spread over the stores',
      'groups.stores.tiers',
      'groups.stores.popularity',
      'groups.jd.tiers',
    ),
    fact(
      'online merchant',
      'JD.com ... the first online platform to accept the digital currency, saw a transaction volume of approximately 8.5 million digital yuan',
      PANDAILY_SUZHOU_RESULTS,
      'groups.jd.count',
      'flows.online.channels',
    ),
    fact(
      'spent, stores and online',
      '1,896.82万元 spent (94.84%): stores 1,049万元 (55.30%), JD.com online 847.82万元 (44.70%)',
      BG3_SUZHOU_RESULTS,
      'mix',
      'flows.store.amount',
      'flows.online.amount',
    ),
    modelled(
      'ticket sizes',
      'log-normal, median 125 yuan, sigma 0.7, spent down; the same in stores and online, so the count split equals the value split',
      'the sources give totals only; the median is calibrated to reach ~96% of the 18.97 M yuan',
      'flows.store.amount',
      'flows.online.amount',
    ),
    fact(
      'dual-offline wallets',
      '536 participants tried for the first time the "dual offline wallet"',
      PANDAILY_SUZHOU_RESULTS,
      'flows.store.channels',
    ),
    modelled(
      'store channels',
      'tap 3%, scan 97% of store payments',
      'the source gives 536 people, not their payments; 3% is our reading of it',
      'flows.store.channels',
    ),
    fact(
      'first 24 hours at JD',
      'nearly 20,000 transactions were paid for with digital yuan within 24 hours after 8 pm on Friday; about 0.5 seconds to complete the payment',
      GLOBALTIMES_JD_ORDERS,
      'arrival',
    ),
    modelled(
      'shape and payment count',
      'a launch evening and Double-12 peak, decay, a rush before the deadline; 180,000 payments at city',
      'no source gives the payments over time or their count (18.97 M yuan at ~100 yuan a ticket)',
      'arrival',
      'scales.city.payments',
    ),
    modelled(
      'small and national scales',
      'small: 1/50 of the real counts (2,000 packets, 207 stores, 3,600 payments); national: 10x city',
      'scale choices of the benchmark',
      'scales.small.payments',
      'scales.national.payments',
    ),
  ],
};

/** The suzhou-subsidy scenario definition: presplit (default), hotspot, double12. */
export const suzhouSubsidy: ScenarioDefinition = {
  name: 'suzhou-subsidy',
  summary:
    'Payroll-style subsidy fan-out from a few government wallets, then a spending wave; ' +
    'variants hotspot (serial chains), presplit (independent) and double12 (red packets)',
  defaultVariant: 'presplit',
  // A till answers within a second; every payment that should settle does; no transport errors.
  thresholds: ['p99<1s', 'settled_rate>=0.99', 'errors==0'],
  variants: { hotspot: subsidyVariant('hotspot'), presplit: subsidyVariant('presplit'), double12 },
};
