/**
 * Rejection codes: the one list of every reason the engine refuses a transaction.
 * Stable strings: they appear on the wire, in results and in dashboards, so never rename one.
 */
export const REJECTION_CODES = [
  /** The request is not a well-formed transaction (shape, types, ranges, sizes). */
  'MALFORMED',
  /** The `v` field names a wire version this engine does not speak. */
  'UNSUPPORTED_VERSION',
  /** The same coin appears twice among one transaction's inputs. */
  'DUPLICATE_INPUT',
  /** The signature does not verify under the signer's key (see docs/signatures.md). */
  'BAD_SIGNATURE',
  /** The signer is not registered with the certification centre. */
  'UNKNOWN_SIGNER',
  /** An output names an owner that is not registered. */
  'UNKNOWN_PAYEE',
  /** An input names a coin the registration centre has never seen. */
  'UNKNOWN_COIN',
  /** An input exists but belongs to someone other than the signer. */
  'NOT_OWNER',
  /** An input was spent by an earlier transaction. */
  'ALREADY_SPENT',
  /** Inputs and outputs do not balance as the operation requires. */
  'VALUE_MISMATCH',
  /** A wallet tier limit (single, daily, annual payment or balance) would be exceeded. */
  'TIER_LIMIT',
  /** The signer's role may not perform this operation, or pay this kind of owner. */
  'UNAUTHORIZED',
  /** A transaction with the same id has already settled. */
  'DUPLICATE_TX',
  /** An `enroll` or `open` names a key that is already registered. */
  'ALREADY_REGISTERED',
  /**
   * The value day is not the engine's current day, or (offline transfer) lies outside
   * [newest input's day, engine's day] or more than OFFLINE_SYNC_DAYS before the engine's day.
   */
  'BAD_DAY',
  /**
   * A correctly signed `enroll` or `open` whose subject key is not acceptable (not canonical, or
   * of small order: docs/signatures.md): the registration is refused, the request was well formed.
   */
  'WEAK_KEY',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A refused transaction: a value, never an exception. `index` points at the bad input/output. */
export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  /** Index of the offending input (or output, for payee/limit errors), when one is to blame. */
  readonly index?: number;
}

export function reject(code: RejectionCode, message: string, index?: number): Rejection {
  return index === undefined ? { code, message } : { code, message, index };
}

export function isRejectionCode(value: string): value is RejectionCode {
  return (REJECTION_CODES as readonly string[]).includes(value);
}
