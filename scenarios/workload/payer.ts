/**
 * A paying wallet in the generator's model of the ledger: its coins (genesis coins, settled
 * before measurement, and coins made during the run, each spendable once the op that made it is
 * answered), its spending tallies, and its packet. Coin selection keeps the one-dependency rule:
 * a payment spends genesis coins and at most one run-made coin.
 */
import type { FlowSpec } from '../model/index.js';
import type { GenesisCoin } from './genesis.js';
import type { Wallet } from './population.js';

/** Most genesis inputs one payment may use. */
const MAX_INPUTS_USED = 100;

/** A coin created during the run: spending it depends on the op that made it. */
export interface ChangeCoin {
  readonly id: string;
  readonly value: number;
  /** The op that created it: spending it depends on that op. */
  readonly op: number;
}

/** One payer's state in the generator's ledger model. */
export class Payer {
  readonly wallet: Wallet;
  readonly gen: GenesisCoin[];
  genTotal = 0;
  readonly chg: ChangeCoin[] = [];
  #maxChg = 0;
  /** A coin above its single limit no valid op spends (for TIER_LIMIT ops), if any. */
  reserve: GenesisCoin | null;
  /** The op whose answer makes the reserve coin spendable (-1: genesis). */
  reserveOp = -1;
  /** Some coin it was given (for BAD_SIGNATURE ops, which must look real). */
  anyCoin: GenesisCoin | null;
  /**
   * False until a claimed wallet has been opened and funded (its claim emitted); an op of the
   * wallet before that could not settle. `openOp` orders later ops after it (-1: genesis).
   */
  ready = true;
  openOp = -1;
  /** Red-packet value (fen) and how much of it payments have used (a packet is spent first). */
  packet = 0;
  paidFromPacket = 0;
  readonly days = new Map<number, number>();
  readonly years = new Map<number, number>();
  last: { op: number; coin: GenesisCoin; payee: number } | null = null;

  constructor(wallet: Wallet, coins: GenesisCoin[], reserve: GenesisCoin | null) {
    this.wallet = wallet;
    this.gen = coins.slice();
    for (const c of coins) this.genTotal += c.value;
    this.reserve = reserve;
    this.anyCoin = coins[0] ?? reserve;
  }

  /** What one payment can use: all genesis coins plus the largest change coin (one dependency). */
  available(): number {
    return this.genTotal + this.#maxChg;
  }

  addChange(c: ChangeCoin): void {
    this.chg.push(c);
    if (c.value > this.#maxChg) this.#maxChg = c.value;
  }

  removeChange(c: ChangeCoin): void {
    const i = this.chg.lastIndexOf(c);
    this.chg.splice(i, 1);
    if (c.value >= this.#maxChg) {
      let m = 0;
      for (const x of this.chg) if (x.value > m) m = x.value;
      this.#maxChg = m;
    }
  }

  largestChange(): ChangeCoin | null {
    let best: ChangeCoin | null = null;
    for (const c of this.chg) if (!best || c.value > best.value) best = c;
    return best;
  }

  removeGen(c: GenesisCoin): void {
    const i = this.gen.indexOf(c);
    this.gen.splice(i, 1);
    this.genTotal -= c.value;
  }

  /** Smallest genesis coin >= amount (gen is ascending). */
  bestGen(amount: number): GenesisCoin | null {
    let lo = 0;
    let hi = this.gen.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.gen[mid]!.value >= amount) hi = mid;
      else lo = mid + 1;
    }
    return this.gen[lo] ?? null;
  }

  /** Largest-first genesis coins summing to >= need, or null. */
  takeGen(need: number): GenesisCoin[] | null {
    if (need <= 0) return [];
    if (this.genTotal < need) return null;
    const out: GenesisCoin[] = [];
    let s = 0;
    for (let i = this.gen.length - 1; i >= 0 && s < need; i--) {
      out.push(this.gen[i]!);
      s += this.gen[i]!.value;
    }
    return s >= need && out.length <= MAX_INPUTS_USED ? out : null;
  }

  spent(day: number, year: number): { day: number; year: number } {
    return { day: this.days.get(day) ?? 0, year: this.years.get(year) ?? 0 };
  }
}

/** Coins for one payment: genesis coins and at most one run-made coin (one dependency). */
export interface Selection {
  readonly gen: GenesisCoin[];
  readonly chg: ChangeCoin | null;
}

export function selectCoins(
  p: Payer,
  amount: number,
  strategy: FlowSpec['coins'],
): Selection | null {
  if (strategy === 'chain' && p.chg.length > 0) {
    const latest = p.chg[p.chg.length - 1]!;
    if (latest.value >= amount) return { gen: [], chg: latest };
    const top = p.takeGen(amount - latest.value);
    if (top) return { gen: top, chg: latest };
  }
  const g = p.bestGen(amount);
  if (g) return { gen: [g], chg: null };
  let smallest: ChangeCoin | null = null;
  for (const c of p.chg)
    if (c.value >= amount && (!smallest || c.value < smallest.value)) smallest = c;
  if (smallest) return { gen: [], chg: smallest };
  const big = p.largestChange();
  const rest = p.takeGen(amount - (big?.value ?? 0));
  return rest ? { gen: rest, chg: big } : null;
}
