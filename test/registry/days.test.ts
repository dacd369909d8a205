/**
 * Value days (docs/api.md, `day`): the engine's clock decides the day a payment counts
 * against. Online, only the engine's day is accepted; an offline transfer's device day must lie
 * between its newest input's day and the sync, at most OFFLINE_SYNC_DAYS back. Without a clock
 * (replay) only the clock-free bound is checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIERS, OFFLINE_SYNC_DAYS, type Tx } from '../../engine/domain/index.js';
import { Registry } from '../../engine/registry/index.js';
import { cast, coinOf, DAY, genesisTxs, Ledger, op, out, YUAN } from '../fixtures/ledger.js';

/** The cast's genesis on a registry whose clock reads `clock.today`. */
function ledgerWithClock(clock: { today: number }): Ledger {
  const c = cast();
  const registry = new Registry({ centralBankKey: c.cb.publicKey, today: () => clock.today });
  const txs = genesisTxs(c);
  for (const tx of txs) assert.equal(registry.apply(tx), null);
  return new Ledger(registry, c, txs);
}

function settles(l: Ledger, tx: Tx): Tx {
  const r = l.registry.apply(tx);
  assert.equal(r, null, r ? `${tx.type} day ${tx.day}: ${r.code} ${r.message}` : '');
  return tx;
}

function refused(l: Ledger, tx: Tx, code: string, index?: number): void {
  const before = l.snapshot();
  const r = l.registry.apply(tx);
  assert.equal(r?.code, code, r ? r.message : `${tx.type} dated ${tx.day} settled`);
  assert.equal(r.index, index, r.message);
  assert.deepEqual(l.snapshot(), before, 'a rejection leaves the registry unchanged');
}

const DAILY_4 = DEFAULT_TIERS[4].daily!;
const HALF = DAILY_4 / 2;

describe('value days: online', () => {
  it("every operation carries the engine's day; any other is BAD_DAY", () => {
    const clock = { today: DAY };
    const l = ledgerWithClock(clock);
    for (const day of [DAY - 1, DAY + 1, DAY + 3650, 0]) {
      refused(l, l.pay('transfer', l.w.p2, l.w.m1, YUAN, { day }), 'BAD_DAY');
      refused(l, l.pay('exchange', l.banks.a, l.w.p2, YUAN, { day }), 'BAD_DAY');
      refused(l, op.issue(l.cb, [out(l.cb, 5)], { day }), 'BAD_DAY');
    }
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, YUAN, { day: DAY }));
    clock.today = DAY + 1;
    refused(l, l.pay('transfer', l.w.p2, l.w.m1, YUAN, { day: DAY }), 'BAD_DAY');
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, YUAN, { day: DAY + 1 }));
  });

  it('a tier-4 wallet cannot pay more than its daily limit by dating payments on other days', () => {
    const clock = { today: DAY };
    const l = ledgerWithClock(clock);
    // p4 holds 500 yuan; its tier pays at most 1,000 yuan a day, 500 at once.
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, HALF));
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, HALF));
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, HALF));
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, HALF));
    // Today's limit is spent: today, tomorrow, in ten years, yesterday, last month.
    for (const day of [DAY, DAY + 1, DAY + 3650, DAY - 1, DAY - 30]) {
      refused(
        l,
        l.pay('transfer', l.w.p4, l.w.m1, HALF, { day }),
        day === DAY ? 'TIER_LIMIT' : 'BAD_DAY',
      );
    }
    // Claiming to have paid offline does not help: its coins were made today.
    for (const day of [DAY - 1, DAY - 30]) {
      const tx = l.pay('offline-transfer', l.w.p4, l.w.m1, HALF, { day });
      refused(l, tx, 'BAD_DAY', 0);
    }
    refused(l, l.pay('offline-transfer', l.w.p4, l.w.m1, HALF, { day: DAY + 1 }), 'BAD_DAY');
    refused(l, l.pay('offline-transfer', l.w.p4, l.w.m1, HALF, { day: DAY }), 'TIER_LIMIT');
    // Tomorrow, by the engine's clock, the wallet has a fresh day.
    clock.today = DAY + 1;
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, HALF, { day: DAY + 1 }));
  });
});

describe('value days: offline transfers', () => {
  it('are dated by the device, between their newest input and the sync', () => {
    const clock = { today: DAY };
    const l = ledgerWithClock(clock);
    // Coins of two ages: p3's genesis coin (DAY), and one it receives on DAY + 2.
    clock.today = DAY + 2;
    const gift = settles(l, l.pay('transfer', l.w.m1, l.w.p3, 10 * YUAN, { day: DAY + 2 }));
    clock.today = DAY + 4;
    const old = l.registry.coinsOf(l.w.p3.publicKey).find((c) => c.day === DAY)!;
    const fresh = coinOf(gift, 0);
    // Paid offline on DAY + 1 with the old coin, synced on DAY + 4: fine.
    settles(
      l,
      op['offline-transfer'](l.w.p3, [old.id], [out(l.w.m3, old.value)], { day: DAY + 1 }),
    );
    // Paying with a coin received on DAY + 2 cannot have happened on DAY + 1.
    refused(
      l,
      op['offline-transfer'](l.w.p3, [fresh], [out(l.w.m3, 10 * YUAN)], { day: DAY + 1 }),
      'BAD_DAY',
      0,
    );
    // Nor after the sync.
    refused(
      l,
      op['offline-transfer'](l.w.p3, [fresh], [out(l.w.m3, 10 * YUAN)], { day: DAY + 5 }),
      'BAD_DAY',
    );
    settles(l, op['offline-transfer'](l.w.p3, [fresh], [out(l.w.m3, 10 * YUAN)], { day: DAY + 3 }));
  });

  it(`may lie at most ${OFFLINE_SYNC_DAYS} days before the sync`, () => {
    const clock = { today: DAY };
    const l = ledgerWithClock(clock);
    clock.today = DAY + OFFLINE_SYNC_DAYS + 1;
    refused(l, l.pay('offline-transfer', l.w.p2, l.w.m1, YUAN, { day: DAY }), 'BAD_DAY');
    settles(l, l.pay('offline-transfer', l.w.p2, l.w.m1, YUAN, { day: DAY + 1 }));
  });

  it("count against the later of their day and the payer's latest: no day is spent twice", () => {
    const clock = { today: DAY };
    const l = ledgerWithClock(clock);
    clock.today = DAY + 1;
    const genesisCoin = l.registry.coinsOf(l.w.p4.publicKey)[0]!;
    // Online today, with coins exchanged today: the whole daily limit.
    for (let i = 0; i < 2; i++) {
      const x = settles(l, l.pay('exchange', l.banks.a, l.w.p4, HALF, { day: DAY + 1 }));
      settles(l, op.transfer(l.w.p4, [coinOf(x, 0)], [out(l.w.m1, HALF)], { day: DAY + 1 }));
    }
    // An offline payment made yesterday with the genesis coin, synced after today's payments,
    // counts toward today: yesterday's unused allowance cannot be claimed after the fact.
    const late = op['offline-transfer'](
      l.w.p4,
      [genesisCoin.id],
      [out(l.w.m1, genesisCoin.value)],
      {
        day: DAY,
      },
    );
    refused(l, late, 'TIER_LIMIT');
  });

  it('without a clock (replay), only the newest-input bound is checked', () => {
    const l = ledgerWithClock({ today: DAY });
    const replay = new Registry({ centralBankKey: l.cb.publicKey });
    for (const tx of l.genesis) assert.equal(replay.apply(tx), null);
    const coin = replay.coinsOf(l.w.p2.publicKey)[0]!;
    const early = op['offline-transfer'](l.w.p2, [coin.id], [out(l.w.m1, coin.value)], {
      day: DAY - 1,
    });
    assert.equal(replay.apply(early)?.code, 'BAD_DAY');
    const later = op['offline-transfer'](l.w.p2, [coin.id], [out(l.w.m1, coin.value)], {
      day: DAY + 100,
    });
    assert.equal(replay.apply(later), null, 'a journaled record applies whatever the clock');
  });
});
