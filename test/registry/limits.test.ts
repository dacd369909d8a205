import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_TIERS, type KeyPair, type Tx } from '../../engine/domain/index.js';
import { yearOf } from '../../engine/registry/index.js';
import { DAY, genesis, type Ledger, op, out, WALLETS, YUAN } from '../fixtures/ledger.js';

/** 2022-01-01 UTC: the first value day of the year after DAY's. */
const NEXT_YEAR = 18_993;

function settles(l: Ledger, tx: Tx): void {
  const r = l.registry.apply(tx);
  assert.equal(r, null, r ? `${tx.type}: ${r.code} ${r.message}` : '');
}

/** Expects TIER_LIMIT (with `index` for a payee cap, none for payer limits), nothing moved. */
function limited(l: Ledger, tx: Tx, index?: number): void {
  const before = l.snapshot();
  const r = l.registry.apply(tx);
  assert.equal(r?.code, 'TIER_LIMIT', r ? r.message : `${tx.type} settled`);
  assert.equal(r.index, index, r.message);
  assert.deepEqual(l.snapshot(), before, 'a rejection leaves the registry unchanged');
}

/** Payer pays payee, then the payee (a tier-1 merchant) pays it straight back. */
function roundTrip(l: Ledger, payer: KeyPair, value: number, day: number): void {
  settles(l, l.pay('transfer', payer, l.w.m1, value, { day }));
  settles(l, l.pay('transfer', l.w.m1, payer, value, { day }));
}

describe('TIER_LIMIT: payer limits', () => {
  it('single payment: at the limit settles, one fen over does not', () => {
    const l = genesis();
    const single = DEFAULT_TIERS[4].single!;
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, 400 * YUAN));
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, single + 1));
    limited(l, l.pay('transfer', l.w.p4, l.w.p3, single + 1));
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, single));
  });

  it('single payment: change back to the payer does not count, several payees do', () => {
    const l = genesis();
    const { p4, m1, m2 } = l.w;
    settles(l, l.pay('exchange', l.banks.a, p4, 400 * YUAN)); // p4: coins of 500 and 400 yuan
    const coins = (): string[] => l.registry.coinsOf(p4.publicKey).map((c) => c.id);
    settles(l, op.transfer(p4, coins(), [out(m1, 100 * YUAN), out(p4, 800 * YUAN)]));
    limited(
      l,
      op.transfer(p4, coins(), [
        out(m1, 300 * YUAN),
        out(m2, 200 * YUAN + 1),
        out(p4, 300 * YUAN - 1),
      ]),
    );
    settles(
      l,
      op.transfer(p4, coins(), [out(m1, 300 * YUAN), out(m2, 200 * YUAN), out(p4, 300 * YUAN)]),
    );
  });

  it('daily: two payments on the same value day add up; the next day starts afresh', () => {
    const l = genesis();
    const { daily, single } = DEFAULT_TIERS[4];
    assert.equal(daily, 2 * single!);
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, 500 * YUAN)); // p4 holds 1,000 yuan
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, single!, { day: DAY }));
    settles(l, l.pay('transfer', l.w.p4, l.w.m2, single!, { day: DAY }));
    settles(l, l.pay('transfer', l.w.m1, l.w.p4, single!, { day: DAY })); // funds, not spending
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: DAY }));
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: DAY + 1 }));
  });

  it('daily: reached over several payments below the single limit', () => {
    const l = genesis();
    // p2: single 5,000, daily 10,000 yuan; holds 5,000.
    for (let i = 0; i < 4; i++) roundTrip(l, l.w.p2, 2_500 * YUAN, DAY + 7);
    limited(l, l.pay('transfer', l.w.p2, l.w.m1, 1, { day: DAY + 7 }));
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, 1, { day: DAY + 8 }));
  });

  it('annual: the year total counts across days; the next year starts afresh', () => {
    const l = genesis();
    const { annual, daily } = DEFAULT_TIERS[4];
    const days = annual! / daily!; // 10 days of 1,000 yuan reach 10,000
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, 500 * YUAN));
    for (let d = 0; d < days; d++) {
      roundTrip(l, l.w.p4, 500 * YUAN, DAY + d);
      roundTrip(l, l.w.p4, 500 * YUAN, DAY + d);
    }
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: DAY + days }));
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: NEXT_YEAR - 1 }));
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: NEXT_YEAR }));
  });

  it('merchants pay within their tier limits too', () => {
    const l = genesis();
    limited(l, l.pay('transfer', l.w.m4, l.w.p1, DEFAULT_TIERS[4].single! + 1));
    settles(l, l.pay('transfer', l.w.m4, l.w.p1, DEFAULT_TIERS[4].single!));
  });

  it('redeem and exchange are not payments of the wallet', () => {
    const l = genesis();
    // p2 redeems all it holds, more than its single limit would allow after a top-up.
    settles(l, l.pay('exchange', l.banks.a, l.w.p2, 5_000 * YUAN));
    settles(l, l.pay('redeem', l.w.p2, l.banks.a, 10_000 * YUAN));
    assert.equal(l.registry.balanceOf(l.w.p2.publicKey), 0);
  });
});

describe('TIER_LIMIT: payee balance cap', () => {
  it('a payment that would take a payee over its balance cap is refused at its output', () => {
    const l = genesis();
    const room = DEFAULT_TIERS[4].balance! - WALLETS.p4.funding;
    limited(l, l.pay('transfer', l.w.p1, l.w.p4, room + 1), 0);
    limited(l, l.pay('exchange', l.banks.a, l.w.p4, room + 1), 0);
    const { inputs, change } = l.pick(l.w.p1, 2 * room);
    // Two outputs to one payee count together; the index is the payee's first output.
    limited(
      l,
      op.transfer(l.w.p1, inputs, [
        out(l.w.m1, 1),
        out(l.w.p4, room),
        out(l.w.p1, change + room - 2),
        out(l.w.p4, 1),
      ]),
      1,
    );
    const vault = l.pick(l.banks.a, room + 2);
    limited(
      l,
      op.exchange(l.banks.a, vault.inputs, [
        out(l.w.p3, 1),
        out(l.w.p4, room),
        out(l.w.p4, 1),
        out(l.banks.a, vault.change),
      ]),
      1,
    );
    settles(l, l.pay('transfer', l.w.p1, l.w.p4, room));
    assert.equal(l.registry.balanceOf(l.w.p4.publicKey), DEFAULT_TIERS[4].balance);
    limited(l, l.pay('transfer', l.w.p2, l.w.p4, 1), 0);
  });

  it('merchants have no balance cap', () => {
    const l = genesis();
    const cap = DEFAULT_TIERS[4].balance!;
    settles(l, l.pay('transfer', l.w.p1, l.w.m4, 2 * cap));
    settles(l, l.pay('exchange', l.banks.b, l.w.m4, 10 * cap));
    assert.equal(l.registry.balanceOf(l.w.m4.publicKey), WALLETS.m4.funding + 12 * cap);
  });
});

describe('TIER_LIMIT: value days out of order', () => {
  it('a late payment dated an earlier day counts toward the newer day, never resets it', () => {
    const l = genesis();
    // p2: daily 10,000 yuan. Spend 9,000 on day D+10, then settle a late payment dated D+9.
    roundTrip(l, l.w.p2, 5_000 * YUAN, DAY + 10);
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, 4_000 * YUAN, { day: DAY + 10 }));
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, 10 * YUAN, { day: DAY + 9 }));
    settles(l, l.pay('transfer', l.w.m1, l.w.p2, 9_000 * YUAN, { day: DAY + 10 }));
    limited(l, l.pay('transfer', l.w.p2, l.w.m1, 991 * YUAN, { day: DAY + 10 }));
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, 990 * YUAN, { day: DAY + 10 }));
    // The newer day is full: late payments cannot spend the limit again either.
    limited(l, l.pay('transfer', l.w.p2, l.w.m1, 1, { day: DAY + 9 }));
    limited(l, l.pay('transfer', l.w.p2, l.w.m1, 1, { day: DAY }));
    settles(l, l.pay('transfer', l.w.p2, l.w.m1, 1, { day: DAY + 11 }));
  });

  it('a late payment dated the previous year counts toward this year, never resets it', () => {
    const l = genesis();
    // p4: annual 10,000 yuan. Spend all but 1 yuan of it in the next year...
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, 500 * YUAN));
    for (let d = 0; d < 10; d++) {
      roundTrip(l, l.w.p4, 500 * YUAN, NEXT_YEAR + d);
      roundTrip(l, l.w.p4, d === 9 ? 499 * YUAN : 500 * YUAN, NEXT_YEAR + d);
    }
    // ... then a late payment from this year takes the last yuan, and the year is full.
    settles(l, l.pay('transfer', l.w.p4, l.w.m1, 1 * YUAN, { day: NEXT_YEAR - 1 }));
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: NEXT_YEAR - 1 }));
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: NEXT_YEAR + 20 }));
  });

  it('the annual limit holds for value days far in the future', () => {
    const l = genesis();
    // p4 annual 10,000 yuan. 29,000 Gregorian cycles of 400 years after 1970-01-01 (a u32 day).
    const far = 146_097 * 29_000;
    assert.equal(yearOf(far), 1970 + 400 * 29_000);
    assert.equal(yearOf(far - 1), 1969 + 400 * 29_000);
    settles(l, l.pay('exchange', l.banks.a, l.w.p4, 500 * YUAN));
    for (let d = 0; d < 10; d++) {
      roundTrip(l, l.w.p4, 500 * YUAN, far + d);
      roundTrip(l, l.w.p4, 500 * YUAN, far + d);
    }
    limited(l, l.pay('transfer', l.w.p4, l.w.m1, 1, { day: far + 10 }));
  });

  it('yearOf is the UTC calendar year of a value day, for every u32 day', () => {
    assert.equal(yearOf(0), 1970);
    assert.equal(yearOf(DAY), 2021);
    assert.equal(yearOf(NEXT_YEAR - 1), 2021);
    assert.equal(yearOf(NEXT_YEAR), 2022);
    assert.equal(yearOf(11_016), 2000); // 2000-02-29, the 400-year leap day
    assert.equal(yearOf(11_322), 2000); // 2000-12-31
    assert.equal(yearOf(100_000_000), 275_760);
    assert.equal(yearOf(146_097), 2370);
    assert.equal(yearOf(146_096), 2369);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (day) => yearOf(day) === civilYear(day),
      ),
      { numRuns: 2_000 },
    );
    for (const day of [100_000_001, 2 ** 31, 2 ** 32 - 1])
      assert.equal(yearOf(day), civilYear(day));
  });
});

/** Year of a day count by pure arithmetic (H. Hinnant's civil_from_days), as an oracle. */
function civilYear(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}
