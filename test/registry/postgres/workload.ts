/**
 * A mixed, seeded workload for comparing stores (no tests here): settlements of every operation
 * type and every rule rejection the registry has, generated against the fixture ledger's memory
 * registry, which decides each one as it goes. The memory answers are the expected answers.
 * Transactions come in short runs that depend on each other (a payment then a spend of its
 * change, two spends of one coin, a wallet opened then paid), so a batch boundary can fall
 * anywhere in them.
 *
 * The registry's clock is `clock.today` (genesis() with `today: () => clock.today`): the workload
 * moves it forward now and then (a day, or past a new year), dates online operations with it,
 * and dates offline transfers with device days around it. Each transaction's engine day is
 * recorded, so a store that reads the clock once per batch can be given the same day.
 */
import {
  deriveKeyPair,
  type KeyPair,
  type Rejection,
  type Tx,
} from '../../../engine/domain/index.js';
import { DEFAULT_TIERS } from '../../../engine/domain/tiers.js';
import { coinOf, type Ledger, op, out, WALLET_NAMES, YUAN } from '../../fixtures/ledger.js';
import { prng } from '../../fixtures/prng.js';

export interface MixedWorkload {
  readonly txs: readonly Tx[];
  /** The memory registry's answer to each, in order (null: settled). */
  readonly expected: readonly (Rejection | null)[];
  /** The engine's day each was decided on (never decreasing). */
  readonly todays: readonly number[];
  /** Keys of wallets opened by the workload (beyond the fixture's cast). */
  readonly opened: readonly KeyPair[];
}

/** An Ed25519 encoding of small order (the identity point): refused at registration. */
const WEAK_KEY = `01${'00'.repeat(31)}`;

export function mixedWorkload(
  l: Ledger,
  clock: { today: number },
  count: number,
  seed: number,
): MixedWorkload {
  const random = prng(seed);
  const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const txs: Tx[] = [];
  const expected: (Rejection | null)[] = [];
  const todays: number[] = [];
  const opened: KeyPair[] = [];
  const settled: Tx[] = [];
  const spent: string[] = [];
  const apply = (tx: Tx): Rejection | null => {
    const r = l.registry.apply(tx);
    txs.push(tx);
    expected.push(r);
    todays.push(clock.today);
    if (r === null) {
      settled.push(tx);
      spent.push(...tx.inputs);
    }
    return r;
  };
  const wallets = (): KeyPair[] => [...WALLET_NAMES.map((n) => l.w[n]), ...opened];
  const balance = (w: KeyPair) => l.registry.balanceOf(w.publicKey);
  const stranger = (i: number) => deriveKeyPair(`stranger-${seed}`, String(i));
  /** Online operations carry the engine's day. */
  const on = () => ({ day: clock.today });
  /** An offline transfer of `value` from `from` to `to`, dated `day` by the payer's device. */
  const offline = (from: KeyPair, to: KeyPair | string, value: number, day: number): Tx => {
    const { inputs, change } = l.pick(from, value);
    const outputs = [out(to, value)];
    if (change > 0) outputs.push(out(from, change));
    return op['offline-transfer'](from, inputs, outputs, { day });
  };

  // The runs that move the clock many days (each day change cuts a batch) are kept to a few.
  let annualRuns = 0;
  let offlineLimitRuns = 0;
  while (txs.length < count) {
    // The engine's clock: mostly the same day, sometimes the next, rarely a year on.
    const tick = random();
    if (tick < 0.003) clock.today += 366;
    else if (tick < 0.02) clock.today += 1;
    const from = pickOf(wallets());
    const to = pickOf(wallets());
    const have = balance(from);
    const amount = 1 + Math.floor(random() * Math.min(have || 1, 3_000 * YUAN));
    switch (Math.floor(random() * 21)) {
      case 0:
      case 1:
      case 2:
        if (have > 0) apply(l.pay('transfer', from, to, Math.min(amount, have), on()));
        break;
      case 3: {
        // a chain: pay, then the payee spends what it got, in the same breath
        if (have === 0 || from === to) break;
        const first = l.pay('transfer', from, to, Math.min(amount, have), on());
        if (apply(first) !== null) break;
        const coin = coinOf(first, 0);
        apply(op.transfer(to, [coin], [out(from, first.outputs[0]!.value)], on()));
        break;
      }
      case 4: {
        // a double spend: the second of two spends of one coin
        if (have === 0) break;
        const first = l.pay('transfer', from, to, Math.min(amount, have), on());
        const coin = first.inputs[0]!;
        const value = l.registry.coin(coin);
        apply(first);
        if (value?.state === 'unspent')
          apply(op.transfer(from, [coin], [out(pickOf(wallets()), value.coin.value)], on()));
        break;
      }
      case 5: {
        // over the payer's single limit (TIER_LIMIT) or daily/annual after a few payments
        const tier = l.registry.accounts.get(from.publicKey)?.tier ?? 4;
        const limit = DEFAULT_TIERS[tier].single!;
        if (have > limit && from !== to) apply(l.pay('transfer', from, to, limit + 1, on()));
        else if (have > 0) apply(l.pay('transfer', from, to, have, on()));
        break;
      }
      case 6: {
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        apply(l.pay('exchange', bank, to, amount * (random() < 0.2 ? 50 : 1), on()));
        break;
      }
      case 7:
        if (have > 0)
          apply(
            l.pay('redeem', from, pickOf([l.banks.a, l.banks.b]), Math.min(amount, have), on()),
          );
        break;
      case 8: {
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        if (balance(bank) > amount) apply(l.pay('return', bank, l.cb, amount, on()));
        if (balance(l.cb) > amount) apply(l.pay('destroy', l.cb, l.cb, amount, on()));
        if (random() < 0.3) apply(op.issue(l.cb, [out(l.cb, amount)], on()));
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
          apply(op.transfer(from, [id], [out(to, 1)], on()));
        }
        const never = coinOf(op.issue(l.cb, [out(l.cb, 1)], on()), 0);
        apply(op.transfer(from, [never], [out(to, 1)], on()));
        break;
      }
      case 11: {
        // someone else's coin (NOT_OWNER), a payee nobody registered, a signer nobody knows
        const victim = pickOf(wallets());
        const [coin] = l.registry.coinsOf(victim.publicKey);
        if (coin && victim !== from)
          apply(op.transfer(from, [coin.id], [out(to, coin.value)], on()));
        if (have > 0) apply(l.pay('transfer', from, stranger(txs.length).publicKey, 1, on()));
        apply(op.transfer(stranger(txs.length), [], [], on()));
        break;
      }
      case 12: {
        // a wallet opened, then funded and paid in the same run; one opened twice; and a weak key
        const fresh = deriveKeyPair(`opened-${seed}`, String(opened.length));
        const bank = random() < 0.5 ? l.banks.a : l.banks.b;
        const tier = (1 + Math.floor(random() * 4)) as 1 | 2 | 3 | 4;
        const kind = random() < 0.3 ? 'merchant' : 'personal';
        if (apply(op.open(bank, fresh, tier, kind, on())) === null) {
          opened.push(fresh);
          apply(l.pay('exchange', bank, fresh, amount, on()));
          apply(op.open(bank, fresh, tier, 'personal', on()));
        }
        if (random() < 0.3) apply(op.open(bank, WEAK_KEY, tier, 'personal', on()));
        break;
      }
      case 13:
        // unauthorized: a wallet pays a bank with transfer, a bank tries to transfer
        if (have > 0) apply(l.pay('transfer', from, l.banks.a, Math.min(have, amount), on()));
        if (balance(l.banks.b) > amount) apply(l.pay('transfer', l.banks.b, to, amount, on()));
        break;
      case 14:
        // value mismatch: outputs over inputs
        if (have > 0) {
          const { inputs } = l.pick(from, Math.min(have, amount));
          apply(op.transfer(from, inputs, [out(to, have + 1)], on()));
        }
        break;
      case 15: {
        // a tier-4 wallet at its daily limit day after day until the annual limit refuses, then
        // the new year lets it pay again
        if (annualRuns++ >= 2) break;
        const fresh = deriveKeyPair(`annual-${seed}`, String(opened.length));
        if (apply(op.open(l.banks.a, fresh, 4, 'personal', on())) !== null) break;
        opened.push(fresh);
        const { daily, single } = DEFAULT_TIERS[4];
        for (let k = 0; k < 12; k++) {
          clock.today += 1;
          apply(l.pay('exchange', l.banks.a, fresh, daily!, on()));
          for (let paid = 0; paid < daily!; paid += single!)
            apply(l.pay('transfer', fresh, l.w.m1, single!, on()));
        }
        clock.today += 366;
        apply(l.pay('transfer', fresh, l.w.m1, single!, on()));
        break;
      }
      case 16:
      case 17:
        // offline transfers synced now, dated by the device: within the last week (settles, or
        // BAD_DAY when dated before its newest input), tomorrow, or more than a week ago
        if (have > 0) {
          const back = pickOf([0, 0, 1, 2, 3, 7, 8, -1]);
          apply(offline(from, to, Math.min(amount, have), clock.today - back));
        }
        break;
      case 18: {
        // an offline payment dated before the payer's latest online payment counts toward the
        // latest day: a tier-4 wallet cannot pay its daily limit twice by dating half offline
        if (offlineLimitRuns++ >= 3) break;
        const fresh = deriveKeyPair(`offline-${seed}`, String(opened.length));
        if (apply(op.open(l.banks.b, fresh, 4, 'personal', on())) !== null) break;
        opened.push(fresh);
        const { daily } = DEFAULT_TIERS[4];
        apply(l.pay('exchange', l.banks.b, fresh, daily!, on()));
        apply(l.pay('exchange', l.banks.b, fresh, daily!, on()));
        clock.today += 2;
        apply(l.pay('transfer', fresh, l.w.m2, daily! / 2, on()));
        apply(offline(fresh, l.w.m3, daily! / 2, clock.today - 1));
        apply(offline(fresh, l.w.m3, YUAN, clock.today - 1));
        break;
      }
      case 19:
        // a value day the engine's clock does not show
        if (have > 0) {
          const day = clock.today + pickOf([-1, 1, 365]);
          apply(l.pay('transfer', from, to, Math.min(amount, have), { day }));
        }
        break;
      default:
        // many small payments by one payer: tallies and balance caps move within a batch
        for (let k = 0; k < 4 && balance(from) > 0; k++)
          apply(l.pay('transfer', from, pickOf(wallets()), Math.min(balance(from), amount), on()));
    }
  }
  return { txs, expected, todays, opened };
}
