/**
 * Shenzhen Luohu lottery, October 2020: 50,000 red packets of 200 yuan drawn among 1.91 M
 * applicants; 47,573 claimed; spendable from 12 Oct 18:00 to 18 Oct 24:00 at 3,389 merchants;
 * 62,788 transactions; 8.764 M yuan spent plus 0.901 M yuan topped up by users (sources in
 * `facts` below).
 *
 * At scale `city` the run replays these real counts, time-compressed; `small` is 1/20 of them.
 * Modelled: the top-up split (15% of winners add 120 yuan: 0.9 M yuan at city scale), ticket
 * sizes, merchant popularity, wallet tier, and the shape over the week (launch evening, daily
 * meal peaks, a weekend and last-day rush).
 */
import {
  type Fact,
  type HourlyPoint,
  hourlyProfileCurve,
  type ScenarioDefinition,
} from '../model/index.js';
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

const FACTS: readonly Fact[] = [
  fact(
    'spending window',
    'red packets valid from 12 Oct 18:00 to 18 Oct 24:00 (红包有效期为10月12日18时至10月18日24时)',
    JIWEI_LUOHU_RULES,
    'start',
    'windowS',
  ),
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
    'groups.winners.funding[0]',
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
    'groups.winners.funding[0]',
  ),
  fact(
    'top-ups',
    'some winning individuals have also topped up their digital wallets with a total of 901,000 yuan',
    SZ_GOV_LUOHU_RESULTS,
    'groups.winners.funding[1]',
  ),
  modelled(
    'top-up split',
    '15% of winners add one coin of 120 yuan (0.90 M yuan at city scale)',
    'no source says how many winners topped up or by how much; this split reproduces the total',
    'groups.winners.funding[1]',
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
  modelled(
    'ticket sizes',
    'log-normal, sigma 0.6, median 240 yuan, spent down: realised mean ~154 yuan',
    'the sources give totals only; (8.764 + 0.901) M yuan / 62,788 = 154 yuan is the mean to hit',
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
    'SMS and download links sent to the 50,000 winners from 18:00 on 12 Oct; unused packets recovered after the validity period',
    RAYRADAR_LUOHU_TIMELINE,
    'arrival',
  ),
  modelled(
    'shape of the week',
    'an hourly retail profile (lunch and evening peaks) weighted by day: 2.0, 1.3, 1.0, 0.9, 1.0, 1.3, 1.6',
    'no source gives payments over time; launch evening, weekend and last-day rush are our model',
    'arrival',
  ),
  modelled(
    'small and national scales',
    'small: 1/20 of the real counts; national: ten such lotteries',
    'scale choices of the benchmark',
    'scales.small.payments',
    'scales.national.payments',
    'groups.winners.count.small',
    'groups.merchants.count.national',
  ),
];

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
            // 47,573 of 50,000 claimed their 200 yuan (see FACTS).
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
          // Scan only: Luohu winners could not use offline or tap payments (see FACTS).
          channels: { scan: 1 },
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
      facts: FACTS,
    },
  },
};
