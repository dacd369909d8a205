/**
 * Chengdu, February 2021: 200,000 e-CNY red packets of 178 or 238 yuan, 40 M yuan in all (30 M
 * from the city government, the rest from JD.com), drawn by lottery among people living or
 * working in Chengdu, issued from 08:00 on 24 Feb to 25 Feb, spendable in more than 11,000
 * stores and at JD.com online (sources in `facts`).
 *
 * What no source gives is modelled, and said so in `facts`: how many packets of each value (the
 * split that makes 40 M yuan), the share claimed and the payments per packet (Luohu's), the
 * spending window (a week), the store/online split of spending (the funders' shares, as the
 * city's January round earmarked them), ticket sizes, store popularity and the shape of the week.
 */

import {
  type ArrivalCurve,
  curveShareBefore,
  type HourlyPoint,
  hourlyProfileCurve,
  withQuietTail,
} from '../../rates/index.js';
import type {
  Fact,
  FlowSpec,
  GroupSpec,
  ScenarioDefinition,
  ScenarioSpec,
} from '../model/index.js';
import { fact, HOUR_S, modelled, SIX_BIG_BANKS } from './common.js';
import {
  CBN_CHENGDU_JD,
  CBN_SUZHOU_FEBRUARY,
  CHINADAILY_CHENGDU,
  NFCW_LUOHU_RESULTS,
  PANDAILY_SUZHOU_RESULTS,
  TECHNODE_CHENGDU_JANUARY,
} from './sources.js';

const PACKETS = 200_000;
/** 178a + 238b = 40 M yuan with a + b = 200,000 gives b = 73,333.3: 11/30 of the packets. */
const SHARE_238 = 11 / 30;
const COUNT_238 = Math.round(PACKETS * SHARE_238);
const COUNT_178 = PACKETS - COUNT_238;
/** Value shares of the two groups (what they can spend). */
const VALUE_178 = (COUNT_178 * 178) / (COUNT_178 * 178 + COUNT_238 * 238);
const VALUE_238 = 1 - VALUE_178;
/** Spending split in stores and online: the funders' shares, 30 M and 10 M (modelled). */
const STORES = 0.75;
/** Claimed share (modelled: Luohu 95.1%, Suzhou 96.6%). */
const CLAIMED = 0.96;
/** Payments per claimed packet (modelled: Luohu's 62,788 / 47,573). */
const PER_PACKET = 62_788 / 47_573;
const CITY_PAYMENTS = Math.round(PACKETS * CLAIMED * PER_PACKET);
const SMALL = 50;
const STORES_COUNT = 11_000;

/** Relative rate by Beijing hour (modelled, as for Luohu). */
const SPEND_DAY: readonly HourlyPoint[] = [
  [0, 0.1],
  [7, 0.3],
  [9, 0.6],
  [12, 1.4],
  [14, 0.9],
  [18.5, 1.6],
  [20.5, 1.4],
  [23, 0.4],
  [24, 0.1],
];
/** Wed 24 Feb (launch) .. Tue 2 Mar (last day): modelled day weights. */
const DAY_WEIGHTS = [2.0, 1.4, 1.1, 1.3, 1.3, 0.9, 1.4];

/** A spending flow of one packet group at the stores or at JD (same ticket model in both). */
function spend(payer: string, payee: string, channels: Readonly<Record<string, number>>): FlowSpec {
  return {
    payer,
    payee,
    amount: { kind: 'lognormal', medianYuan: 200, sigma: 0.6, minYuan: 1, maxYuan: 500 },
    coins: 'fresh',
    capToAvailable: true,
    channels,
  };
}

const FACTS: readonly Fact[] = [
  fact(
    'issue window',
    '200,000 digital red envelopes starting from 8 a.m. on Feb. 24 to 12 p.m. on Feb. 25',
    CHINADAILY_CHENGDU,
    'start',
  ),
  fact(
    'packets',
    '200,000 digital red envelopes of e-CNY totaling 40 million yuan; two face values, 178 yuan and 238 yuan, determined by lottery',
    CHINADAILY_CHENGDU,
    'groups.winners178.count',
    'groups.winners238.count',
    'groups.winners178.funding',
    'groups.winners238.funding',
  ),
  modelled(
    'packets of each value',
    `${COUNT_178.toLocaleString('en-US')} of 178 yuan and ${COUNT_238.toLocaleString('en-US')} of 238 yuan (11/30), 39,999,980 yuan`,
    'the source gives the face values and the total, not the split; this is the split that makes 40 M yuan',
    'groups.winners178.count',
    'groups.winners238.count',
  ),
  fact(
    'funders',
    'of the 40-million-yuan e-CNY red envelopes, 30 million yuan is from the Chengdu government; the rest is from JD',
    CHINADAILY_CHENGDU,
    'mix',
  ),
  fact(
    "the January round's earmarking",
    'RMB 30 million can be used in offline stores, and the remaining RMB 20 million can be spent on e-commerce site JD.com',
    TECHNODE_CHENGDU_JANUARY,
    'mix',
  ),
  modelled(
    'stores and online',
    '75% of the value spent in stores, 25% at JD.com (the funders\u2019 shares)',
    'no source gives the split of the February spending; the January round earmarked each funder\u2019s money to its channel',
    'mix',
  ),
  fact(
    'stores',
    'more than 11,000 stores in Chengdu that can accept e-CNY as well as the Jingdong Mall',
    CHINADAILY_CHENGDU,
    'groups.stores.count',
    'groups.jd.count',
    'flows.online178.channels',
    'flows.online238.channels',
  ),
  fact(
    'stores, as JD put it',
    'over 12,000 designated shops and vendors in the city of Chengdu',
    CBN_CHENGDU_JD,
    'groups.stores.count',
  ),
  modelled(
    'store wallets and popularity',
    '11,000 tier-2 store wallets (the notice\u2019s lower figure), Zipf s = 0.9; JD.com one tier-1 merchant',
    'no source gives how payments spread over the stores',
    'groups.stores.tiers',
    'groups.stores.popularity',
    'groups.jd.tiers',
  ),
  fact(
    'banks, in the same month',
    "all six of China's big state-owned banks ... will provide digital wallets that lottery winners can use (Suzhou's February round)",
    CBN_SUZHOU_FEBRUARY,
    'banks',
  ),
  modelled(
    'banks',
    'the six big state banks',
    'no source names the Chengdu wallet banks; Suzhou\u2019s round that month used all six',
    'banks',
  ),
  fact(
    'claimed, Luohu',
    '47,573 of 50,000 received their packets; 62,788 transactions',
    NFCW_LUOHU_RESULTS,
    'groups.winners178.funding',
    'groups.winners238.funding',
    'scales.city.payments',
  ),
  fact(
    'claimed, Suzhou',
    '96,614 residents were awarded red envelopes (about 96.6%); 94.8% of the value was spent',
    PANDAILY_SUZHOU_RESULTS,
    'groups.winners178.funding',
    'groups.winners238.funding',
    'flows.store178.amount',
  ),
  modelled(
    'claimed share and payments',
    `96% of packets claimed; ${PER_PACKET.toFixed(2)} payments per claimed packet (Luohu's ratio): ${CITY_PAYMENTS.toLocaleString('en-US')} payments at city`,
    'no Chengdu results were found; the earlier rounds stand in',
    'groups.winners178.funding',
    'groups.winners238.funding',
    'scales.city.payments',
  ),
  modelled(
    'winner wallet tier',
    'tier 4 (phone number only)',
    'no source gives the tier; lottery wallets are opened in the app',
    'groups.winners178.tiers',
    'groups.winners238.tiers',
  ),
  modelled(
    'tickets and channels',
    'log-normal, median 200 yuan, sigma 0.6, spent down (a packet\u2019s last payment takes what is left); stores: scan 97%, tap 3%',
    'no source gives ticket sizes or channels; the median is calibrated so that ~90% of the value is spent (Luohu 88%, Suzhou 95%)',
    'flows.store178',
    'flows.store238',
    'flows.online178.amount',
    'flows.online238.amount',
  ),
  modelled(
    'small and national scales',
    'small: 1/50 of city (4,000 packets, 220 stores); national: ten such rounds',
    'scale choices of the benchmark',
    'scales.small.payments',
    'scales.national.payments',
  ),
];

/** The week of spending: 24 Feb 08:00 to 2 Mar 24:00 (modelled), then a day of recovery. */
const VALID_HOURS = 160;
const RECOVERY_HOURS = 24;
const VALID = VALID_HOURS / (VALID_HOURS + RECOVERY_HOURS);
const WEEK = hourlyProfileCurve(8, VALID_HOURS, SPEND_DAY, DAY_WEIGHTS);
/** The issue window, 24 Feb 08:00 to 25 Feb 24:00, and its share of the week's payments. */
const CLAIM_HOURS = 40;
const CLAIM_SHARE = curveShareBefore(WEEK, CLAIM_HOURS / VALID_HOURS);

/**
 * Claims over the issue window (modelled shape): a storm at 08:00 on the first morning, a
 * busy first day, a quiet night, a smaller second morning.
 */
const CLAIM_CURVE: ArrivalCurve = {
  kind: 'curve',
  points: [
    { t: 0, rate: 2.5 },
    { t: 2 / 40, rate: 2.5 },
    { t: 6 / 40, rate: 1.2 },
    { t: 14 / 40, rate: 0.8 },
    { t: 16 / 40, rate: 0.2 },
    { t: 23 / 40, rate: 0.2 },
    { t: 25 / 40, rate: 0.9 },
    { t: 30 / 40, rate: 0.6 },
    { t: 1, rate: 0.2 },
  ],
};

const SWEEPS = [{ group: 'stores', share: 0.1, hour: 23, spreadMinutes: 240 }] as const;
const REPLENISH = { floatYuan: 2_000_000, lowWaterYuan: 500_000, amountYuan: 1_000_000 } as const;

function winners(count: number, yuan: number, claim: boolean): GroupSpec {
  return {
    kind: 'personal',
    tiers: { 4: 1 },
    count: { small: Math.round(count / SMALL), city: count, national: count * 10 },
    funding: [{ share: CLAIMED, coins: 1, yuan }],
    ...(claim ? { claim: { from: 0, to: 1, arrival: CLAIM_CURVE } } : {}),
  };
}

const GROUPS = (claim: boolean): Readonly<Record<string, GroupSpec>> => ({
  winners178: winners(COUNT_178, 178, claim),
  winners238: winners(COUNT_238, 238, claim),
  stores: {
    kind: 'merchant',
    tiers: { 2: 1 },
    count: {
      small: Math.round(STORES_COUNT / SMALL),
      city: STORES_COUNT,
      national: STORES_COUNT * 10,
    },
    popularity: { kind: 'zipf', s: 0.9 },
  },
  jd: { kind: 'merchant', tiers: { 1: 1 }, count: { small: 1, city: 1, national: 1 } },
});

const FLOWS = {
  store178: spend('winners178', 'stores', { scan: 0.97, tap: 0.03 }),
  online178: spend('winners178', 'jd', { online: 1 }),
  store238: spend('winners238', 'stores', { scan: 0.97, tap: 0.03 }),
  online238: spend('winners238', 'jd', { online: 1 }),
};

// Payments follow the money: each group's value share, split stores / online.
const MIX = {
  store178: VALUE_178 * STORES,
  online178: VALUE_178 * (1 - STORES),
  store238: VALUE_238 * STORES,
  online238: VALUE_238 * (1 - STORES),
};

const SWEEP_AND_FLOAT: readonly Fact[] = [
  modelled(
    'store sweeps',
    '10% of stores sweep the day\u2019s takings to their bank from 23:00, over four hours, each received coin in its own redeem; JD.com settles otherwise',
    'no source gives merchant settlement; day-end sweeping to the bank is the model',
    'twoTier.sweeps',
  ),
  modelled(
    'bank float',
    'each bank starts with a 2 M yuan float; below 500,000 yuan the central bank allocates 1 M',
    'no source gives bank vault management',
    'twoTier.replenish',
  ),
];

const week: ScenarioSpec = {
  name: 'chengdu-lottery',
  variant: 'default',
  description:
    'Chengdu red packets (Feb 2021): 200,000 packets of 178 or 238 yuan, 40 M yuan, spent at ' +
    '11,000 stores (75% of the value) and JD.com online (25%) over a week, with day-end store ' +
    'sweeps and the recovery of unspent packets after the week',
  start: '2021-02-24T08:00',
  windowS: (VALID_HOURS + RECOVERY_HOURS) * HOUR_S,
  banks: SIX_BIG_BANKS,
  groups: GROUPS(false),
  flows: FLOWS,
  arrival: withQuietTail(WEEK, VALID),
  mix: MIX,
  twoTier: {
    sweeps: SWEEPS,
    expiry: {
      groups: ['winners178', 'winners238'],
      at: VALID,
      spread: (RECOVERY_HOURS - 1) / (VALID_HOURS + RECOVERY_HOURS),
      returnToIssuer: true,
    },
    replenish: REPLENISH,
  },
  scales: {
    small: {
      payments: Math.round(CITY_PAYMENTS / SMALL),
      durationS: 20,
      note: 'scaled down proportionally: 1/50 of city',
    },
    city: {
      payments: CITY_PAYMENTS,
      durationS: 400,
      note: 'the real counts (200,000 packets, 11,000 stores); payments modelled from Luohu',
    },
    national: {
      payments: CITY_PAYMENTS * 10,
      durationS: 900,
      note: 'modelled: ten such rounds at once',
    },
  },
  facts: [
    ...FACTS,
    modelled(
      'spending window',
      'from 24 Feb 08:00 to 2 Mar 24:00 (one week), then a day in which unspent packets are recovered',
      'no source found gives how long the packets could be spent; Luohu allowed 6.25 days, Suzhou 16',
      'windowS',
      'twoTier.expiry',
    ),
    modelled(
      'packets in genesis',
      'the claimed packets are credited before the week starts',
      'the claims are the claims variant: compressed into four minutes, two days of claims would outrun any engine',
      'groups.winners178.funding',
      'groups.winners238.funding',
    ),
    modelled(
      'recovery',
      'over the day after the week, each winner\u2019s unspent packet is redeemed to its bank, which returns it to the issuance vault',
      'Luohu\u2019s packets were recovered after their window (see shenzhen-lottery); no Chengdu source says so',
      'twoTier.expiry',
    ),
    ...SWEEP_AND_FLOAT,
    modelled(
      'shape of the week',
      'an hourly retail profile (lunch and evening peaks) weighted by day: launch Wednesday 2.0, then 1.4, 1.1, weekend 1.3, 1.3, Monday 0.9, last day 1.4; no payments in the recovery day',
      'no source gives payments over time',
      'arrival',
    ),
  ],
};

const claims: ScenarioSpec = {
  name: 'chengdu-lottery',
  variant: 'claims',
  description:
    'Chengdu issue window, 24 Feb 08:00 to 25 Feb 24:00: 192,000 winners open their wallets and ' +
    'claim their packets in the measured load while the first two days of spending run',
  start: '2021-02-24T08:00',
  windowS: CLAIM_HOURS * HOUR_S,
  banks: SIX_BIG_BANKS,
  groups: GROUPS(true),
  flows: FLOWS,
  arrival: hourlyProfileCurve(8, CLAIM_HOURS, SPEND_DAY, DAY_WEIGHTS),
  mix: MIX,
  twoTier: { sweeps: SWEEPS, replenish: REPLENISH },
  scales: {
    small: {
      payments: Math.round((CITY_PAYMENTS * CLAIM_SHARE) / SMALL),
      // City's pace: 1/50 of the claims over 1/50 of its 40 minutes.
      durationS: 48,
      note: '1/50 of city',
    },
    city: {
      payments: Math.round(CITY_PAYMENTS * CLAIM_SHARE),
      // 40 minutes for 40 hours: 192,000 wallet openings, each a full key check in the engine.
      durationS: 2_400,
      note: 'the real counts (200,000 packets, 11,000 stores); the claims and two days of payments',
    },
    national: {
      payments: Math.round(CITY_PAYMENTS * CLAIM_SHARE * 10),
      durationS: 1_200,
      note: 'modelled: ten such rounds at once',
    },
  },
  facts: [
    ...FACTS,
    modelled(
      'window',
      '24 Feb 08:00 to 25 Feb 24:00: the issue window, its "12 p.m. on Feb. 25" read as the end of the day',
      'the English notice says 12 p.m.; Chinese notices end windows at 24:00, which translations often give as 12 p.m.',
      'windowS',
      'groups.winners178.claim',
      'groups.winners238.claim',
    ),
    modelled(
      'the claims',
      'every claimed packet is claimed in the window: a storm at 08:00 on the first morning (2.5x the mean rate for two hours), a busy first day, a quiet night, a smaller second morning',
      'the source gives the window, not when people claimed',
      'groups.winners178.claim',
      'groups.winners238.claim',
    ),
    modelled(
      'payments in the window',
      `${(CLAIM_SHARE * 100).toFixed(1)}% of the week\u2019s payments (the window\u2019s share of the week\u2019s modelled curve)`,
      'no source gives payments over time',
      'arrival',
      'scales.city.payments',
    ),
    ...SWEEP_AND_FLOAT,
  ],
};

/** The chengdu-lottery scenario definition: the week (default) and its claims. */
export const chengduLottery: ScenarioDefinition = {
  name: 'chengdu-lottery',
  summary:
    'Chengdu red packets: 200,000 x 178 or 238 yuan (40 M yuan) spent at 11,000 stores and ' +
    'JD.com online, with sweeps and recovery; variant claims: the two-day claim window',
  defaultVariant: 'default',
  // A till answers within a second; every payment that should settle does; no transport errors.
  thresholds: ['p99<1s', 'settled_rate>=0.99', 'errors==0'],
  variants: { default: week, claims },
};
