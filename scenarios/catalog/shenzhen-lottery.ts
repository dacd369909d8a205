/**
 * Shenzhen Luohu lottery, October 2020 (fact: domain brief, "Pilots"): 50,000 red packets of
 * 200 yuan drawn among 1.91 M applicants; 47,573 claimed; spendable from 12 Oct 18:00 to
 * 18 Oct 24:00 at 3,389 merchants; 62,788 transactions; 8.764 M yuan spent plus 0.901 M yuan
 * topped up by users.
 *
 * At scale `city` the run replays these real counts, time-compressed; `small` is 1/20 of them.
 * Modelled: the top-up split (15% of winners add 120 yuan: 0.9 M yuan at city scale), ticket
 * sizes, merchant popularity, wallet tier, and the shape over the week (launch evening, daily
 * meal peaks, a weekend and last-day rush).
 */
import { type HourlyPoint, hourlyProfileCurve, type ScenarioDefinition } from '../model/index.js';
import { BIG_FOUR_BANKS, HOUR_S } from './common.js';

const SMALL = 20;

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

/** The shenzhen-lottery scenario definition (one variant). */
export const shenzhenLottery: ScenarioDefinition = {
  name: 'shenzhen-lottery',
  summary: 'Luohu red-packet lottery: 50,000 x 200 yuan spent at 3,389 merchants, 62,788 payments',
  defaultVariant: 'default',
  // A till answers within a second; every payment that should settle does; no transport errors.
  thresholds: ['p99<1s', 'settled_rate>=0.99', 'errors==0'],
  variants: {
    default: {
      name: 'shenzhen-lottery',
      variant: 'default',
      description:
        'Shenzhen Luohu lottery replay: red packets credited before the window, then 62,788 ' +
        'payments at 3,389 merchants over 6.25 days (real counts at scale city)',
      start: '2020-10-12T18:00',
      windowS: 150 * HOUR_S,
      banks: BIG_FOUR_BANKS,
      groups: {
        winners: {
          kind: 'personal',
          // Modelled: lottery wallets opened with a phone number only.
          tiers: { 4: 1 },
          count: { small: 50_000 / SMALL, city: 50_000, national: 500_000 },
          funding: [
            // Fact: 47,573 of 50,000 claimed their 200 yuan.
            { share: 47_573 / 50_000, coins: 1, yuan: 200 },
            // Modelled split of the fact "0.901 M yuan topped up by users".
            { share: 0.15, coins: 1, yuan: 120 },
          ],
        },
        merchants: {
          kind: 'merchant',
          tiers: { 2: 1 },
          count: { small: Math.round(3_389 / SMALL), city: 3_389, national: 33_890 },
          popularity: { kind: 'zipf', s: 0.8 },
        },
      },
      flows: {
        spend: {
          payer: 'winners',
          payee: 'merchants',
          // 8.764 + 0.901 M yuan over 62,788 payments is ~154 yuan on average (fact). The
          // log-normal shape is modelled; a draw above what a winner has left pays the rest
          // (spend-down), and the median is calibrated so the realised average is ~154 yuan.
          amount: { kind: 'lognormal', medianYuan: 240, sigma: 0.6, minYuan: 1, maxYuan: 500 },
          coins: 'fresh',
          capToAvailable: true,
          channels: { scan: 0.9, tap: 0.1 },
        },
      },
      arrival: hourlyProfileCurve(18, 150, SPEND_DAY, DAY_WEIGHTS),
      mix: { spend: 1 },
      scales: {
        small: {
          payments: Math.round(62_788 / SMALL),
          durationS: 15,
          note: 'scaled down proportionally: 1/20 of the real counts',
        },
        city: {
          payments: 62_788,
          durationS: 120,
          note: 'the real counts: 50,000 winners, 3,389 merchants, 62,788 payments',
        },
        national: {
          payments: 627_880,
          durationS: 600,
          note: 'modelled: ten such lotteries at once',
        },
      },
    },
  },
};
