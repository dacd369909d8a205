/**
 * Xiong'an, April 2020: e-CNY retail at 19 merchants at first: catering (McDonald's, Starbucks,
 * Subway, local restaurants, a bakery), retail (unmanned supermarkets, a bookstore, convenience
 * stores), entertainment (cinema, sports) (fact: domain brief, "Pilots").
 *
 * Modelled: everything numeric. No e-CNY source gives the daily curve; Alipay's daily peak is
 * 20:00-21:00 (fact), so the curve has breakfast, lunch and dinner peaks plus that evening peak.
 * Merchant popularity is Zipf (a few chains take most payments), tickets log-normal per category,
 * merchants grow with scale in the first-day proportions (8 catering : 7 retail : 4 entertainment).
 */
import {
  type GroupSpec,
  type HourlyPoint,
  hourlyProfileCurve,
  type ScenarioDefinition,
} from '../model/index.js';
import { BIG_FOUR_BANKS, HOUR_S } from './common.js';

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
  [20.5, 1.5], // the Alipay-style evening peak, 20:00-21:00
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
    },
  },
};
