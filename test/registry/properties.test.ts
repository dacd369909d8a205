/**
 * Property tests: random sequences of valid and invalid operations, applied in order, never
 * break the books, never settle a coin twice, and never let a tier limit be exceeded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_TIERS,
  type KeyPair,
  type Output,
  type Rejection,
  type RejectionCode,
  type Tx,
} from '../../engine/domain/index.js';
import { yearOf } from '../../engine/registry/index.js';
import {
  type BankName,
  coinOf,
  DAY,
  genesis,
  type Ledger,
  op,
  out,
  WALLET_NAMES,
  WALLETS,
  type WalletName,
} from '../fixtures/ledger.js';

const NEXT_YEAR = 18_993; // 2022-01-01
const RUNS = 800;

type Action =
  | { kind: 'transfer'; from: WalletName; to: WalletName; amount: number; day: number }
  | {
      kind: 'double';
      from: WalletName;
      to: WalletName;
      to2: WalletName;
      amount: number;
      day: number;
    }
  | { kind: 'overLimit'; from: WalletName; to: WalletName; day: number }
  | { kind: 'redeem'; from: WalletName; bank: BankName; amount: number }
  | { kind: 'exchange'; bank: BankName; to: WalletName; amount: number }
  | { kind: 'returnDestroy'; bank: BankName; amount: number; burn: number }
  | { kind: 'issue'; amount: number }
  | { kind: 'replay'; pick: number }
  | { kind: 'stale'; pick: number }
  | { kind: 'forged'; from: WalletName; victim: WalletName }
  | { kind: 'unknownCoin'; from: WalletName; id: string };

const wallet = fc.constantFrom(...WALLET_NAMES);
const bank = fc.constantFrom<BankName>('a', 'b');
const amount = fc.oneof(
  fc.integer({ min: 1, max: 50_000 }),
  fc.integer({ min: 1, max: 1_500_000 }),
);
const day = fc.constantFrom(DAY, DAY + 1, DAY + 2, NEXT_YEAR - 1, NEXT_YEAR, NEXT_YEAR + 1);

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('transfer'), from: wallet, to: wallet, amount, day }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('double'),
      from: wallet,
      to: wallet,
      to2: wallet,
      amount,
      day,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('overLimit'), from: wallet, to: wallet, day }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeem'), from: wallet, bank, amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('exchange'), bank, to: wallet, amount }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('returnDestroy'), bank, amount, burn: amount }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('issue'), amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay'), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stale'), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('forged'), from: wallet, victim: wallet }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unknownCoin'),
      from: wallet,
      id: fc.stringMatching(/^[0-9a-f]{64}$/),
    }),
  },
);

/** What the test knows independently of the registry. */
class Model {
  issued = 0;
  destroyed = 0;
  /** Every coin ever spent by a settled transaction. */
  readonly spentEver = new Set<string>();
  /** Every coin ever created, with its owner and value. */
  readonly created = new Map<string, Output>();
  readonly settled: Tx[] = [];
  /** Payment tallies: the payer's latest value day, and totals per (payer, day) and year. */
  readonly latest = new Map<string, number>();
  readonly byDay = new Map<string, number>();
  readonly byYear = new Map<string, number>();
  readonly pairs = new Map<string, KeyPair>();
  readonly outcomes = new Map<string, number>();

  constructor(readonly l: Ledger) {
    for (const p of l.parties) this.pairs.set(p.publicKey, p);
    for (const tx of l.genesis) this.record(tx);
  }

  /** Applies `tx` and checks every invariant; returns the registry's answer. */
  apply(tx: Tx): Rejection | null {
    const { registry } = this.l;
    const before = this.l.snapshot();
    const inputs = tx.inputs.map((id) => registry.coin(id));
    const r = registry.apply(tx);
    const outcome = r ? r.code : 'SETTLED';
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (r === null) {
      for (const [i, id] of tx.inputs.entries()) {
        assert.ok(!this.spentEver.has(id), `coin ${id} settled as spent twice`);
        const was = inputs[i];
        assert.ok(was?.state === 'unspent' && was.coin.owner === tx.signer);
        const now = registry.coin(id);
        assert.ok(now?.state === 'spent' && now.spentBy === tx.txidHex);
      }
      for (const [i, o] of tx.outputs.entries()) {
        const now = registry.coin(coinOf(tx, i));
        assert.ok(now?.state === 'unspent');
        assert.equal(now.coin.owner, o.owner);
        assert.equal(now.coin.value, o.value);
      }
      this.record(tx);
    } else {
      assert.deepEqual(this.l.snapshot(), before, `${r.code} left the registry unchanged`);
    }
    const books = registry.reconcile();
    assert.ok(books.ok, books.problems.join('; '));
    assert.equal(books.issued - books.destroyed, books.unspent);
    assert.equal(books.issued, this.issued);
    assert.equal(books.destroyed, this.destroyed);
    for (const n of WALLET_NAMES) {
      const { tier, kind } = WALLETS[n];
      if (kind === 'personal')
        assert.ok(registry.balanceOf(this.l.w[n].publicKey) <= DEFAULT_TIERS[tier].balance!);
    }
    return r;
  }

  expect(tx: Tx, code: RejectionCode | null, index?: number): Rejection | null {
    const r = this.apply(tx);
    if (code === null) {
      assert.equal(r, null, r ? `${tx.type}: ${r.code} ${r.message}` : '');
    } else {
      assert.equal(r?.code, code, r ? r.message : `${tx.type} settled, expected ${code}`);
      assert.equal(r.index, index);
    }
    return r;
  }

  record(tx: Tx): void {
    const totalIn = tx.inputs.reduce((s, id) => s + this.created.get(id)!.value, 0);
    const totalOut = tx.outputs.reduce((s, o) => s + o.value, 0);
    for (const id of tx.inputs) this.spentEver.add(id);
    for (const [i, o] of tx.outputs.entries()) this.created.set(coinOf(tx, i), o);
    if (tx.type === 'issue') this.issued += totalOut;
    if (tx.type === 'destroy') this.destroyed += totalIn - totalOut;
    if (tx.type === 'transfer') this.checkLimits(tx);
    this.settled.push(tx);
  }

  /** A settled payment stays within every limit of its payer's tier (late days count late). */
  checkLimits(tx: Tx): void {
    const paid = tx.outputs.filter((o) => o.owner !== tx.signer).reduce((s, o) => s + o.value, 0);
    if (paid === 0) return;
    const name = WALLET_NAMES.find((n) => this.l.w[n].publicKey === tx.signer)!;
    const limits = DEFAULT_TIERS[WALLETS[name].tier];
    const effective = Math.max(this.latest.get(tx.signer) ?? 0, tx.day);
    this.latest.set(tx.signer, effective);
    const d = `${tx.signer}:${effective}`;
    const y = `${tx.signer}:${yearOf(effective)}`;
    this.byDay.set(d, (this.byDay.get(d) ?? 0) + paid);
    this.byYear.set(y, (this.byYear.get(y) ?? 0) + paid);
    assert.ok(paid <= limits.single!, 'single limit');
    assert.ok(this.byDay.get(d)! <= limits.daily!, 'daily limit');
    assert.ok(this.byYear.get(y)! <= limits.annual!, 'annual limit');
  }

  balance(who: KeyPair): number {
    return this.l.registry.balanceOf(who.publicKey);
  }
}

function run(m: Model, a: Action): void {
  const { l } = m;
  const { w, banks, cb } = l;
  switch (a.kind) {
    case 'transfer': {
      const from = w[a.from];
      const have = m.balance(from);
      if (have === 0) return;
      if (a.amount <= have) {
        m.apply(l.pay('transfer', from, w[a.to], a.amount, { day: a.day }));
      } else {
        // Overspending: every coin in, more out.
        const { inputs } = l.pick(from, have);
        m.expect(
          op.transfer(from, inputs, [out(w[a.to], a.amount)], { day: a.day }),
          'VALUE_MISMATCH',
        );
      }
      return;
    }
    case 'double': {
      const from = w[a.from];
      const value = Math.min(a.amount, m.balance(from));
      if (value === 0) return;
      const first = l.pay('transfer', from, w[a.to], value, { day: a.day });
      const shared = first.inputs[0]!;
      const coin = m.created.get(shared)!;
      const second = op.transfer(from, [shared], [out(w[a.to2], coin.value)], { day: a.day });
      if (m.apply(first) === null) m.expect(second, 'ALREADY_SPENT', 0);
      else m.apply(second);
      return;
    }
    case 'overLimit': {
      const from = w[a.from];
      if (a.from === a.to) return;
      const over = DEFAULT_TIERS[WALLETS[a.from].tier].single! + 1;
      if (m.balance(from) < over) return;
      m.expect(l.pay('transfer', from, w[a.to], over, { day: a.day }), 'TIER_LIMIT');
      return;
    }
    case 'redeem': {
      const value = Math.min(a.amount, m.balance(w[a.from]));
      if (value === 0) return;
      m.expect(l.pay('redeem', w[a.from], banks[a.bank], value), null);
      return;
    }
    case 'exchange': {
      const r = m.apply(l.pay('exchange', banks[a.bank], w[a.to], a.amount));
      if (r) assert.deepEqual([r.code, r.index], ['TIER_LIMIT', 0]);
      return;
    }
    case 'returnDestroy': {
      const value = Math.min(a.amount, m.balance(banks[a.bank]));
      if (value > 0) m.expect(l.pay('return', banks[a.bank], cb, value), null);
      const burn = Math.min(a.burn, m.balance(cb));
      if (burn > 0) m.expect(l.pay('destroy', cb, cb, burn), null);
      return;
    }
    case 'issue':
      m.expect(op.issue(cb, [out(cb, a.amount)]), null);
      return;
    case 'replay':
      m.expect(m.settled[a.pick % m.settled.length]!, 'DUPLICATE_TX');
      return;
    case 'stale': {
      const spent = [...m.spentEver];
      if (spent.length === 0) return;
      const id = spent[a.pick % spent.length]!;
      const coin = m.created.get(id)!;
      const owner = m.pairs.get(coin.owner)!;
      const role = l.registry.accounts.get(coin.owner)!.role;
      const tx =
        role === 'wallet'
          ? op.transfer(owner, [id], [out(w.m1, coin.value)])
          : role === 'bank'
            ? op.return(owner, [id], [out(cb, coin.value)])
            : op.destroy(owner, [id], []);
      m.expect(tx, 'ALREADY_SPENT', 0);
      return;
    }
    case 'forged': {
      if (a.from === a.victim) return;
      const [coin] = l.registry.coinsOf(w[a.victim].publicKey);
      if (!coin) return;
      m.expect(op.transfer(w[a.from], [coin.id], [out(w.m1, coin.value)]), 'NOT_OWNER', 0);
      return;
    }
    case 'unknownCoin':
      m.expect(op.transfer(w[a.from], [a.id], [out(w.m1, 1)]), 'UNKNOWN_COIN', 0);
      return;
  }
}

describe('registry properties', () => {
  it('random operation sequences keep the books, never spend a coin twice, respect limits', () => {
    const totals = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 80, size: 'max' }), (actions) => {
        const m = new Model(genesis());
        for (const a of actions) run(m, a);
        // At the end, the registry agrees with the model on every coin ever created.
        for (const [id, o] of m.created) {
          const status = m.l.registry.coin(id);
          if (m.spentEver.has(id)) assert.equal(status?.state, 'spent');
          else assert.ok(status?.state === 'unspent' && status.coin.owner === o.owner);
        }
        for (const [k, v] of m.outcomes) totals.set(k, (totals.get(k) ?? 0) + v);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches settlements and each kind of rejection it aims at.
    for (const code of [
      'SETTLED',
      'ALREADY_SPENT',
      'DUPLICATE_TX',
      'TIER_LIMIT',
      'VALUE_MISMATCH',
      'NOT_OWNER',
      'UNKNOWN_COIN',
    ])
      assert.ok((totals.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...totals])}`);
  });

  it('conflicting transactions in any arrival order: exactly the first one settles', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(wallet, fc.integer({ min: 1, max: 50_000 })), {
          minLength: 2,
          maxLength: 6,
        }),
        (payments) => {
          const l = genesis();
          const payer = l.w.p1;
          const [coin] = l.registry.coinsOf(payer.publicKey);
          assert.ok(coin);
          const txs = payments.map(([to, value]) =>
            op.transfer(payer, [coin.id], [out(l.w[to], value), out(payer, coin.value - value)]),
          );
          assert.equal(l.registry.apply(txs[0]!), null);
          for (const tx of txs.slice(1)) {
            const r = l.registry.apply(tx);
            assert.deepEqual([r?.code, r?.index], ['ALREADY_SPENT', 0]);
          }
          const status = l.registry.coin(coin.id);
          assert.ok(status?.state === 'spent' && status.spentBy === txs[0]!.txidHex);
          assert.ok(l.registry.reconcile().ok);
        },
      ),
      { numRuns: 100 },
    );
  });
});
