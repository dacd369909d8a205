/**
 * Xiong'an, April 2020: e-CNY retail at 19 merchants at first: catering (McDonald's, Starbucks,
 * Subway, local restaurants, a bakery), retail (unmanned supermarkets, a bookstore, convenience
 * stores), entertainment (cinema, sports) (sources in `facts`).
 *
 * Modelled: everything numeric. No public source found gives the daily curve (of e-CNY or of
 * Alipay), so the curve has breakfast, lunch and dinner peaks plus an evening peak at 20:00-21:00.
 * Merchant popularity is Zipf (a few chains take most payments), tickets log-normal per category,
 * merchants grow with scale in the first-day proportions (8 catering : 7 retail : 4 entertainment).
 */

import { type HourlyPoint, hourlyProfileCurve } from '../../rates/index.js';
import type { Fact, GroupSpec, ScenarioDefinition } from '../model/index.js';
import { BIG_FOUR_BANKS, fact, HOUR_S, modelled } from './common.js';
import { CBN_XIONGAN_MERCHANTS, COINDESK_XIONGAN } from './sources.js';

/** Relative payment rate by Beijing hour over one day (modelled). */
const RETAIL_DAY: readonly HourlyPoint[] = [
  [0, 0.05],
  [6, 0.1],
  [7, 0.6],
  [7.75, 1.3], // breakfast
  [9, 0.5],
  [11, 0.8],
  [12.25, 2.2], // lunch
  [13.5, 0.9],
  [15, 0.6],
  [17.5, 1.0],
  [18.75, 2.0], // dinner
  [20.5, 1.5], // an evening peak, 20:00-21:00
  [22, 0.7],
  [24, 0.05],
];

const merchants = (
  count: { small: number; city: number; national: number },
  s: number,
): GroupSpec => ({
  kind: 'merchant',
  tiers: { 2: 1 },
  count,
  popularity: { kind: 'zipf', s },
});

const FACTS: readonly Fact[] = [
  fact(
    'pilot',
    "promotional event for trials of the statutory digital renminbi in Xiong'an New District, 22 April",
    CBN_XIONGAN_MERCHANTS,
    'start',
  ),
  modelled(
    'the day',
    'one trading day, Mon 20 Apr 2020 06:00 to 24:00',
    'the source dates the launch meeting, not the trading; the day is our choice',
    'start',
    'windowS',
  ),
  fact(
    'banks',
    "representatives from government agencies, China's four state-owned commercial banks, Ant Financial, Tencent",
    COINDESK_XIONGAN,
    'banks',
  ),
  fact(
    'first merchants',
    "19 participants in Xiong'an's CBDC trials: Ching Shipping, Jinfeng Catering, Jiankun Catering, Kaili Hotel, Oscar Cinema, McDonald's, Starbucks, Subway, Jinbai He, Cainiao, UnionPay Unmanned Supermarket, JD Unmanned Supermarket, Welike, uSmile, Qingfeng Bun Shop, Zhongti Bili, CITIC Bookstore, Taoli Pavilion, Neolix",
    CBN_XIONGAN_MERCHANTS,
    'groups.catering.count',
    'groups.retail.count',
    'groups.entertainment.count',
  ),
  modelled(
    'merchant counts',
    'catering 80 / 800 / 8,000, retail 70 / 700 / 7,000, entertainment 40 / 400 / 4,000: our 8 : 7 : 4 reading of the 19, grown with scale',
    'the source lists 19 merchants, not their categories or how many joined later',
    'groups.catering.count',
    'groups.retail.count',
    'groups.entertainment.count',
  ),
  modelled(
    'merchant wallets and popularity',
    'tier 2 merchant wallets; Zipf s = 1.1 (catering), 1.0 (retail), 0.9 (entertainment)',
    'no source gives how payments spread over the merchants',
    'groups.catering.tiers',
    'groups.catering.popularity',
    'groups.retail.tiers',
    'groups.retail.popularity',
    'groups.entertainment.tiers',
    'groups.entertainment.popularity',
  ),
  modelled(
    'consumers',
    '3,000 / 60,000 / 600,000 (tiers 2/3/4 = 20/40/40%), 5 coins of 100 yuan each',
    'no source gives the number of pilot users, their tiers or balances',
    'groups.consumers',
  ),
  modelled(
    'tickets and channels',
    'log-normal medians 28 / 45 / 70 yuan (catering / retail / entertainment); scan 80-90%, tap the rest',
    "no source gives ticket sizes or channels in Xiong'an",
    'flows.catering',
    'flows.retail',
    'flows.entertainment',
  ),
  modelled(
    'the daily curve',
    'breakfast 07:45, lunch 12:15 (highest), dinner 18:45, evening 20:00-21:00; mix 55 / 33 / 12%, 40 / 30 / 30% after 19:00',
    'no public source found gives a daily payment curve (an Alipay 20:00-21:00 peak was looked for and not found)',
    'arrival',
    'mix',
    'phases',
  ),
  modelled(
    'payments',
    '4,500 / 90,000 / 900,000',
    'scale choices of the benchmark',
    'scales.small.payments',
    'scales.city.payments',
    'scales.national.payments',
  ),
];

/** The xiongan-retail scenario definition (one variant). */
export const xionganRetail: ScenarioDefinition = {
  name: 'xiongan-retail',
  summary:
    'Many consumers paying Zipf-popular merchants (catering, retail, entertainment) with meal-time peaks',
  defaultVariant: 'default',
  // A till answers within a second; every payment that should settle does; no transport errors.
  thresholds: ['p99<1s', 'settled_rate>=0.99', 'errors==0'],
  variants: {
    default: {
      name: 'xiongan-retail',
      variant: 'default',
      description:
        "Xiong'an retail day: consumers pay catering, retail and entertainment merchants by scan " +
        'or tap; Zipf-skewed popularity; breakfast, lunch, dinner and evening peaks (modelled)',
      // April 2020 is fact; the day is modelled. One trading day, 06:00 to 24:00.
      start: '2020-04-20T06:00',
      windowS: 18 * HOUR_S,
      banks: BIG_FOUR_BANKS,
      groups: {
        consumers: {
          kind: 'personal',
          tiers: { 2: 0.2, 3: 0.4, 4: 0.4 },
          count: { small: 3_000, city: 60_000, national: 600_000 },
          // Pre-split so a consumer's payments do not wait for each other.
          funding: [{ share: 1, coins: 5, yuan: 100 }],
        },
        catering: merchants({ small: 80, city: 800, national: 8_000 }, 1.1),
        retail: merchants({ small: 70, city: 700, national: 7_000 }, 1.0),
        entertainment: merchants({ small: 40, city: 400, national: 4_000 }, 0.9),
      },
      flows: {
        catering: {
          payer: 'consumers',
          payee: 'catering',
          amount: { kind: 'lognormal', medianYuan: 28, sigma: 0.5, minYuan: 3, maxYuan: 300 },
          coins: 'fresh',
          channels: { scan: 0.8, tap: 0.2 },
        },
        retail: {
          payer: 'consumers',
          payee: 'retail',
          amount: { kind: 'lognormal', medianYuan: 45, sigma: 0.8, minYuan: 2, maxYuan: 450 },
          coins: 'fresh',
          channels: { scan: 0.8, tap: 0.2 },
        },
        entertainment: {
          payer: 'consumers',
          payee: 'entertainment',
          amount: { kind: 'lognormal', medianYuan: 70, sigma: 0.4, minYuan: 20, maxYuan: 400 },
          coins: 'fresh',
          channels: { scan: 0.9, tap: 0.1 },
        },
      },
      arrival: hourlyProfileCurve(6, 18, RETAIL_DAY),
      mix: { catering: 0.55, retail: 0.33, entertainment: 0.12 },
      // Evenings (from 19:00) shift towards entertainment (modelled).
      phases: [
        {
          name: 'evening',
          from: 13 / 18,
          to: 1,
          mix: { catering: 0.4, retail: 0.3, entertainment: 0.3 },
        },
      ],
      scales: {
        small: { payments: 4_500, durationS: 20, note: 'modelled: 10x the 19 first-day merchants' },
        city: { payments: 90_000, durationS: 90, note: 'modelled: 100x the first-day merchants' },
        national: { payments: 900_000, durationS: 300, note: 'modelled: 10x city' },
      },
      facts: FACTS,
    },
  },
};
