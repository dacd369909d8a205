/**
 * Request bodies as JSON, strictly: the media type must be JSON, and no object may repeat a key.
 * JSON.parse keeps the last of two equal keys, a gateway or auditor in front of the engine may
 * read the first: the same bytes would mean two different transactions.
 */

/** What `parseJsonBody` could not accept. */
export type JsonProblem = 'not-json' | 'duplicate-key';

const COLON = 58;
const BACKSLASH = 92;

/**
 * Key-value separators in JSON text: colons outside strings. In valid JSON each one introduces
 * exactly one object member, so this counts the members the text declares. Strings are skipped
 * with indexOf (a V8 builtin: the long hex strings of a transaction cost almost nothing), and
 * only the short stretches between strings are looked at character by character.
 */
function declaredMembers(text: string): number {
  let members = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const open = text.indexOf('"', i);
    const stop = open === -1 ? n : open;
    for (let j = i; j < stop; j++) if (text.charCodeAt(j) === COLON) members++;
    if (open === -1) break;
    let close = open;
    for (;;) {
      close = text.indexOf('"', close + 1);
      if (close === -1) return members; // unterminated: JSON.parse has refused it already
      // Escaped if an odd number of backslashes precede it.
      let b = close - 1;
      while (text.charCodeAt(b) === BACKSLASH) b--;
      if ((close - 1 - b) % 2 === 0) break;
    }
    i = close + 1;
  }
  return members;
}

/**
 * Members of every object in a parsed value: what survived JSON.parse. Iterative (a hostile body
 * may nest deeper than the call stack), and it stops counting once past `limit`.
 */
function parsedMembers(value: unknown, limit: number): number {
  let members = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && members <= limit) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object') stack.push(v[i]);
      continue;
    }
    for (const key in v) {
      members++;
      const child = (v as Record<string, unknown>)[key];
      if (typeof child === 'object') stack.push(child);
    }
  }
  return members;
}

/**
 * Parses a request body. A repeated key anywhere is refused: JSON.parse merges equal keys, so the
 * parsed value then has fewer members than the text declares.
 */
export function parseJsonBody(raw: Buffer): { value: unknown } | JsonProblem {
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (typeof value !== 'object' || value === null) return { value };
  const declared = declaredMembers(text);
  return parsedMembers(value, declared) === declared ? { value } : 'duplicate-key';
}

/**
 * True for `application/json`, with any case and an optional `charset=utf-8` (the only encoding
 * the engine reads). The exact common spelling is decided by one comparison.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  if (header === undefined) return false;
  const [type, ...params] = header.split(';');
  if (type!.trim().toLowerCase() !== 'application/json') return false;
  for (const param of params) {
    const [name, value] = param.split('=');
    if (name!.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      ?.trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}
