/**
 * Certification centre: who may sign what. Institutions and wallets by public key, with tiers,
 * and the per-wallet spending tallies behind the daily and annual limits.
 */
import { type Account, type Subject, walletIdOf } from '../domain/index.js';

/** Spending so far in the current value day and year, per payer. */
export interface SpendTally {
  day: number;
  daySpent: number;
  year: number;
  yearSpent: number;
}

export class Accounts {
  readonly #byKey = new Map<string, Account>();
  readonly #byId = new Map<string, Account>();
  readonly #tallies = new Map<string, SpendTally>();
  readonly centralBank: string;

  constructor(centralBankKey: string) {
    this.centralBank = centralBankKey;
    this.#add({ key: centralBankKey, role: 'central-bank', id: walletIdOf(centralBankKey) });
  }

  get(key: string): Account | undefined {
    return this.#byKey.get(key);
  }

  byId(id: string): Account | undefined {
    return this.#byId.get(id);
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  get size(): number {
    return this.#byKey.size;
  }

  register(subject: Subject): Account {
    const account: Account =
      subject.role === 'bank'
        ? { key: subject.key, role: 'bank', id: walletIdOf(subject.key), ...kyc(subject) }
        : {
            key: subject.key,
            role: 'wallet',
            id: walletIdOf(subject.key),
            tier: subject.tier!,
            kind: subject.kind!,
            ...kyc(subject),
          };
    this.#add(account);
    return account;
  }

  /** The tally for `key` as of value day `day` (rolled over when the day or year changed). */
  tally(key: string, day: number): SpendTally {
    const year = yearOf(day);
    const t = this.#tallies.get(key);
    if (!t) return { day, daySpent: 0, year, yearSpent: 0 };
    // A payment dated before the payer's latest value day (an offline payment settled late)
    // counts toward that latest day and year: the tally never moves back, else it would wipe
    // the newer day's spending and let the payer spend its limit again.
    if (day < t.day) return { ...t };
    return {
      day,
      daySpent: t.day === day ? t.daySpent : 0,
      year,
      yearSpent: t.year === year ? t.yearSpent : 0,
    };
  }

  /**
   * The same figures as `tally`, read-only: on the hot path (the payer's current day, or an
   * earlier one) this is the stored record itself, so checking a limit allocates nothing.
   */
  peekTally(key: string, day: number): Readonly<SpendTally> {
    const t = this.#tallies.get(key);
    // Same day: the stored year is that day's year. Earlier day: tally() returns a copy of it.
    if (t !== undefined && day <= t.day) return t;
    return this.tally(key, day);
  }

  recordSpend(key: string, day: number, amount: number): void {
    const stored = this.#tallies.get(key);
    // tally() hands out copies only, so the stored record can be updated in place.
    const t = stored !== undefined && day <= stored.day ? stored : this.tally(key, day);
    t.daySpent += amount;
    t.yearSpent += amount;
    if (t !== stored) this.#tallies.set(key, t);
  }

  *all(): IterableIterator<Account> {
    yield* this.#byKey.values();
  }

  #add(account: Account): void {
    this.#byKey.set(account.key, account);
    this.#byId.set(account.id, account);
  }
}

function kyc(subject: Subject): { kyc?: string } {
  return subject.kyc === undefined ? {} : { kyc: subject.kyc };
}

/** UTC calendar year of a value day (days since 1970-01-01). */
let lastDay = -1;
let lastYear = 0;

export function yearOf(day: number): number {
  // Consecutive calls nearly always ask about the same value day.
  if (day === lastDay) return lastYear;
  lastYear = computeYear(day);
  lastDay = day;
  return lastYear;
}

function computeYear(day: number): number {
  // Date stops at day 100,000,000 (NaN past it) but a value day is any u32; the Gregorian
  // calendar repeats every 400 years (146,097 days), so fold whole cycles out first.
  const cycles = Math.floor(day / 146_097);
  return 400 * cycles + new Date((day - 146_097 * cycles) * 86_400_000).getUTCFullYear();
}
