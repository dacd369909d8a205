/**
 * Shenzhen Luohu lottery, October 2020: 50,000 red packets of 200 yuan drawn among 1.91 M
 * applicants; winners texted from 18:00 on 12 Oct; 47,573 claimed; spendable until 18 Oct 24:00
 * at 3,389 merchants; 62,788 transactions; 8.764 M yuan spent plus 0.901 M yuan topped up;
 * unspent packets recovered after the window (sources in the facts below).
 *
 * - `default`: the week. At scale `city` it replays the real counts (50,000 winners, 47,573
 *   packets, 3,389 merchants, 62,788 payments), time-compressed, with the two-tier flows in the
 *   measured load: top-ups (bank exchanges, 0.9 M yuan), redemptions, merchants' day-end sweeps,
 *   the recovery of unspent packets after 18 Oct 24:00 (redeemed to the bank and returned to the
 *   issuance vault), and bank vault replenishment. Packets are credited in genesis: compressed
 *   into a two-minute week, a claim storm would outrun any engine.
 * - `claim-storm`: the launch evening, 12 Oct 18:00-24:00, at about 1/100 of the week's
 *   compression: winners open their wallets and claim their packets in the measured load (an
 *   `open` and an `exchange` each), while the first payments and the first day-end sweeps run.
 *
 * Modelled (see the facts): the top-up split, ticket sizes, merchant popularity, wallet tier,
 * the shape of the week and of the claim storm, the evening's shares, sweeps, redemptions and
 * the bank float.
 */

import {
  type ArrivalCurve,
  curveShareBefore,
  type HourlyPoint,
  hourlyProfileCurve,
  withQuietTail,
} from '../../rates/index.js';
import type { Fact, ScenarioDefinition, ScenarioSpec } from '../model/index.js';
import { BIG_FOUR_BANKS, fact, HOUR_S, modelled } from './common.js';
import {
  COINDESK_LUOHU_APPLICANTS,
  COINTELEGRAPH_SUZHOU_PREVIEW,
  JIWEI_LUOHU_RULES,
  NFCW_LUOHU_RESULTS,
  RAYRADAR_LUOHU_TIMELINE,
  SZ_GOV_LUOHU_RESULTS,
} from './sources.js';

const SMALL = 20;
const WINNERS = 50_000;
const CLAIMED = 47_573;
const MERCHANTS = 3_389;
const PAYMENTS = 62_788;

/** Relative rate by Beijing hour (modelled). */
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

/** Mon 12 Oct (launch evening) .. Sun 18 Oct (last day): modelled day weights. */
const DAY_WEIGHTS = [2.0, 1.3, 1.0, 0.9, 1.0, 1.3, 1.6];

/** 12 Oct 18:00 to 18 Oct 24:00; the week's run adds a day for recovering unspent packets. */
const VALID_HOURS = 150;
const RECOVERY_HOURS = 24;
const VALID = VALID_HOURS / (VALID_HOURS + RECOVERY_HOURS);
const WEEK = hourlyProfileCurve(18, VALID_HOURS, SPEND_DAY, DAY_WEIGHTS);

/** The launch evening, 18:00-24:00 on 12 Oct: its share of the week's payments (modelled). */
const EVENING_HOURS = 6;
const EVENING_SHARE = curveShareBefore(WEEK, EVENING_HOURS / VALID_HOURS);
/** Share of the claims made on the launch evening (modelled). */
const EVENING_CLAIMS = 0.75;

/**
 * The claim storm of the launch evening (modelled shape), over 18:00-24:00: winners texted from
 * 18:00 claim at once; the rate holds for ~20 minutes, then falls through the evening.
 */
const CLAIM_STORM: ArrivalCurve = {
  kind: 'curve',
  points: [
    { t: 0, rate: 3 },
    { t: 0.055, rate: 3 },
    { t: 0.2, rate: 1.2 },
    { t: 0.5, rate: 0.6 },
    { t: 1, rate: 0.25 },
  ],
};

const winnersCount = { small: WINNERS / SMALL, city: WINNERS, national: WINNERS * 10 };
const merchants = {
  kind: 'merchant',
  tiers: { 2: 1 },
  count: { small: Math.round(MERCHANTS / SMALL), city: MERCHANTS, national: MERCHANTS * 10 },
  popularity: { kind: 'zipf', s: 0.8 },
} as const;
const spend = (medianYuan: number) =>
  ({
    payer: 'winners',
    payee: 'merchants',
    // A log-normal ticket (modelled); a draw above what a winner has left pays the rest.
    amount: { kind: 'lognormal', medianYuan, sigma: 0.6, minYuan: 1, maxYuan: 500 },
    coins: 'fresh',
    capToAvailable: true,
    // Scan only: Luohu winners could not use offline or tap payments (see the facts).
    channels: { scan: 1 },
  }) as const;
const SWEEPS = [{ group: 'merchants', share: 0.3, hour: 23, spreadMinutes: 240 }] as const;
const REPLENISH = { floatYuan: 1_000_000, lowWaterYuan: 250_000, amountYuan: 500_000 } as const;
/** 0.158 x 47,573 x 120 yuan = 0.90 M yuan, the reported top-ups. */
const TOP_UP_SHARE = 0.158;

/** Facts both variants use. */
const SHARED: readonly Fact[] = [
  fact(
    'banks',
    'top-ups above the packet need a card of one of the four banks ICBC, ABC, BOC, CCB (工、农、中、建)',
    JIWEI_LUOHU_RULES,
    'banks',
  ),
  fact(
    'red packets',
    '50,000 red packets of 200 yuan, 10 million yuan',
    SZ_GOV_LUOHU_RESULTS,
    'groups.winners.count',
    'groups.winners.funding',
  ),
  fact(
    'applicants',
    '1.91 million residents signed up',
    COINDESK_LUOHU_APPLICANTS,
    'groups.winners',
  ),
  fact(
    'claimed',
    '47,573 Shenzhen citizens have successfully received "red packets"',
    SZ_GOV_LUOHU_RESULTS,
    'groups.winners.funding',
  ),
  fact(
    'top-ups',
    'some winning individuals have also topped up their digital wallets with a total of 901,000 yuan',
    SZ_GOV_LUOHU_RESULTS,
    'twoTier.topUps',
  ),
  modelled(
    'top-up split',
    '15.8% of claimants top up 120 yuan once, at a random time after their packet arrives (0.90 M yuan over the week at city scale), each a bank exchange during the run',
    'no source says how many winners topped up, by how much or when; this split reproduces the total',
    'twoTier.topUps',
  ),
  modelled(
    'winner wallet tier',
    'tier 4 (phone number only)',
    'no source gives the tier; lottery wallets were opened in the app with a phone number',
    'groups.winners.tiers',
  ),
  fact(
    'merchants',
    '3,389 merchants in Luohu that completed the digital RMB system upgrade (3389家商户)',
    JIWEI_LUOHU_RULES,
    'groups.merchants.count',
  ),
  modelled(
    'merchant wallets',
    'tier 2 merchant wallets, Zipf popularity s = 0.8 (top decile ~55% of payments at city)',
    'no source gives how payments spread over the merchants',
    'groups.merchants.tiers',
    'groups.merchants.popularity',
  ),
  fact(
    'transactions',
    '62,788 transactions worth 8.764 million yuan',
    NFCW_LUOHU_RESULTS,
    'scales.city.payments',
    'flows.spend.amount',
  ),
  fact(
    'channel',
    'participants in the Shenzhen scheme were not able to use the "offline" and "touch" functions',
    COINTELEGRAPH_SUZHOU_PREVIEW,
    'flows.spend.channels',
    'mix',
  ),
  fact(
    'timeline',
    'from 18:00 on October 12, SMS and download links were sent to 50000 winning individuals; from 18:00 on October 12 to 24:00 on October 18 the winning bidder can consume',
    RAYRADAR_LUOHU_TIMELINE,
    'start',
    'arrival',
  ),
  modelled(
    'merchant sweeps',
    '30% of merchants sweep the day\u2019s takings to their bank from 23:00, over four hours, each received coin in its own redeem',
    'no source gives merchant settlement; day-end sweeping to the bank is the model',
    'twoTier.sweeps',
  ),
  modelled(
    'bank float',
    'each bank starts with a 1 M yuan float; below 250,000 yuan the central bank allocates 500,000',
    'no source gives bank vault management',
    'twoTier.replenish',
  ),
];

const week: ScenarioSpec = {
  name: 'shenzhen-lottery',
  variant: 'default',
  description:
    'Shenzhen Luohu lottery replay: red packets credited before the window, then 62,788 payments ' +
    'at 3,389 merchants over 6.25 days (real counts at scale city), with top-ups, redemptions, ' +
    'day-end merchant sweeps and the recovery of unspent packets after the window',
  start: '2020-10-12T18:00',
  // The 150-hour validity window, then the day in which unspent packets are recovered.
  windowS: (VALID_HOURS + RECOVERY_HOURS) * HOUR_S,
  banks: BIG_FOUR_BANKS,
  groups: {
    winners: {
      kind: 'personal',
      tiers: { 4: 1 },
      count: winnersCount,
      funding: [{ share: CLAIMED / WINNERS, coins: 1, yuan: 200 }],
    },
    merchants,
  },
  flows: { spend: spend(265) },
  arrival: withQuietTail(WEEK, VALID),
  mix: { spend: 1 },
  twoTier: {
    topUps: [
      {
        group: 'winners',
        share: TOP_UP_SHARE,
        amount: { kind: 'fixed', yuan: 120 },
        from: 0,
        to: VALID,
      },
    ],
    redemptions: [
      {
        group: 'winners',
        share: 0.05,
        amount: { kind: 'uniform', minYuan: 10, maxYuan: 120 },
        from: 0.2,
        to: VALID,
      },
    ],
    sweeps: SWEEPS,
    expiry: {
      groups: ['winners'],
      at: VALID,
      spread: (RECOVERY_HOURS - 1) / (VALID_HOURS + RECOVERY_HOURS),
      returnToIssuer: true,
    },
    replenish: REPLENISH,
  },
  scales: {
    small: {
      payments: Math.round(PAYMENTS / SMALL),
      durationS: 20,
      note: 'scaled down proportionally: 1/20 of the real counts',
    },
    city: {
      payments: PAYMENTS,
      durationS: 180,
      note: 'the real counts: 50,000 winners, 3,389 merchants, 62,788 payments',
    },
    national: {
      payments: PAYMENTS * 10,
      durationS: 600,
      note: 'modelled: ten such lotteries at once',
    },
  },
  facts: [
    ...SHARED,
    fact(
      'spending window',
      'red packets valid from 12 Oct 18:00 to 18 Oct 24:00 (红包有效期为10月12日18时至10月18日24时)',
      JIWEI_LUOHU_RULES,
      'start',
      'windowS',
    ),
    modelled(
      'packets in genesis',
      'the 47,573 packets are credited before the week starts',
      'the claim storm is the claim-storm variant: compressed into a two-minute week it would offer tens of thousands of claims a second',
      'groups.winners.funding',
    ),
    modelled(
      'ticket sizes',
      'log-normal, sigma 0.6, median 265 yuan, spent down: realised mean ~154 yuan',
      'the sources give totals only; (8.764 + 0.901) M yuan / 62,788 = 154 yuan is the mean to hit',
      'flows.spend.amount',
    ),
    fact(
      'redemptions',
      'through the "charging wallet" function, the self recharging amount can also be withdrawn back to the bank card',
      RAYRADAR_LUOHU_TIMELINE,
      'twoTier.redemptions',
    ),
    modelled(
      'redemption share',
      '5% of winners try to redeem 10-120 yuan of their own money (never the packet) after the first day; those with none left redeem nothing',
      'no source gives how many redeemed',
      'twoTier.redemptions',
    ),
    fact(
      'expiry',
      'the unused red envelope beyond the validity period will be recovered by the digital RMB system',
      RAYRADAR_LUOHU_TIMELINE,
      'twoTier.expiry',
      'windowS',
    ),
    modelled(
      'recovery',
      'over 19 Oct, the day after the window, each winner\u2019s unspent packet is redeemed to its bank, which returns it to the issuance vault; a packet is spent before the winner\u2019s own money',
      'the source says unspent packets are recovered, not how; the return to the central bank is our model',
      'twoTier.expiry',
      'windowS',
    ),
    modelled(
      'shape of the week',
      'an hourly retail profile (lunch and evening peaks) weighted by day: 2.0, 1.3, 1.0, 0.9, 1.0, 1.3, 1.6; no payments in the recovery day',
      'no source gives payments over time; launch evening, weekend and last-day rush are our model',
      'arrival',
    ),
    modelled(
      'small and national scales',
      'small: 1/20 of the real counts; national: ten such lotteries',
      'scale choices of the benchmark',
      'scales.small.payments',
      'scales.national.payments',
    ),
  ],
};

const eveningPayments = (n: number) => Math.round(n * EVENING_SHARE);
const stormEvening: ScenarioSpec = {
  name: 'shenzhen-lottery',
  variant: 'claim-storm',
  description:
    'Luohu launch evening, 12 Oct 18:00-24:00: winners texted at 18:00 open their wallets and ' +
    'claim their packets in the measured load (the claim storm) while the first payments, ' +
    'top-ups and day-end sweeps run',
  start: '2020-10-12T18:00',
  windowS: EVENING_HOURS * HOUR_S,
  banks: BIG_FOUR_BANKS,
  groups: {
    winners: {
      kind: 'personal',
      tiers: { 4: 1 },
      count: winnersCount,
      funding: [{ share: (EVENING_CLAIMS * CLAIMED) / WINNERS, coins: 1, yuan: 200 }],
      claim: { from: 0, to: 1, arrival: CLAIM_STORM },
    },
    merchants,
  },
  flows: { spend: spend(170) },
  arrival: hourlyProfileCurve(18, EVENING_HOURS, SPEND_DAY),
  mix: { spend: 1 },
  twoTier: {
    topUps: [
      {
        group: 'winners',
        share: TOP_UP_SHARE * EVENING_SHARE,
        amount: { kind: 'fixed', yuan: 120 },
        from: 0,
        to: 1,
      },
    ],
    sweeps: SWEEPS,
    replenish: REPLENISH,
  },
  scales: {
    small: {
      payments: eveningPayments(PAYMENTS / SMALL),
      // City's pace: 1/20 of the claims over 1/20 of its ten minutes.
      durationS: 30,
      note: '1/20 of city',
    },
    city: {
      payments: eveningPayments(PAYMENTS),
      // Ten minutes for six hours: every claim is an open, and an engine checks a new wallet's
      // key in full (a curve multiplication), so a claim storm is paced by wallet openings.
      durationS: 600,
      note: 'the real 50,000 winners; 75% of the 47,573 claims and the evening\u2019s share of the 62,788 payments (modelled)',
    },
    national: {
      payments: eveningPayments(PAYMENTS * 10),
      durationS: 600,
      note: 'modelled: ten such lotteries at once',
    },
  },
  facts: [
    ...SHARED,
    fact(
      'claim window',
      'the winning applicants started to receive a notification text message and the download link for use of the digital yuan at 6 p.m., Oct. 12',
      SZ_GOV_LUOHU_RESULTS,
      'groups.winners.claim',
      'windowS',
    ),
    modelled(
      'the claim storm',
      `75% of the claims on the launch evening: ~3x the evening\u2019s mean rate for the first 20 minutes, falling through the evening`,
      'the source gives when winners were told, not when they claimed',
      'groups.winners.claim',
      'groups.winners.funding',
    ),
    modelled(
      'the evening\u2019s payments',
      `${(EVENING_SHARE * 100).toFixed(1)}% of the week\u2019s payments (the launch evening\u2019s share of the week\u2019s modelled curve), with the hourly profile of the week\u2019s model`,
      'no source gives payments over time',
      'arrival',
      'scales.city.payments',
      'scales.small.payments',
      'scales.national.payments',
      'twoTier.topUps',
    ),
    modelled(
      'ticket sizes',
      'as in the week: log-normal, sigma 0.6, median 170 yuan, spent down',
      'the sources give totals only',
      'flows.spend.amount',
    ),
  ],
};

/** The shenzhen-lottery scenario definition: the week (default) and its claim storm. */
export const shenzhenLottery: ScenarioDefinition = {
  name: 'shenzhen-lottery',
  summary:
    'Luohu red-packet lottery: 50,000 x 200 yuan spent at 3,389 merchants, 62,788 payments, ' +
    'with the two-tier flows; variant claim-storm: the launch evening\u2019s wallet openings and claims',
  defaultVariant: 'default',
  // A till answers within a second; every payment that should settle does; no transport errors.
  thresholds: ['p99<1s', 'settled_rate>=0.99', 'errors==0'],
  variants: { default: week, 'claim-storm': stormEvening },
};
