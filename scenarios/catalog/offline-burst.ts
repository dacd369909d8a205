/**
 * Beijing Winter Olympics, 2022: hardware wallets (cards, gloves, badges, watches) paying by tap,
 * which works with both sides offline, the payments settling when the device reconnects (sources
 * in each variant's `facts`).
 *
 * - `default`: a modelled venue day. Hardware wallets lose connectivity for one offline spell
 *   (u 0.10-0.55), keep paying by tap, and sync their backlog when they reconnect (u = 0.55): a
 *   rate spike that drains the backlog in ~10% of the run. Phones stay online throughout.
 * - `olympics`: a Games day sized from the reported figures: about 2 M yuan of e-CNY payments a
 *   day at city scale, more than 400,000 Olympics-related payment scenarios at national scale,
 *   whose sync peak is the e-CNY system's reported 10,000 TPS. Foreign users' hardware cards tap,
 *   offline in two spells (mountain venues by day, an evening venue), domestic phones scan.
 *
 * In both, double spends attempted offline (one coin paid to two merchants) meet at sync, where
 * the second is rejected ALREADY_SPENT: the offline flows' invalid ops are mostly those.
 */

import { type ArrivalCurve, curvePieces, totalArea } from '../../rates/index.js';
import {
  DEFAULT_INVALID_SHARE,
  type InvalidSplit,
  type ScenarioDefinition,
  type ScenarioSpec,
  type SourcedFact,
} from '../model/index.js';
import { BIG_FOUR_BANKS, fact, HOUR_S, modelled } from './common.js';
import {
  ATLANTIC_COUNCIL_TPS,
  CASHPAYMENTNEWS_OLYMPICS,
  CNN_OLYMPICS_FACTS,
  COINTELEGRAPH_SUZHOU_PREVIEW,
  EQUALOCEAN_OLYMPICS_SCENARIOS,
  EWEBPROMO_OLYMPICS_DAILY,
  RAILLY_OLYMPICS_WALLETS,
  SCMP_OLYMPICS_DAILY,
} from './sources.js';

const OFFLINE_FROM = 0.1;
const RECONNECT = 0.55;
const DRAINED = 0.65;

/** Offline payments meet their double spends at sync: mostly ALREADY_SPENT (modelled). */
const OFFLINE_SPLIT: InvalidSplit = {
  ALREADY_SPENT: 0.7,
  BAD_SIGNATURE: 0.1,
  TIER_LIMIT: 0.1,
  UNKNOWN_COIN: 0.1,
};

const GAMES_DATES = fact('the Games', 'February 4-20, 2022', CNN_OLYMPICS_FACTS, 'start');
const HARDWARE_WALLETS = fact(
  'hardware wallets',
  'physical wallets in the form of smart watches, ski gloves or badges',
  RAILLY_OLYMPICS_WALLETS,
  'groups',
);
/** Facts both variants use, each for its own parameters. */
const DUAL_OFFLINE: Omit<SourcedFact, 'uses'> = {
  figure: 'dual offline',
  value:
    'transfer money simply by touching mobile devices, even when neither are connected to a network',
  source: COINTELEGRAPH_SUZHOU_PREVIEW,
};
const WHO_USES_WHAT: Omit<SourcedFact, 'uses'> = {
  figure: 'who uses which wallet',
  value:
    '"It seems all the foreign users are using hardware wallets ... The software wallets are mainly used by the domestic users" (Mu Changchun)',
  source: SCMP_OLYMPICS_DAILY,
};

const venueDay: ScenarioSpec = {
  name: 'offline-burst',
  variant: 'default',
  description:
    'Winter Olympics venue day: hardware wallets tap-pay offline during a spell, then sync ' +
    'the backlog in a burst; offline double spends are rejected at sync',
  start: '2022-02-05T08:00',
  windowS: 12 * HOUR_S,
  banks: BIG_FOUR_BANKS,
  groups: {
    visitors: {
      kind: 'personal',
      tiers: { 4: 1 },
      count: { small: 1_500, city: 20_000, national: 200_000 },
      funding: [{ share: 1, coins: 5, yuan: 50 }],
    },
    phones: {
      kind: 'personal',
      tiers: { 2: 0.3, 3: 0.4, 4: 0.3 },
      count: { small: 1_000, city: 15_000, national: 150_000 },
      funding: [{ share: 1, coins: 4, yuan: 100 }],
    },
    venueShops: {
      kind: 'merchant',
      tiers: { 2: 1 },
      count: { small: 120, city: 1_200, national: 12_000 },
      popularity: { kind: 'zipf', s: 1.0 },
    },
  },
  flows: {
    online: {
      payer: 'phones',
      payee: 'venueShops',
      amount: { kind: 'lognormal', medianYuan: 40, sigma: 0.7, minYuan: 2, maxYuan: 400 },
      coins: 'fresh',
      channels: { scan: 1 },
    },
    offline: {
      payer: 'visitors',
      payee: 'venueShops',
      amount: { kind: 'lognormal', medianYuan: 30, sigma: 0.6, minYuan: 2, maxYuan: 200 },
      coins: 'fresh',
      channels: { tap: 1 },
      offline: { from: OFFLINE_FROM, to: RECONNECT },
      invalidSplit: OFFLINE_SPLIT,
    },
  },
  // Online baseline; at reconnect the sync spike (11x) decays back to the baseline.
  arrival: {
    kind: 'curve',
    points: [
      { t: 0, rate: 1 },
      { t: RECONNECT, rate: 1 },
      { t: RECONNECT, rate: 11 },
      { t: RECONNECT + 0.02, rate: 9 },
      { t: DRAINED, rate: 1 },
      { t: 1, rate: 1 },
    ],
  },
  mix: { online: 1 },
  phases: [{ name: 'sync', from: RECONNECT, to: DRAINED, mix: { offline: 0.93, online: 0.07 } }],
  scales: {
    small: { payments: 4_000, durationS: 20, note: 'modelled venue: 1,500 hardware wallets' },
    city: { payments: 60_000, durationS: 90, note: 'modelled: 20,000 hardware wallets' },
    national: { payments: 600_000, durationS: 300, note: 'modelled: 10x city' },
  },
  facts: [
    GAMES_DATES,
    modelled(
      'the day',
      'Sat 5 Feb 2022, 08:00-20:00',
      'one venue day of our choice',
      'start',
      'windowS',
    ),
    modelled(
      'banks',
      'the four big state banks',
      'no source ties the venue wallets to banks',
      'banks',
    ),
    HARDWARE_WALLETS,
    { ...DUAL_OFFLINE, uses: ['flows.offline.offline'] },
    modelled(
      'wallets and shops',
      'hardware wallets 1,500 / 20,000 / 200,000 (tier 4, 5 x 50 yuan); phones 1,000 / 15,000 / 150,000 (tiers 2-4, 4 x 100 yuan); venue shops 120 / 1,200 / 12,000 (Zipf s = 1.0)',
      'a venue of our choosing; the olympics variant sizes a Games day from the reported figures',
      'groups.visitors',
      'groups.phones',
      'groups.venueShops',
    ),
    modelled(
      'tickets and channels',
      'phones scan, median 40 yuan; hardware wallets tap, median 30 yuan',
      'no source gives ticket sizes at the venues',
      'flows.online',
      'flows.offline.amount',
      'flows.offline.channels',
    ),
    modelled(
      'the offline spell and sync',
      'offline from u = 0.10 to 0.55, synced in a spike 11x the baseline that drains by u = 0.65; 70% of the offline invalid ops are double spends',
      'no source gives how long devices stay offline; short spells are the design intent',
      'flows.offline.offline',
      'flows.offline.invalidSplit',
      'arrival',
      'mix',
      'phases',
    ),
    modelled(
      'payments',
      '4,000 / 60,000 / 600,000',
      'scale choices of the benchmark',
      'scales.small.payments',
      'scales.city.payments',
      'scales.national.payments',
    ),
  ],
};

// The olympics variant: a Games day from 07:00 to 23:00, in normalised time u = (hour - 7) / 16.
/** Mountain venues (Yanqing, Zhangjiakou) offline by day: 09:00-15:00. */
const MOUNTAIN = { from: 2 / 16, to: 8 / 16 };
/** An evening venue offline during a session: 18:00-21:00. */
const EVENING = { from: 11 / 16, to: 14 / 16 };
const SYNC_S = 0.06;
/** Cards are bought from 07:00 until just before the mountain venues go offline. */
const CARDS_BY = 1.9 / 16;
const GAMES_PEAK = 8;
const GAMES_CURVE: ArrivalCurve = {
  kind: 'curve',
  points: [
    { t: 0, rate: 0.4 },
    { t: MOUNTAIN.from, rate: 0.8 },
    { t: 5 / 16, rate: 1.4 }, // lunch
    { t: 7 / 16, rate: 0.9 },
    { t: MOUNTAIN.to, rate: 0.9 },
    { t: MOUNTAIN.to, rate: GAMES_PEAK }, // the mountain venues reconnect
    { t: MOUNTAIN.to + 0.02, rate: 6 },
    { t: MOUNTAIN.to + SYNC_S, rate: 1.0 },
    { t: 10 / 16, rate: 1.0 },
    { t: 11.5 / 16, rate: 1.5 }, // dinner
    { t: EVENING.to, rate: 1.0 },
    { t: EVENING.to, rate: 6 }, // the evening venue reconnects
    { t: EVENING.to + 0.02, rate: 4.5 },
    { t: EVENING.to + 0.055, rate: 0.8 },
    { t: 1, rate: 0.3 },
  ],
};
/** "10,000 TPS now": the national scale's sync peak, in offered ops per second. */
const NOW_TPS = 10_000;
const NATIONAL_S = 300;
/** Valid payments whose busiest second (the curve's peak) offers NOW_TPS ops, invalid included. */
const NATIONAL_PAYMENTS = Math.round(
  ((NOW_TPS * NATIONAL_S * totalArea(curvePieces(GAMES_CURVE))) / GAMES_PEAK) *
    (1 - DEFAULT_INVALID_SHARE),
);

const gamesDay: ScenarioSpec = {
  name: 'offline-burst',
  variant: 'olympics',
  description:
    'A Beijing Winter Olympics day sized from public figures: ~2 M yuan of e-CNY a day (city), ' +
    'foreign visitors tap hardware cards offline at mountain and evening venues and sync in two ' +
    'bursts, domestic phones scan; national peaks at the reported 10,000 TPS',
  start: '2022-02-08T07:00',
  windowS: 16 * HOUR_S,
  banks: BIG_FOUR_BANKS,
  groups: {
    cards: {
      kind: 'personal',
      tiers: { 4: 1 },
      count: { small: 600, city: 12_000, national: 120_000 },
      funding: [{ share: 1, coins: 4, yuan: 100 }],
      // Bought at the venues' exchange machines as the day opens: an `open` and an `exchange`.
      claim: { from: 0, to: CARDS_BY, arrival: { kind: 'constant' } },
    },
    phones: {
      kind: 'personal',
      tiers: { 2: 0.3, 3: 0.4, 4: 0.3 },
      count: { small: 1_000, city: 20_000, national: 200_000 },
      funding: [{ share: 1, coins: 4, yuan: 100 }],
    },
    merchants: {
      kind: 'merchant',
      tiers: { 2: 1 },
      count: { small: 200, city: 4_000, national: 400_000 },
      popularity: { kind: 'zipf', s: 1.0 },
    },
  },
  flows: {
    scan: {
      payer: 'phones',
      payee: 'merchants',
      amount: { kind: 'lognormal', medianYuan: 30, sigma: 0.8, minYuan: 2, maxYuan: 400 },
      coins: 'fresh',
      channels: { scan: 1 },
    },
    tap: {
      payer: 'cards',
      payee: 'merchants',
      amount: { kind: 'lognormal', medianYuan: 30, sigma: 0.6, minYuan: 2, maxYuan: 200 },
      coins: 'fresh',
      channels: { tap: 1 },
    },
    mountainTap: {
      payer: 'cards',
      payee: 'merchants',
      amount: { kind: 'lognormal', medianYuan: 30, sigma: 0.6, minYuan: 2, maxYuan: 200 },
      coins: 'fresh',
      channels: { tap: 1 },
      offline: MOUNTAIN,
      invalidSplit: OFFLINE_SPLIT,
    },
    eveningTap: {
      payer: 'cards',
      payee: 'merchants',
      amount: { kind: 'lognormal', medianYuan: 30, sigma: 0.6, minYuan: 2, maxYuan: 200 },
      coins: 'fresh',
      channels: { tap: 1 },
      offline: EVENING,
      invalidSplit: OFFLINE_SPLIT,
    },
  },
  arrival: GAMES_CURVE,
  mix: { scan: 0.7, tap: 0.3 },
  twoTier: {
    sweeps: [{ group: 'merchants', share: 0.1, hour: 22, spreadMinutes: 60 }],
    replenish: { floatYuan: 500_000, lowWaterYuan: 150_000, amountYuan: 250_000 },
  },
  phases: [
    {
      name: 'mountain sync',
      from: MOUNTAIN.to,
      to: MOUNTAIN.to + SYNC_S,
      mix: { mountainTap: 0.9, scan: 0.07, tap: 0.03 },
    },
    {
      name: 'evening sync',
      from: EVENING.to,
      to: EVENING.to + SYNC_S,
      mix: { eveningTap: 0.9, scan: 0.07, tap: 0.03 },
    },
  ],
  scales: {
    small: { payments: 2_500, durationS: 20, note: '1/20 of a Games day' },
    city: {
      payments: 50_000,
      // Eight minutes for the day: 12,000 cards are bought (opened) in its first two hours.
      durationS: 480,
      note: 'one Games day: ~2 M yuan of e-CNY payments (reported), at a modelled ~40 yuan a payment',
    },
    national: {
      payments: NATIONAL_PAYMENTS,
      durationS: NATIONAL_S,
      note: 'the busiest second offers the reported 10,000 TPS; 400,000 payees (the reported scenarios)',
    },
  },
  facts: [
    GAMES_DATES,
    modelled(
      'the day',
      'Tue 8 Feb 2022, 07:00-23:00',
      'one Games day of our choice',
      'start',
      'windowS',
    ),
    fact(
      'exchange machines and cards',
      'visitors scan their passport at a designated automatic exchange machine and insert foreign currency to receive the card charged in e-CNY. Then they just tap the card to pay',
      CASHPAYMENTNEWS_OLYMPICS,
      'groups.cards.funding',
      'groups.cards.claim',
      'flows.tap.channels',
    ),
    modelled(
      'buying cards',
      'every card is bought (opened and exchanged, 400 yuan) between 07:00 and 08:54, at an even rate',
      'no source gives when visitors bought cards; all before the first offline spell, so offline payments come from cards that exist',
      'groups.cards.claim',
    ),
    modelled(
      'merchant sweeps',
      '10% of the merchants sweep the day\u2019s takings to their bank from 22:00, over an hour, each received coin in its own redeem',
      'no source gives merchant settlement at the Games',
      'twoTier.sweeps',
    ),
    modelled(
      'bank float',
      'each bank starts with a 500,000 yuan float; below 150,000 yuan the central bank allocates 250,000',
      'no source gives bank vault management',
      'twoTier.replenish',
    ),
    modelled(
      'banks',
      'the four big state banks',
      'Bank of China ran the venue exchange machines; the banks of the phone wallets are not reported',
      'banks',
    ),
    HARDWARE_WALLETS,
    { ...WHO_USES_WHAT, uses: ['groups.cards', 'groups.phones', 'mix'] },
    modelled(
      'wallets',
      'cards 600 / 12,000 / 120,000 (tier 4, 4 x 100 yuan); phones 1,000 / 20,000 / 200,000 (tiers 2/3/4 = 30/40/30%, 4 x 100 yuan); cards make 30% of the payments outside the syncs',
      'no source gives the number of wallets at the Games or the split of payments between them',
      'groups.cards',
      'groups.phones',
      'mix',
    ),
    fact(
      'payment scenarios',
      'e-CNY has been adopted in more than 400,000 Olympics-related scenarios',
      EQUALOCEAN_OLYMPICS_SCENARIOS,
      'groups.merchants.count.national',
    ),
    modelled(
      'merchants',
      '200 / 4,000 / 400,000, Zipf s = 1.0: a city day pays at 1% of the reported scenarios',
      'no source says how many of the scenarios took payments on a given day',
      'groups.merchants',
    ),
    fact(
      'daily spending',
      'payments worth 2 million yuan ($316,000) or more every day (Mu Changchun, citing Reuters)',
      EWEBPROMO_OLYMPICS_DAILY,
      'scales.city.payments',
    ),
    fact(
      'daily spending, as reported',
      "'a couple of million' yuan of payments per day at the Beijing Winter Olympics",
      SCMP_OLYMPICS_DAILY,
      'scales.city.payments',
    ),
    modelled(
      'tickets',
      'log-normal, median 30 yuan (phones sigma 0.8, cards 0.6): ~40 yuan a payment, so 50,000 payments carry ~2 M yuan',
      'no source gives ticket sizes; the count follows from the reported daily value',
      'flows.scan.amount',
      'flows.tap.amount',
      'flows.mountainTap.amount',
      'flows.eveningTap.amount',
      'scales.city.payments',
    ),
    { ...DUAL_OFFLINE, uses: ['flows.mountainTap.offline', 'flows.eveningTap.offline'] },
    modelled(
      'offline spells and syncs',
      'mountain venues offline 09:00-15:00, an evening venue 18:00-21:00; each syncs in a spike (8x and 6x the day rate) over 6% of the day; 70% of offline invalid ops are double spends',
      'no source gives when or how long devices were offline',
      'flows.mountainTap',
      'flows.eveningTap',
      'arrival',
      'phases',
    ),
    modelled(
      'channels',
      'phones scan, cards tap',
      'cards are tapped (see the exchange-machine fact); phones are modelled as scanning',
      'flows.scan.channels',
      'flows.mountainTap.channels',
      'flows.eveningTap.channels',
    ),
    fact(
      'system throughput',
      'the current transaction rate per second (TPS) is 10,000, but the transaction capacity in the future will reach 300,000 TPS',
      ATLANTIC_COUNCIL_TPS,
      'scales.national.payments',
    ),
    modelled(
      'small scale',
      '1/20 of a Games day',
      'scale choice of the benchmark',
      'scales.small.payments',
    ),
  ],
};

/** The offline-burst scenario definition: default (a venue day) and olympics (a Games day). */
export const offlineBurst: ScenarioDefinition = {
  name: 'offline-burst',
  summary:
    'Hardware wallets pay offline by tap, then sync their backlog in a burst; variant olympics ' +
    'is a Games day sized from the reported figures',
  defaultVariant: 'default',
  // The sync drains a backlog by design, so no latency limit: every payment settles, no errors.
  thresholds: ['settled_rate>=0.99', 'errors==0'],
  variants: { default: venueDay, olympics: gamesDay },
};
