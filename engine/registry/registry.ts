/**
 * Registration centre: the single writer that knows every coin and its owner.
 *
 * `apply(tx)` runs every registry check first and mutates nothing until all have passed, so a
 * transaction commits whole or not at all. Callers apply transactions in arrival order: the
 * first of two spending the same coin wins, the second gets ALREADY_SPENT.
 * Signatures are not checked here: the pipeline verifies them before a transaction arrives.
 */
import {
  type Account,
  type Coin,
  coinIdOf,
  DEFAULT_TIERS,
  type Rejection,
  type TierTable,
  type Tx,
} from '../domain/index.js';
import { balanceLimit } from '../domain/tiers.js';
import { Accounts } from './accounts.js';
import type { CoinStatus, LifecycleCounts, Reconciliation } from './port.js';
import { checkOfflineDay, isPayment, REJECT, RULES } from './rules.js';
import { subjectKeyAcceptable } from './subject-keys.js';

export type { CoinStatus, LifecycleCounts, Reconciliation } from './port.js';

export interface RegistryOptions {
  readonly centralBankKey: string;
  readonly tiers?: TierTable;
  /** Registration-time public key check (canonical, not small order); defaults to accept. */
  readonly acceptKey?: (key: Uint8Array) => boolean;
  /**
   * The engine's current value day, read once per transaction. Null (or no clock): the days that
   * depend on the clock are not checked, as when replaying records checked when first applied.
   */
  readonly today?: () => number | null;
}

/** What the registry keeps per owner key: its balance and its unspent coins, in creation order. */
interface Holdings {
  balance: number;
  readonly coins: Set<string>;
}

export class Registry {
  readonly accounts: Accounts;
  readonly #tiers: TierTable;
  readonly #acceptKey: (key: Uint8Array) => boolean;
  readonly #today: () => number | null;
  /**
   * Every coin ever created, by id: the Coin while unspent, then the id of the transaction that
   * spent it (which tells ALREADY_SPENT from UNKNOWN_COIN). One map, overwritten in place on a
   * spend: no delete, so no tombstones and rehashing on the hot path.
   */
  readonly #coins = new Map<string, Coin | string>();
  #unspentCoins = 0;
  /** Per owner: balance and the owner index (one lookup per owner and transaction). */
  readonly #holdings = new Map<string, Holdings>();
  readonly #settled = new Set<string>();
  readonly #counts: LifecycleCounts = {
    issued: 0,
    destroyed: 0,
    coinsCreated: 0,
    coinsSpent: 0,
    byType: {
      issue: 0,
      allocate: 0,
      exchange: 0,
      transfer: 0,
      redeem: 0,
      return: 0,
      destroy: 0,
      enroll: 0,
      open: 0,
      'offline-transfer': 0,
    },
  };

  constructor(options: RegistryOptions) {
    this.accounts = new Accounts(options.centralBankKey);
    this.#tiers = options.tiers ?? DEFAULT_TIERS;
    this.#acceptKey = options.acceptKey ?? (() => true);
    this.#today = options.today ?? (() => null);
  }

  /** Checks `tx` against the registry and, if it passes, commits it. Null means settled. */
  apply(tx: Tx): Rejection | null {
    const rejection = this.check(tx);
    if (rejection) return rejection;
    this.#commit(tx);
    return null;
  }

  /** All registry checks, no mutation. */
  check(tx: Tx): Rejection | null {
    if (this.#settled.has(tx.txidHex)) return REJECT.duplicate(tx.txidHex);
    const signer = this.accounts.get(tx.signer);
    if (!signer) return REJECT.unknownSigner();
    const rule = RULES[tx.type];
    if (signer.role !== rule.signer) return REJECT.wrongSigner(tx.type);
    const today = this.#today();
    const offline = tx.type === 'offline-transfer';
    // Online, the engine's clock decides the value day: a payer cannot spread its limits over
    // days it makes up (tomorrow's, next decade's, or days it let pass).
    if (today !== null && !offline && tx.day !== today) return REJECT.notToday(tx.day, today);

    let totalIn = 0;
    let newestDay = -1;
    let newestAt = -1;
    for (let i = 0; i < tx.inputs.length; i++) {
      const id = tx.inputs[i]!;
      const coin = this.#coins.get(id);
      if (coin === undefined) return REJECT.unknownCoin(id, i);
      if (typeof coin === 'string') return REJECT.alreadySpent(id, coin, i);
      if (coin.owner !== tx.signer) return REJECT.notOwner(id, i);
      totalIn += coin.value;
      if (coin.day > newestDay) {
        newestDay = coin.day;
        newestAt = i;
      }
    }
    if (offline) {
      const bad = checkOfflineDay(tx.day, today, newestDay, newestAt);
      if (bad) return bad;
    }

    let totalOut = 0;
    let paid = 0;
    for (let i = 0; i < tx.outputs.length; i++) {
      const o = tx.outputs[i]!;
      totalOut += o.value;
      if (o.owner === tx.signer) continue;
      const payee = this.accounts.get(o.owner);
      if (!payee) return REJECT.unknownPayee(i);
      if (!rule.payees.includes(payee.role)) return REJECT.wrongPayee(tx.type, payee.role, i);
      paid += o.value;
    }

    const value = this.#checkValue(tx, totalIn, totalOut);
    if (value) return value;
    if (tx.subject) return this.#checkSubject(tx);
    return this.#checkLimits(tx, signer, paid);
  }

  #checkValue(tx: Tx, totalIn: number, totalOut: number): Rejection | null {
    if (tx.type === 'issue') {
      // Every coin sum and the issued counter stay exact only up to MAX_SAFE_INTEGER.
      return this.#counts.issued + totalOut <= Number.MAX_SAFE_INTEGER
        ? null
        : REJECT.issueOverflow();
    }
    if (tx.type === 'enroll' || tx.type === 'open') return null;
    if (tx.type === 'destroy') {
      return totalOut < totalIn ? null : REJECT.destroyNothing();
    }
    return totalIn === totalOut ? null : REJECT.unbalanced(totalIn, totalOut);
  }

  #checkSubject(tx: Tx): Rejection | null {
    const s = tx.subject!;
    if (this.accounts.has(s.key)) return REJECT.alreadyRegistered(s.key);
    if (!subjectKeyAcceptable(s, this.#acceptKey)) return REJECT.weakKey();
    return null;
  }

  /** Tier limits: the payer's single, daily and annual caps, each payee's balance cap. */
  #checkLimits(tx: Tx, signer: Account, paid: number): Rejection | null {
    const payment = isPayment(tx.type);
    if (payment && signer.tier !== undefined) {
      const limits = this.#tiers[signer.tier];
      if (limits.single !== null && paid > limits.single)
        return REJECT.single(paid, signer.tier, limits);
      const t = this.accounts.peekTally(tx.signer, tx.day);
      if (limits.daily !== null && t.daySpent + paid > limits.daily)
        return REJECT.daily(signer.tier, limits);
      if (limits.annual !== null && t.yearSpent + paid > limits.annual)
        return REJECT.annual(signer.tier, limits);
    }
    if (!payment && tx.type !== 'exchange') return null;
    // Credits per payee: several outputs to one wallet count together. Outputs are few (<= 32),
    // so a scan beats allocating a map per transaction.
    const outs = tx.outputs;
    for (let i = 0; i < outs.length; i++) {
      const owner = outs[i]!.owner;
      if (owner === tx.signer) continue;
      let seenBefore = false;
      for (let j = 0; j < i && !seenBefore; j++) seenBefore = outs[j]!.owner === owner;
      if (seenBefore) continue;
      const payee = this.accounts.get(owner)!;
      if (payee.role !== 'wallet') continue;
      const cap = balanceLimit(this.#tiers, payee.tier!, payee.kind!);
      if (cap === null) continue;
      let credit = 0;
      for (let j = i; j < outs.length; j++) if (outs[j]!.owner === owner) credit += outs[j]!.value;
      if ((this.#holdings.get(owner)?.balance ?? 0) + credit > cap)
        return REJECT.balance(payee.tier!, cap, i);
    }
    return null;
  }

  #commit(tx: Tx): void {
    const txidHex = tx.txidHex;
    let totalIn = 0;
    for (let i = 0; i < tx.inputs.length; i++) {
      const id = tx.inputs[i]!;
      const coin = this.#coins.get(id) as Coin;
      totalIn += coin.value;
      this.#coins.set(id, txidHex);
      const held = this.#holdings.get(coin.owner)!;
      held.coins.delete(id);
      held.balance -= coin.value;
    }
    let totalOut = 0;
    let paid = 0;
    for (let i = 0; i < tx.outputs.length; i++) {
      const o = tx.outputs[i]!;
      const coin: Coin = {
        id: coinIdOf(tx.txid, i),
        value: o.value,
        owner: o.owner,
        createdBy: txidHex,
        day: tx.day,
      };
      this.#coins.set(coin.id, coin);
      let held = this.#holdings.get(o.owner);
      if (held === undefined) {
        held = { balance: 0, coins: new Set() };
        this.#holdings.set(o.owner, held);
      }
      held.coins.add(coin.id);
      held.balance += o.value;
      totalOut += o.value;
      if (o.owner !== tx.signer) paid += o.value;
    }
    this.#unspentCoins += tx.outputs.length - tx.inputs.length;
    if (tx.type === 'issue') this.#counts.issued += totalOut;
    if (tx.type === 'destroy') this.#counts.destroyed += totalIn - totalOut;
    if (isPayment(tx.type) && paid > 0) this.accounts.recordSpend(tx.signer, tx.day, paid);
    if (tx.subject) this.accounts.register(tx.subject);
    this.#settled.add(txidHex);
    this.#counts.coinsCreated += tx.outputs.length;
    this.#counts.coinsSpent += tx.inputs.length;
    this.#counts.byType[tx.type]++;
  }

  coin(id: string): CoinStatus | undefined {
    const coin = this.#coins.get(id);
    if (coin === undefined) return undefined;
    return typeof coin === 'string'
      ? { state: 'spent', spentBy: coin }
      : { state: 'unspent', coin };
  }

  balanceOf(key: string): number {
    return this.#holdings.get(key)?.balance ?? 0;
  }

  coinsOf(key: string): Coin[] {
    return [...(this.#holdings.get(key)?.coins ?? [])].map((id) => this.#coins.get(id) as Coin);
  }

  isSettled(txidHex: string): boolean {
    return this.#settled.has(txidHex);
  }

  get settledCount(): number {
    return this.#settled.size;
  }

  get lifecycle(): Readonly<LifecycleCounts> {
    return this.#counts;
  }

  /**
   * Proves the books: issued - destroyed = sum of unspent coins = issuance vault + bank vaults
   * + wallets; and the owner index and balances agree with the coins themselves. O(coins).
   */
  reconcile(): Reconciliation {
    const problems: string[] = [];
    let unspent = 0;
    let issuanceVault = 0;
    let bankVaults = 0;
    let wallets = 0;
    const byOwner = new Map<string, number>();
    let unspentCoins = 0;
    for (const coin of this.#coins.values()) {
      if (typeof coin === 'string') continue; // spent: the id of its spender
      unspentCoins++;
      unspent += coin.value;
      byOwner.set(coin.owner, (byOwner.get(coin.owner) ?? 0) + coin.value);
      if (!this.#holdings.get(coin.owner)?.coins.has(coin.id))
        problems.push(`coin ${coin.id} missing from its owner's index`);
      const role = this.accounts.get(coin.owner)?.role;
      if (role === 'central-bank') issuanceVault += coin.value;
      else if (role === 'bank') bankVaults += coin.value;
      else if (role === 'wallet') wallets += coin.value;
      else problems.push(`coin ${coin.id} is owned by an unregistered key`);
    }
    if (unspentCoins !== this.#unspentCoins)
      problems.push(`${unspentCoins} unspent coins, but the count says ${this.#unspentCoins}`);
    for (const [owner, held] of this.#holdings) {
      for (const id of held.coins) {
        const coin = this.#coins.get(id);
        if (typeof coin !== 'object' || coin.owner !== owner)
          problems.push(`owner index lists ${id} under the wrong owner`);
      }
      if ((byOwner.get(owner) ?? 0) !== held.balance)
        problems.push(
          `balance of ${owner} is ${held.balance}, its coins sum to ${byOwner.get(owner) ?? 0}`,
        );
    }
    const { issued, destroyed } = this.#counts;
    if (issued - destroyed !== unspent)
      problems.push(`issued ${issued} - destroyed ${destroyed} != unspent ${unspent}`);
    if (issuanceVault + bankVaults + wallets !== unspent)
      problems.push('vaults and wallets do not sum to the unspent total');
    return {
      ok: problems.length === 0,
      issued,
      destroyed,
      unspent,
      issuanceVault,
      bankVaults,
      wallets,
      unspentCoins,
      problems: problems.slice(0, 20),
    };
  }
}
