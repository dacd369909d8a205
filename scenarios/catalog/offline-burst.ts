/**
 * Beijing Winter Olympics, 2022 (fact: domain brief, "Pilots"): hardware wallets (gloves,
 * badges, watches, bracelets) paying by tap, which works offline: both sides may be offline and
 * settle later; offline spells should be short because the back end processes them later.
 *
 * Modelled: one day at a venue; hardware wallets lose connectivity for an offline spell
 * (u 0.10-0.55), keep paying by tap, and sync their backlog when they reconnect (u = 0.55): a
 * rate spike that drains the backlog in ~10% of the run. Phones stay online throughout.
 * Double spends attempted offline (one coin paid to two merchants) meet at sync, where the
 * second is rejected ALREADY_SPENT: the offline flow's invalid ops are mostly those.
 */
import type { ScenarioDefinition } from '../model/index.js';
import { BIG_FOUR_BANKS, HOUR_S } from './common.js';

const OFFLINE_FROM = 0.1;
const RECONNECT = 0.55;
const DRAINED = 0.65;

/** The offline-burst scenario definition (one variant). */
export const offlineBurst: ScenarioDefinition = {
  name: 'offline-burst',
  summary: 'Hardware wallets pay offline by tap, then sync their backlog in a burst',
  defaultVariant: 'default',
  // The sync drains a backlog by design, so no latency limit: every payment settles, no errors.
  thresholds: ['settled_rate>=0.99', 'errors==0'],
  variants: {
    default: {
      name: 'offline-burst',
      variant: 'default',
      description:
        'Winter Olympics venue day: hardware wallets tap-pay offline during a spell, then sync ' +
        'the backlog in a burst; offline double spends are rejected at sync',
      // The Games ran 4-20 Feb 2022 (fact); the day and the spell are modelled.
      start: '2022-02-05T08:00',
      windowS: 12 * HOUR_S,
      banks: BIG_FOUR_BANKS,
      groups: {
        visitors: {
          kind: 'personal',
          // Modelled: hardware wallets are anonymous (tier 4), loaded with small coins.
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
          invalidSplit: {
            ALREADY_SPENT: 0.7,
            BAD_SIGNATURE: 0.1,
            TIER_LIMIT: 0.1,
            UNKNOWN_COIN: 0.1,
          },
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
      phases: [
        { name: 'sync', from: RECONNECT, to: DRAINED, mix: { offline: 0.93, online: 0.07 } },
      ],
      scales: {
        small: { payments: 4_000, durationS: 20, note: 'modelled venue: 1,500 hardware wallets' },
        city: { payments: 60_000, durationS: 90, note: 'modelled: 20,000 hardware wallets' },
        national: { payments: 600_000, durationS: 300, note: 'modelled: 10x city' },
      },
    },
  },
};
