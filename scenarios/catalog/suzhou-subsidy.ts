/**
 * Suzhou, May 2020: civil servants in Xiangcheng district receive half of their monthly transport
 * subsidy in e-CNY, through the four big state banks, then spend it (fact: domain brief,
 * "Pilots"). And Suzhou "Double 12", Dec 2020: 100,000 red packets x 200 yuan, ~10,000 merchants
 * (10,368 stores) plus JD.com online, 96,614 claimed, 18.97 M yuan spent, 55.3% in stores and
 * 44.7% online (fact).
 *
 * Modelled (no source gives them): the number of civil servants and government payer wallets,
 * the subsidy amounts, the employees' own balances, the merchants serving them, ticket sizes, the
 * arrival curve, the Double-12 payment count and ticket size.
 */
import type {
  ArrivalCurve,
  FlowSpec,
  GroupSpec,
  ScenarioDefinition,
  ScenarioSpec,
} from '../model/index.js';
import { BIG_FOUR_BANKS, DAY_S } from './common.js';

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
    // May 2020 is fact; the day and hour are modelled.
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
  start: '2020-12-11T00:00',
  windowS: 17 * DAY_S,
  banks: BIG_FOUR_BANKS,
  groups: {
    claimants: {
      kind: 'personal',
      // Modelled: packets land mostly in newly opened, phone-only wallets.
      tiers: { 2: 0.1, 3: 0.2, 4: 0.7 },
      // Fact: 100,000 packets; small is 1/50.
      count: { small: 100_000 / DOUBLE12_FACTOR_SMALL, city: 100_000, national: 1_000_000 },
      // Fact: 96,614 of 100,000 claimed, 200 yuan each, as one coin.
      funding: [{ share: 96_614 / 100_000, coins: 1, yuan: 200 }],
    },
    stores: {
      kind: 'merchant',
      tiers: { 2: 1 },
      // Fact: 10,368 stores.
      count: { small: Math.round(10_368 / DOUBLE12_FACTOR_SMALL), city: 10_368, national: 103_680 },
      popularity: { kind: 'zipf', s: 0.9 },
    },
    // Fact: JD.com was the online merchant: one payee taking 44.7% of the value.
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
      // Fact: 536 people tried dual-offline hardware wallets (tap); the rest scanned (modelled).
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
  // Modelled: a launch and Double-12 peak, a decay, and a rush before the 27 Dec deadline.
  arrival: {
    kind: 'curve',
    points: [
      { t: 0, rate: 0.5 },
      { t: 1 / 17, rate: 3 },
      { t: 1.5 / 17, rate: 4 },
      { t: 2 / 17, rate: 2 },
      { t: 4 / 17, rate: 1.2 },
      { t: 9 / 17, rate: 0.8 },
      { t: 15 / 17, rate: 0.6 },
      { t: 1, rate: 1.2 },
    ],
  },
  // Fact: 55.3% of the value in stores, 44.7% online; both flows draw the same ticket size, so
  // the count split equals the value split.
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
