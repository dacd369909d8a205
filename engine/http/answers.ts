/** Outcome -> HTTP status and JSON body (docs/api.md). One place, so the wire stays consistent. */
import type { Rejection } from '../domain/index.js';
import type { Outcome } from '../pipeline/index.js';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Structural problems are the client's fault (400); rule rejections are 422. */
const CLIENT_ERRORS = new Set(['MALFORMED', 'UNSUPPORTED_VERSION', 'DUPLICATE_INPUT']);

export function rejectionAnswer(rejection: Rejection, txid?: string): Answer {
  const body: Record<string, unknown> = {
    status: 'rejected',
    code: rejection.code,
    message: rejection.message,
  };
  if (rejection.index !== undefined) body.index = rejection.index;
  if (txid !== undefined) body.txid = txid;
  return { status: CLIENT_ERRORS.has(rejection.code) ? 400 : 422, body };
}

export function errorAnswer(status: number, code: string, message: string): Answer {
  return { status, body: { status: 'error', code, message } };
}

export function outcomeAnswer(outcome: Outcome): Answer {
  switch (outcome.status) {
    case 'settled':
      return { status: 200, body: { status: 'settled', txid: outcome.txid } };
    case 'rejected':
      return rejectionAnswer(outcome.rejection, outcome.txid);
    case 'overloaded':
      return errorAnswer(503, 'OVERLOADED', outcome.reason);
    case 'unavailable':
      return errorAnswer(503, 'UNAVAILABLE', outcome.reason);
  }
}
