/**
 * What an engine answer means for outcome checking (docs/api.md): 200 is settled, 422/400 a
 * rejection with a code, 503 OVERLOADED is a refusal to admit (retried after Retry-After: the
 * engine did nothing), anything else is an error answer.
 */

/** An engine answer as outcome checking sees it. */
export type ClassifiedAnswer =
  | { readonly kind: 'settled' }
  | { readonly kind: 'rejected'; readonly code: string }
  | { readonly kind: 'overloaded'; readonly retryAfterMs: number }
  | { readonly kind: 'error'; readonly got: string };

export const SETTLED: ClassifiedAnswer = { kind: 'settled' };

/** Retry-After when the header is missing or unreadable. */
export const DEFAULT_RETRY_AFTER_MS = 1000;
/** Retry-After is capped: an engine asking for minutes would stall the run past its end. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** Classifies one answer. `body` is only read for non-200 statuses. */
export function classifyAnswer(
  status: number,
  body: string,
  retryAfter: string | string[] | undefined,
): ClassifiedAnswer {
  if (status === 200) return SETTLED;
  const code = readCode(body);
  if (status === 422 || status === 400) {
    return code === undefined
      ? { kind: 'error', got: `HTTP ${status} without a rejection code` }
      : { kind: 'rejected', code };
  }
  if (status === 503 && code === 'OVERLOADED') {
    return { kind: 'overloaded', retryAfterMs: parseRetryAfter(retryAfter) };
  }
  return { kind: 'error', got: code === undefined ? `HTTP ${status}` : `HTTP ${status} ${code}` };
}

function readCode(body: string): string | undefined {
  if (body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const code = (parsed as { code?: unknown }).code;
      if (typeof code === 'string' && code !== '') return code;
    }
  } catch {
    // not JSON: no code
  }
  return undefined;
}

/** Retry-After in ms: delta-seconds (fractions accepted) or an HTTP date. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(text);
  let ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) ms = DEFAULT_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
