import type { Rejection } from '../domain/index.js';

/**
 * What the engine answers to one transaction. `settled` is only ever returned once the
 * transaction's journal record is durable.
 */
export type Outcome =
  | { readonly status: 'settled'; readonly txid: string }
  | { readonly status: 'rejected'; readonly txid?: string; readonly rejection: Rejection }
  /** Nothing was admitted: the caller may retry after a pause. */
  | { readonly status: 'overloaded'; readonly reason: string }
  /** Recovering, closing, or failed closed (journal failure): nothing is being acknowledged. */
  | { readonly status: 'unavailable'; readonly reason: string };

export const OVERLOADED_QUEUE: Outcome = {
  status: 'overloaded',
  reason: 'the verification queue is full',
};

export const OVERLOADED_INFLIGHT: Outcome = {
  status: 'overloaded',
  reason: 'too many transactions in flight',
};

export const OVERLOADED_DELAY: Outcome = {
  status: 'overloaded',
  reason: 'the verification queue holds more work than the admission delay allows',
};
