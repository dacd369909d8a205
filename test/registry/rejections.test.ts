import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveKeyPair, type RejectionCode, type Tx } from '../../engine/domain/index.js';
import { Registry } from '../../engine/registry/index.js';
import {
  ALLOCATED,
  coinOf,
  DAY,
  genesis,
  ISSUED,
  type Ledger,
  op,
  out,
  WALLETS,
  YUAN,
} from '../fixtures/ledger.js';

const stranger = deriveKeyPair('ecny-bench-test', 'stranger');

/** Applies `tx`, expects exactly `code` (and `index`), and that nothing moved. */
function refused(l: Ledger, tx: Tx, code: RejectionCode, index?: number): void {
  const before = l.snapshot([stranger]);
  const checked = l.registry.check(tx);
  const r = l.registry.apply(tx);
  assert.ok(r, `${tx.type} settled, expected ${code}`);
  assert.equal(r.code, code, r.message);
  assert.equal(r.index, index, `index of ${code}: ${r.message}`);
  assert.deepEqual(checked, r, 'check() and apply() agree');
  // A replay's txid is settled already (by the original); anything else is not.
  assert.equal(l.registry.isSettled(tx.txidHex), code === 'DUPLICATE_TX');
  assert.deepEqual(l.snapshot([stranger]), before, 'a rejection leaves the registry unchanged');
}

function settles(l: Ledger, tx: Tx): Tx {
  const r = l.registry.apply(tx);
  assert.equal(r, null, r ? `${tx.type}: ${r.code} ${r.message}` : '');
  assert.ok(l.registry.reconcile().ok, l.registry.reconcile().problems.join('; '));
  return tx;
}

/** The one coin a wallet holds after genesis. */
function coinOfWallet(l: Ledger, name: keyof typeof WALLETS): string {
  const [coin] = l.registry.coinsOf(l.w[name].publicKey);
  assert.ok(coin);
  return coin.id;
}

describe('genesis', () => {
  it('builds the books it documents', () => {
    const l = genesis();
    const books = l.registry.reconcile();
    assert.ok(books.ok, books.problems.join('; '));
    const funded = Object.values(WALLETS).reduce((s, w) => s + w.funding, 0);
    assert.equal(books.issued, ISSUED);
    assert.equal(books.destroyed, 0);
    assert.equal(books.unspent, ISSUED);
    assert.equal(books.wallets, funded);
    assert.equal(books.bankVaults, ALLOCATED.a + ALLOCATED.b - funded);
    assert.equal(books.issuanceVault, ISSUED - ALLOCATED.a - ALLOCATED.b);
    for (const [name, spec] of Object.entries(WALLETS)) {
      const key = l.w[name as keyof typeof WALLETS].publicKey;
      assert.equal(l.registry.balanceOf(key), spec.funding);
      assert.equal(l.registry.coinsOf(key).length, 1);
      const account = l.registry.accounts.get(key);
      assert.equal(account?.role, 'wallet');
      assert.equal(account?.tier, spec.tier);
      assert.equal(account?.kind, spec.kind);
    }
    assert.equal(l.registry.accounts.size, 1 + 2 + Object.keys(WALLETS).length);
    assert.equal(l.registry.settledCount, l.genesis.length);
    assert.equal(l.registry.lifecycle.byType.open, Object.keys(WALLETS).length);
  });

  it('is deterministic: same seed, same transactions; another seed, other keys', () => {
    const ids = (l: Ledger): string[] => l.genesis.map((t) => t.txidHex);
    assert.deepEqual(ids(genesis()), ids(genesis()));
    const other = genesis({ seed: 'other' });
    assert.notEqual(other.w.p4.publicKey, genesis().w.p4.publicKey);
    assert.equal(other.cb.publicKey, genesis().cb.publicKey, 'the default central bank key');
    assert.ok(other.registry.reconcile().ok);
  });
});

describe('every operation settles when valid', () => {
  it('transfer, offline-transfer, redeem, return, destroy, issue, allocate, exchange, enroll, open', () => {
    const l = genesis();
    const { cb, banks, w, registry } = l;
    const funding = coinOfWallet(l, 'p2');
    const t = settles(l, l.pay('transfer', w.p2, w.m1, 12 * YUAN));
    assert.equal(registry.balanceOf(w.p2.publicKey), WALLETS.p2.funding - 12 * YUAN);
    assert.equal(registry.coin(funding)?.state, 'spent');
    assert.equal(registry.coin(coinOf(t, 0))?.state, 'unspent');
    settles(l, l.pay('redeem', w.m1, banks.b, 20 * YUAN));
    settles(l, l.pay('return', banks.b, cb, 1_000 * YUAN));
    const before = registry.reconcile();
    settles(l, l.pay('destroy', cb, cb, 300 * YUAN));
    const after = registry.reconcile();
    assert.equal(after.destroyed, before.destroyed + 300 * YUAN);
    assert.equal(after.unspent, before.unspent - 300 * YUAN);
    settles(l, op.issue(cb, [out(cb, 7), out(cb, 8)]));
    assert.equal(registry.reconcile().issued, ISSUED + 15);
    settles(l, l.pay('allocate', cb, banks.a, 15));
    settles(l, l.pay('exchange', banks.a, w.p3, 15));
    const bank = deriveKeyPair('ecny-bench-test', 'bank-c');
    settles(l, op.enroll(cb, bank, { kyc: 'licence' }));
    settles(l, op.open(bank, stranger, 4, 'personal'));
    assert.equal(registry.accounts.get(stranger.publicKey)?.tier, 4);
    settles(l, l.pay('transfer', w.p3, stranger, 15));
    settles(l, l.pay('offline-transfer', w.p3, w.m3, 15));
    const counts = registry.lifecycle.byType;
    for (const type of Object.keys(counts) as (keyof typeof counts)[])
      assert.ok(counts[type] >= 1, `${type} counted`);
  });
});

describe('UNKNOWN_SIGNER', () => {
  it('refuses a signer the certification centre does not know', () => {
    const l = genesis();
    refused(l, op.transfer(stranger, [coinOfWallet(l, 'p2')], [out(l.w.m1, 1)]), 'UNKNOWN_SIGNER');
    refused(l, op.issue(stranger, [out(stranger, 100)]), 'UNKNOWN_SIGNER');
    refused(l, op.enroll(stranger, stranger), 'UNKNOWN_SIGNER');
    refused(l, op.open(stranger, stranger, 1, 'personal'), 'UNKNOWN_SIGNER');
  });
});

describe('UNKNOWN_PAYEE', () => {
  it('refuses an output to an unregistered key, at its index', () => {
    const l = genesis();
    const coin = coinOfWallet(l, 'p2');
    const v = WALLETS.p2.funding;
    refused(l, op.transfer(l.w.p2, [coin], [out(stranger, v)]), 'UNKNOWN_PAYEE', 0);
    refused(
      l,
      op.transfer(l.w.p2, [coin], [out(l.w.m1, 1), out(l.w.p2, v - 2), out(stranger, 1)]),
      'UNKNOWN_PAYEE',
      2,
    );
    const vault = l.pick(l.banks.a, 1).inputs;
    const value = l.registry.coin(vault[0]!);
    assert.equal(value?.state, 'unspent');
    if (value?.state !== 'unspent') return;
    refused(
      l,
      op.exchange(l.banks.a, vault, [out(l.banks.a, value.coin.value - 1), out(stranger, 1)]),
      'UNKNOWN_PAYEE',
      1,
    );
  });
});

describe('UNKNOWN_COIN', () => {
  it('refuses a coin the registration centre has never seen, at its index', () => {
    const l = genesis();
    const coin = coinOfWallet(l, 'p2');
    const never = 'ee'.repeat(32);
    refused(l, op.transfer(l.w.p2, [never], [out(l.w.m1, 1)]), 'UNKNOWN_COIN', 0);
    refused(
      l,
      op.transfer(l.w.p2, [coin, never], [out(l.w.m1, WALLETS.p2.funding + 1)]),
      'UNKNOWN_COIN',
      1,
    );
    // A coin that a not-yet-settled transaction would create does not exist yet.
    const pending = l.pay('transfer', l.w.p2, l.w.p3, 5 * YUAN);
    refused(
      l,
      op.transfer(l.w.p3, [coinOf(pending, 0)], [out(l.w.m1, 5 * YUAN)]),
      'UNKNOWN_COIN',
      0,
    );
    refused(l, op.destroy(l.cb, [never], []), 'UNKNOWN_COIN', 0);
  });
});

describe('NOT_OWNER', () => {
  it('refuses spending a coin of someone else, at its index', () => {
    const l = genesis();
    const p2 = coinOfWallet(l, 'p2');
    const p3 = coinOfWallet(l, 'p3');
    // p3 signs validly with its own key, but the coin is p2's.
    refused(l, op.transfer(l.w.p3, [p2], [out(l.w.m1, WALLETS.p2.funding)]), 'NOT_OWNER', 0);
    refused(
      l,
      op.transfer(l.w.p3, [p3, p2], [out(l.w.m1, WALLETS.p2.funding + WALLETS.p3.funding)]),
      'NOT_OWNER',
      1,
    );
    // A bank may not move a wallet's coin, nor the central bank a bank's vault.
    refused(l, op.redeem(l.banks.a, [p2], [out(l.banks.a, WALLETS.p2.funding)]), 'UNAUTHORIZED');
    refused(l, op.exchange(l.banks.a, [p2], [out(l.w.p3, WALLETS.p2.funding)]), 'NOT_OWNER', 0);
    const vault = l.pick(l.banks.b, 1).inputs;
    refused(l, op.destroy(l.cb, vault, []), 'NOT_OWNER', 0);
  });
});

describe('ALREADY_SPENT', () => {
  it('refuses a coin spent by an earlier transaction, at its index', () => {
    const l = genesis();
    const old = coinOfWallet(l, 'p2');
    const first = settles(l, l.pay('transfer', l.w.p2, l.w.m1, 100 * YUAN));
    const change = coinOf(first, 1);
    assert.equal(l.registry.coin(old)?.state, 'spent');
    const status = l.registry.coin(old);
    if (status?.state === 'spent') assert.equal(status.spentBy, first.txidHex);
    refused(l, op.transfer(l.w.p2, [old], [out(l.w.m1, WALLETS.p2.funding)]), 'ALREADY_SPENT', 0);
    refused(
      l,
      op.transfer(l.w.p2, [change, old], [out(l.w.m1, 2 * WALLETS.p2.funding - 100 * YUAN)]),
      'ALREADY_SPENT',
      1,
    );
    // Spent beats ownership: someone else spending a spent coin is told it is spent.
    refused(l, op.transfer(l.w.p3, [old], [out(l.w.m1, WALLETS.p2.funding)]), 'ALREADY_SPENT', 0);
  });
});

describe('VALUE_MISMATCH', () => {
  const l = genesis();
  const { cb, banks, w } = l;
  /** All of `who`'s coins as inputs and their total. */
  const all = (who: { publicKey: string }): [string[], number] => {
    const coins = l.registry.coinsOf(who.publicKey);
    return [coins.map((c) => c.id), coins.reduce((s, c) => s + c.value, 0)];
  };

  it('allocate', () => {
    const [inputs, total] = all(cb);
    refused(l, op.allocate(cb, inputs, [out(banks.a, total + 1)]), 'VALUE_MISMATCH');
    refused(l, op.allocate(cb, inputs, [out(banks.a, 1), out(cb, total - 2)]), 'VALUE_MISMATCH');
  });

  it('exchange', () => {
    const [inputs, total] = all(banks.a);
    refused(l, op.exchange(banks.a, inputs, [out(w.p1, 1), out(banks.a, total)]), 'VALUE_MISMATCH');
    refused(l, op.exchange(banks.a, inputs, [out(w.p1, 1)]), 'VALUE_MISMATCH');
  });

  it('transfer', () => {
    const [inputs, total] = all(w.p2);
    refused(l, op.transfer(w.p2, inputs, [out(w.m1, total + 1)]), 'VALUE_MISMATCH');
    refused(l, op.transfer(w.p2, inputs, [out(w.m1, total - 1)]), 'VALUE_MISMATCH');
    refused(l, op.transfer(w.p2, inputs, [out(w.p2, total - 1)]), 'VALUE_MISMATCH');
  });

  it('redeem', () => {
    const [inputs, total] = all(w.p2);
    refused(l, op.redeem(w.p2, inputs, [out(banks.a, total - 1)]), 'VALUE_MISMATCH');
    refused(l, op.redeem(w.p2, inputs, [out(banks.a, total), out(w.p2, 1)]), 'VALUE_MISMATCH');
  });

  it('return', () => {
    const [inputs, total] = all(banks.b);
    refused(l, op.return(banks.b, inputs, [out(cb, total + 1)]), 'VALUE_MISMATCH');
    refused(l, op.return(banks.b, inputs, [out(cb, 1)]), 'VALUE_MISMATCH');
  });

  it('destroy must burn something', () => {
    const [inputs, total] = all(cb);
    refused(l, op.destroy(cb, inputs, [out(cb, total)]), 'VALUE_MISMATCH');
    refused(l, op.destroy(cb, inputs, [out(cb, total + 1)]), 'VALUE_MISMATCH');
    refused(l, op.destroy(cb, inputs, [out(cb, total - 1), out(cb, 1)]), 'VALUE_MISMATCH');
    settles(l, op.destroy(cb, inputs, [out(cb, total - 1)]));
    assert.equal(l.registry.reconcile().destroyed, 1);
  });
});

describe('VALUE_MISMATCH: total issuance stays a safe integer', () => {
  it('refuses an issue past MAX_SAFE_INTEGER in total, even after destruction', () => {
    const l = genesis();
    const MAX = Number.MAX_SAFE_INTEGER;
    refused(l, op.issue(l.cb, [out(l.cb, MAX)]), 'VALUE_MISMATCH');
    const big = settles(l, op.issue(l.cb, [out(l.cb, MAX - ISSUED - 1)]));
    settles(l, op.issue(l.cb, [out(l.cb, 1)]));
    assert.equal(l.registry.reconcile().issued, MAX);
    refused(l, op.issue(l.cb, [out(l.cb, 1)]), 'VALUE_MISMATCH');
    // Destroying does not make room: the issued counter itself must stay exact.
    settles(l, op.destroy(l.cb, [coinOf(big, 0)], []));
    refused(l, op.issue(l.cb, [out(l.cb, 1)]), 'VALUE_MISMATCH');
    const books = l.registry.reconcile();
    assert.ok(books.ok, books.problems.join('; '));
    assert.equal(books.unspent, ISSUED + 1);
  });
});

describe('UNAUTHORIZED', () => {
  const l = genesis();
  const { cb, banks, w } = l;
  const p2 = coinOfWallet(l, 'p2');
  const v2 = WALLETS.p2.funding;
  const vaultA = (): [string[], number] => {
    const { inputs, change } = l.pick(banks.a, 1);
    return [inputs, change + 1];
  };
  const cbCoins = (): [string[], number] => {
    const { inputs, change } = l.pick(cb, 1);
    return [inputs, change + 1];
  };

  it('signer roles', () => {
    const [a, av] = vaultA();
    const [c, cv] = cbCoins();
    refused(l, op.issue(w.p1, [out(w.p1, 100)]), 'UNAUTHORIZED'); // a wallet issuing
    refused(l, op.issue(banks.a, [out(banks.a, 100)]), 'UNAUTHORIZED'); // a bank issuing
    refused(l, op.allocate(banks.a, a, [out(banks.b, av)]), 'UNAUTHORIZED'); // a bank allocating
    refused(l, op.allocate(w.p2, [p2], [out(banks.a, v2)]), 'UNAUTHORIZED');
    refused(l, op.exchange(cb, c, [out(w.p1, cv)]), 'UNAUTHORIZED'); // the centre skipping banks
    refused(l, op.exchange(w.p2, [p2], [out(w.p1, v2)]), 'UNAUTHORIZED');
    refused(l, op.transfer(banks.a, a, [out(w.p1, av)]), 'UNAUTHORIZED'); // a bank transferring
    refused(l, op.transfer(cb, c, [out(w.p1, cv)]), 'UNAUTHORIZED');
    refused(l, op.redeem(banks.a, a, [out(banks.b, av)]), 'UNAUTHORIZED');
    refused(l, op.return(w.p2, [p2], [out(cb, v2)]), 'UNAUTHORIZED'); // a wallet returning
    refused(l, op.return(cb, c, [out(cb, cv)]), 'UNAUTHORIZED');
    refused(l, op.destroy(banks.a, a, []), 'UNAUTHORIZED'); // a bank destroying
    refused(l, op.destroy(w.p2, [p2], []), 'UNAUTHORIZED');
    refused(l, op.enroll(banks.a, stranger), 'UNAUTHORIZED'); // a bank enrolling
    refused(l, op.enroll(w.p1, stranger), 'UNAUTHORIZED');
    refused(l, op.open(w.p1, stranger, 4, 'personal'), 'UNAUTHORIZED'); // a wallet opening
    refused(l, op.open(cb, stranger, 4, 'personal'), 'UNAUTHORIZED');
  });

  it('payee roles, at the output index', () => {
    const [a, av] = vaultA();
    const [c, cv] = cbCoins();
    // A wallet paying a bank (or the central bank, or itself plus a bank) via transfer.
    refused(l, op.transfer(w.p2, [p2], [out(banks.a, v2)]), 'UNAUTHORIZED', 0);
    refused(l, op.transfer(w.p2, [p2], [out(w.m1, 1), out(cb, v2 - 1)]), 'UNAUTHORIZED', 1);
    refused(l, op.transfer(w.p2, [p2], [out(w.p2, v2 - 1), out(banks.b, 1)]), 'UNAUTHORIZED', 1);
    // Redeeming to a wallet, or to the central bank.
    refused(l, op.redeem(w.p2, [p2], [out(w.p1, v2)]), 'UNAUTHORIZED', 0);
    refused(l, op.redeem(w.p2, [p2], [out(banks.a, 1), out(cb, v2 - 1)]), 'UNAUTHORIZED', 1);
    // Issuing to anyone but the issuance vault.
    refused(l, op.issue(cb, [out(cb, 1), out(banks.a, 100)]), 'UNAUTHORIZED', 1);
    refused(l, op.issue(cb, [out(w.p1, 100)]), 'UNAUTHORIZED', 0);
    // Allocating to a wallet; exchanging to a bank or the central bank; returning to a bank.
    refused(l, op.allocate(cb, c, [out(w.p1, cv)]), 'UNAUTHORIZED', 0);
    refused(l, op.exchange(banks.a, a, [out(banks.b, av)]), 'UNAUTHORIZED', 0);
    refused(l, op.exchange(banks.a, a, [out(w.p1, 1), out(cb, av - 1)]), 'UNAUTHORIZED', 1);
    refused(l, op.return(banks.a, a, [out(banks.b, av)]), 'UNAUTHORIZED', 0);
    refused(l, op.return(banks.a, a, [out(w.p1, av)]), 'UNAUTHORIZED', 0);
    // Destroy outputs are change only.
    refused(l, op.destroy(cb, c, [out(banks.a, 1)]), 'UNAUTHORIZED', 0);
  });
});

describe('DUPLICATE_TX', () => {
  it('refuses the replay of a settled transaction of any type', () => {
    const l = genesis();
    for (const tx of l.genesis) refused(l, tx, 'DUPLICATE_TX');
    const t = settles(l, l.pay('transfer', l.w.p2, l.w.m1, 3 * YUAN));
    refused(l, t, 'DUPLICATE_TX');
    // An issue spends nothing: without the txid check its replay would mint twice.
    const i = settles(l, op.issue(l.cb, [out(l.cb, 500)]));
    refused(l, i, 'DUPLICATE_TX');
    // The same operation with another nonce is another transaction.
    settles(l, op.issue(l.cb, [out(l.cb, 500)], { nonce: i.nonce + 1_000_000 }));
    const d = settles(l, l.pay('destroy', l.cb, l.cb, 100));
    refused(l, d, 'DUPLICATE_TX');
  });

  it('a rejected transaction is not "settled": it may be sent again once it applies', () => {
    const l = genesis();
    const payee = deriveKeyPair('ecny-bench-test', 'late-wallet');
    const pay = l.pay('transfer', l.w.p2, payee, 3 * YUAN);
    refused(l, pay, 'UNKNOWN_PAYEE', 0);
    settles(l, op.open(l.banks.a, payee, 3, 'personal'));
    settles(l, pay);
    refused(l, pay, 'DUPLICATE_TX');
  });
});

describe('ALREADY_REGISTERED', () => {
  it('refuses enrolling or opening a key that is already registered', () => {
    const l = genesis();
    const { cb, banks, w } = l;
    refused(l, op.enroll(cb, banks.a), 'ALREADY_REGISTERED');
    refused(l, op.enroll(cb, w.p1), 'ALREADY_REGISTERED');
    refused(l, op.enroll(cb, cb), 'ALREADY_REGISTERED');
    refused(l, op.open(banks.a, w.p1, 1, 'personal'), 'ALREADY_REGISTERED');
    refused(l, op.open(banks.b, w.p1, 4, 'merchant'), 'ALREADY_REGISTERED');
    refused(l, op.open(banks.a, banks.b, 1, 'personal'), 'ALREADY_REGISTERED');
    refused(l, op.open(banks.a, banks.a, 1, 'personal'), 'ALREADY_REGISTERED');
    refused(l, op.open(banks.a, cb, 1, 'personal'), 'ALREADY_REGISTERED');
    settles(l, op.open(banks.a, stranger, 2, 'personal'));
    refused(l, op.open(banks.b, stranger, 2, 'personal'), 'ALREADY_REGISTERED');
    assert.equal(l.registry.accounts.get(stranger.publicKey)?.tier, 2);
  });

  it('a key the registry does not accept is WEAK_KEY (not MALFORMED), and nothing moves', () => {
    const c = genesis();
    const registry = new Registry({
      centralBankKey: c.cb.publicKey,
      acceptKey: (key) => Buffer.from(key).toString('hex') !== 'ee'.repeat(32),
    });
    for (const tx of c.genesis) assert.equal(registry.apply(tx), null);
    const before = registry.reconcile();
    const bad = op.open(c.banks.a, 'ee'.repeat(32), 1, 'personal');
    assert.equal(registry.apply(bad)?.code, 'WEAK_KEY');
    assert.equal(registry.apply(op.enroll(c.cb, 'ee'.repeat(32)))?.code, 'WEAK_KEY');
    assert.equal(registry.accounts.has('ee'.repeat(32)), false);
    assert.deepEqual(registry.reconcile(), before);
    assert.equal(registry.apply(op.open(c.banks.a, 'ed'.repeat(32), 1, 'personal')), null);
  });
});

describe('first of two wins', () => {
  for (const order of ['a then b', 'b then a'] as const) {
    it(`two transactions spending one coin, ${order}: the second is ALREADY_SPENT`, () => {
      const l = genesis();
      const shared = coinOfWallet(l, 'p1');
      const extra = settles(l, l.pay('transfer', l.w.m1, l.w.p1, 10 * YUAN));
      const other = coinOf(extra, 0);
      const total = WALLETS.p1.funding + 10 * YUAN;
      // a spends the shared coin at input 0, b at input 1.
      const a = op.transfer(
        l.w.p1,
        [shared],
        [out(l.w.m2, 50 * YUAN), out(l.w.p1, WALLETS.p1.funding - 50 * YUAN)],
      );
      const b = op.transfer(
        l.w.p1,
        [other, shared],
        [out(l.w.m3, 70 * YUAN), out(l.w.p1, total - 70 * YUAN)],
      );
      const [first, second, index] = order === 'a then b' ? [a, b, 1] : [b, a, 0];
      assert.equal(l.registry.check(second), null, 'each would settle alone');
      settles(l, first);
      refused(l, second, 'ALREADY_SPENT', index);
      const status = l.registry.coin(shared);
      assert.equal(status?.state, 'spent');
      if (status?.state === 'spent') assert.equal(status.spentBy, first.txidHex);
      assert.equal(l.registry.balanceOf(l.w.p1.publicKey), total - (first === a ? 50 : 70) * YUAN);
    });
  }

  it('of many conflicting transactions in arrival order, exactly the first settles', () => {
    const l = genesis();
    const shared = coinOfWallet(l, 'p3');
    const payees = [l.w.m1, l.w.m2, l.w.m3, l.w.m4, l.w.p1];
    const txs = payees.map((p, i) =>
      op.transfer(
        l.w.p3,
        [shared],
        [out(p, (i + 1) * YUAN), out(l.w.p3, WALLETS.p3.funding - (i + 1) * YUAN)],
        { day: DAY + i },
      ),
    );
    settles(l, txs[2]!);
    for (const [i, tx] of txs.entries()) if (i !== 2) refused(l, tx, 'ALREADY_SPENT', 0);
  });
});
