/**
 * A mixed, seeded workload for comparing stores (no tests here): settlements of every operation
 * type and every rule rejection the registry has, generated against the fixture ledger's memory
 * registry, which decides each one as it goes. The memory answers are the expected answers.
 * Transactions come in short runs that depend on each other (a payment then a spend of its
 * change, two spends of one coin, a wallet opened then paid), so a batch boundary can fall
 * anywhere in them.
 */
import {
  deriveKeyPair,
  type KeyPair,
  type Rejection,
  type Tx,
} from '../../../engine/domain/index.js';
import { DEFAULT_TIERS } from '../../../engine/domain/tiers.js';
import { coinOf, DAY, type Ledger, op, out, WALLET_NAMES, YUAN } from '../../fixtures/ledger.js';
import { prng } from '../../fixtures/prng.js';

export interface MixedWorkload {
  readonly txs: readonly Tx[];
  /** The memory registry's answer to each, in order (null: settled). */
  readonly expected: readonly (Rejection | null)[];
  /** Keys of wallets opened by the workload (beyond the fixture's cast). */
  readonly opened: readonly KeyPair[];
}

const DAYS = [DAY, DAY + 1, DAY + 2, DAY + 364, DAY + 365];

export function mixedWorkload(l: Ledger, count: number, seed: number): MixedWorkload {
  const random = prng(seed);
  const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const txs: Tx[] = [];
  const expected: (Rejection | null)[] = [];
  const opened: KeyPair[] = [];
  const settled: Tx[] = [];
  const spent: string[] = [];
  const apply = (tx: Tx): Rejection | null => {
    const r = l.registry.apply(tx);
    txs.push(tx);
    expected.push(r);
    if (r === null) {
      settled.push(tx);
      spent.push(...tx.inputs);
    }
    return r;
  };
  const wallets = (): KeyPair[] => [...WALLET_NAMES.map((n) => l.w[n]), ...opened];
  const balance = (w: KeyPair) => l.registry.balanceOf(w.publicKey);
  const stranger = (i: number) => deriveKeyPair(`stranger-${seed}`, String(i));

  while (txs.length < count) {
    const from = pickOf(wallets());
    const to = pickOf(wallets());
    const day = pickOf(DAYS);
    const have = balance(from);
    const amount = 1 + Math.floor(random() * Math.min(have || 1, 3_000 * YUAN));
    switch (Math.floor(random() * 17)) {
      case 0:
      case 1:
      case 2:
        if (have > 0) apply(l.pay('transfer', from, to, Math.min(amount, have), { day }));
        break;
      case 3: {
        // a chain: pay, then the payee spends what it got, in the same breath
        if (have === 0 || from === to) break;
        const first = l.pay('transfer', from, to, Math.min(amount, have), { day });
        if (apply(first) !== null) break;
        const coin = coinOf(first, 0);
        apply(op.transfer(to, [coin], [out(from, first.outputs[0]!.value)], { day }));
        break;
      }
      case 4: {
        // a double spend: the second of two spends of one coin
        if (have === 0) break;
        const first = l.pay('transfer', from, to, Math.min(amount, have), { day });
        const coin = first.inputs[0]!;
        const value = l.registry.coin(coin);
        apply(first);
        if (value?.state === 'unspent')
          apply(op.transfer(from, [coin], [out(pickOf(wallets()), value.coin.value)], { day }));
        break;
      }
      case 5: {
        // over the payer's single limit (TIER_LIMIT) or daily/annual after a few payments
        const tier = l.registry.accounts.get(from.publicKey)?.tier ?? 4;
        const limit = DEFAULT_TIERS[tier].single!;
        if (have > limit && from !== to) apply(l.pay('transfer', from, to, limit + 1, { day }));
        else if (have > 0) apply(l.pay('transfer', from, to, have, { day }));
        break;
      }
      case 6: {
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        apply(l.pay('exchange', bank, to, amount * (random() < 0.2 ? 50 : 1)));
        break;
      }
      case 7:
        if (have > 0)
          apply(l.pay('redeem', from, pickOf([l.banks.a, l.banks.b]), Math.min(amount, have)));
        break;
      case 8: {
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        if (balance(bank) > amount) apply(l.pay('return', bank, l.cb, amount));
        if (balance(l.cb) > amount) apply(l.pay('destroy', l.cb, l.cb, amount));
        if (random() < 0.3) apply(op.issue(l.cb, [out(l.cb, amount)]));
        break;
      }
      case 9:
        // replay of a settled transaction
        if (settled.length > 0) apply(settled[Math.floor(random() * settled.length)]!);
        break;
      case 10: {
        // spend of a spent coin, and of a coin that never existed
        if (spent.length > 0) {
          const id = spent[Math.floor(random() * spent.length)]!;
          apply(op.transfer(from, [id], [out(to, 1)], { day }));
        }
        apply(op.transfer(from, [coinOf(op.issue(l.cb, [out(l.cb, 1)]), 0)], [out(to, 1)]));
        break;
      }
      case 11: {
        // someone else's coin (NOT_OWNER), a payee nobody registered, a signer nobody knows
        const victim = pickOf(wallets());
        const [coin] = l.registry.coinsOf(victim.publicKey);
        if (coin && victim !== from) apply(op.transfer(from, [coin.id], [out(to, coin.value)]));
        if (have > 0) apply(l.pay('transfer', from, stranger(txs.length).publicKey, 1, { day }));
        apply(op.transfer(stranger(txs.length), [], [], { day }));
        break;
      }
      case 12: {
        // a wallet opened, then funded and paid in the same run; and one opened twice
        const fresh = deriveKeyPair(`opened-${seed}`, String(opened.length));
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        const tier = (1 + Math.floor(random() * 4)) as 1 | 2 | 3 | 4;
        if (apply(op.open(bank, fresh, tier, random() < 0.3 ? 'merchant' : 'personal')) === null) {
          opened.push(fresh);
          apply(l.pay('exchange', bank, fresh, amount));
          apply(op.open(bank, fresh, tier, 'personal'));
        }
        break;
      }
      case 13:
        // unauthorized: a wallet pays a bank with transfer, a bank tries to transfer
        if (have > 0) apply(l.pay('transfer', from, l.banks.a, Math.min(have, amount), { day }));
        if (balance(l.banks.b) > amount) apply(l.pay('transfer', l.banks.b, to, amount));
        break;
      case 14:
        // value mismatch: outputs over inputs
        if (have > 0) {
          const { inputs } = l.pick(from, Math.min(have, amount));
          apply(op.transfer(from, inputs, [out(to, have + 1)], { day }));
        }
        break;
      case 15: {
        // a tier-4 wallet at its daily limit day after day until the annual limit refuses, then
        // the new year lets it pay again
        const fresh = deriveKeyPair(`annual-${seed}`, String(opened.length));
        if (apply(op.open(l.banks.a, fresh, 4, 'personal')) !== null) break;
        opened.push(fresh);
        const { daily, single } = DEFAULT_TIERS[4];
        const first = DAY + 30 + Math.floor(random() * 300);
        for (let k = 0; k < 12; k++) {
          apply(l.pay('exchange', l.banks.a, fresh, daily!));
          for (let paid = 0; paid < daily!; paid += single!)
            apply(l.pay('transfer', fresh, l.w.m1, single!, { day: first + k }));
        }
        apply(l.pay('transfer', fresh, l.w.m1, single!, { day: DAY + 400 }));
        break;
      }
      default:
        // many small payments by one payer: tallies and balance caps move within a batch
        for (let k = 0; k < 4 && balance(from) > 0; k++)
          apply(
            l.pay('transfer', from, pickOf(wallets()), Math.min(balance(from), amount), { day }),
          );
    }
  }
  return { txs, expected, opened };
}
