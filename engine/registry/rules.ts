/**
 * The registry rules both stores share: who may sign and pay what, which days an offline payment
 * may carry, and the exact wording of every rule rejection. The memory Registry checks them in
 * TypeScript, the PostgreSQL settle function in SQL; both answer through these builders, so a
 * code, its index and its message are the same whichever store decided.
 */
import {
  OFFLINE_SYNC_DAYS,
  type OpType,
  type Rejection,
  type Role,
  reject,
  type TierLimits,
  type WalletTier,
} from '../domain/index.js';

/** What each operation demands of its signer and its outputs' owners. */
export interface OpRule {
  readonly signer: Role;
  /** Roles an output may go to, besides change back to the signer. */
  readonly payees: readonly Role[];
}

export const RULES: Readonly<Record<OpType, OpRule>> = {
  issue: { signer: 'central-bank', payees: [] },
  allocate: { signer: 'central-bank', payees: ['bank'] },
  exchange: { signer: 'bank', payees: ['wallet'] },
  transfer: { signer: 'wallet', payees: ['wallet'] },
  'offline-transfer': { signer: 'wallet', payees: ['wallet'] },
  redeem: { signer: 'wallet', payees: ['bank'] },
  return: { signer: 'bank', payees: ['central-bank'] },
  destroy: { signer: 'central-bank', payees: [] },
  enroll: { signer: 'central-bank', payees: [] },
  open: { signer: 'bank', payees: [] },
};

/** A payment between wallets (online or offline): the payer's tier limits apply. */
export function isPayment(type: OpType): boolean {
  return type === 'transfer' || type === 'offline-transfer';
}

/** The reason texts, one builder per rule (index: the input or output to blame). */
export const REJECT = {
  duplicate: (txid: string): Rejection =>
    reject('DUPLICATE_TX', `transaction ${txid} has already settled`),
  unknownSigner: (): Rejection =>
    reject('UNKNOWN_SIGNER', 'the signer is not registered with the certification centre'),
  wrongSigner: (type: OpType): Rejection =>
    reject('UNAUTHORIZED', `only the ${RULES[type].signer} may ${type}`),
  unknownCoin: (id: string, i: number): Rejection =>
    reject('UNKNOWN_COIN', `coin ${id} is not registered`, i),
  alreadySpent: (id: string, spentBy: string, i: number): Rejection =>
    reject('ALREADY_SPENT', `coin ${id} was spent by ${spentBy}`, i),
  notOwner: (id: string, i: number): Rejection =>
    reject('NOT_OWNER', `coin ${id} does not belong to the signer`, i),
  unknownPayee: (i: number): Rejection =>
    reject('UNKNOWN_PAYEE', 'the output owner is not registered', i),
  wrongPayee: (type: OpType, role: Role, i: number): Rejection =>
    reject('UNAUTHORIZED', `${type} may not pay a ${role}`, i),
  issueOverflow: (): Rejection =>
    reject('VALUE_MISMATCH', 'issue would take total issuance past the largest safe integer'),
  destroyNothing: (): Rejection =>
    reject('VALUE_MISMATCH', 'destroy must burn a positive amount (outputs are change only)'),
  unbalanced: (totalIn: number, totalOut: number): Rejection =>
    reject('VALUE_MISMATCH', `inputs total ${totalIn} fen but outputs ${totalOut} fen`),
  alreadyRegistered: (key: string): Rejection =>
    reject('ALREADY_REGISTERED', `key ${key} is already registered`),
  weakKey: (): Rejection =>
    reject(
      'WEAK_KEY',
      'subject.key is not an acceptable Ed25519 public key (not canonical, or of small order)',
    ),
  notToday: (day: number, today: number): Rejection =>
    reject(
      'BAD_DAY',
      `value day ${day} is not the engine's day ${today}: date the transaction with the engine's current UTC day`,
    ),
  offlineBeforeInput: (day: number, newestDay: number, newestAt: number): Rejection =>
    reject(
      'BAD_DAY',
      `offline payment dated day ${day}, before input ${newestAt} was created (day ${newestDay})`,
      newestAt,
    ),
  offlineAfterToday: (day: number, today: number): Rejection =>
    reject('BAD_DAY', `offline payment dated day ${day}, after the engine's day ${today}`),
  offlineTooOld: (day: number, today: number): Rejection =>
    reject(
      'BAD_DAY',
      `offline payment dated day ${day}, more than ${OFFLINE_SYNC_DAYS} days before the engine's day ${today}`,
    ),
  single: (paid: number, tier: WalletTier, limits: TierLimits): Rejection =>
    reject(
      'TIER_LIMIT',
      `payment of ${paid} fen exceeds the tier ${tier} single limit of ${limits.single}`,
    ),
  daily: (tier: WalletTier, limits: TierLimits): Rejection =>
    reject('TIER_LIMIT', `tier ${tier} daily limit of ${limits.daily} fen would be exceeded`),
  annual: (tier: WalletTier, limits: TierLimits): Rejection =>
    reject('TIER_LIMIT', `tier ${tier} annual limit of ${limits.annual} fen would be exceeded`),
  balance: (tier: WalletTier, cap: number, i: number): Rejection =>
    reject(
      'TIER_LIMIT',
      `the payee's tier ${tier} balance limit of ${cap} fen would be exceeded`,
      i,
    ),
} as const;

/**
 * An offline transfer's device day: never before its newest input was created (it cannot have
 * been paid with coins the payer did not hold yet), and, with a clock, never after the engine's
 * day (the sync) nor more than OFFLINE_SYNC_DAYS before it. `newestAt`: the first input created
 * on `newestDay`.
 */
export function checkOfflineDay(
  day: number,
  today: number | null,
  newestDay: number,
  newestAt: number,
): Rejection | null {
  if (day < newestDay) return REJECT.offlineBeforeInput(day, newestDay, newestAt);
  if (today === null) return null;
  if (day > today) return REJECT.offlineAfterToday(day, today);
  if (day < today - OFFLINE_SYNC_DAYS) return REJECT.offlineTooOld(day, today);
  return null;
}
