import type { IncomingMessage } from 'node:http';
import { CodedError } from '../domain/index.js';
import type { JsonShapeGuard, ShapeViolation } from './json-guard.js';

export class BodyTooLarge extends CodedError {
  readonly code = 'BODY_TOO_LARGE';
  readonly kind = 'input';
}

/** The body's JSON shape broke a limit (too deep, an array too long) while it was arriving. */
export class BodyShapeRefused extends Error {
  readonly code = 'MALFORMED';
  readonly violation: ShapeViolation;
  constructor(violation: ShapeViolation) {
    super(violation.message);
    this.violation = violation;
  }
}

/**
 * Reads a request body, refusing (without buffering the rest) once it passes `limit` bytes or,
 * with a `guard`, as soon as its JSON shape breaks the guard's limits. Calls `done` exactly once.
 * A callback, not a promise: this runs once per request, and the body of a single transaction
 * nearly always arrives as one chunk, handed over as is.
 */
export function collectBody(
  req: IncomingMessage,
  limit: number,
  guard: JsonShapeGuard | null,
  done: (error: Error | null, body: Buffer | null) => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    done(new BodyTooLarge(`body of ${declared} bytes exceeds the limit of ${limit}`), null);
    return;
  }
  let first: Buffer | null = null;
  let more: Buffer[] | null = null;
  let size = 0;
  let finished = false;
  const refuse = (error: Error) => {
    // Whatever else arrives is read and dropped, never buffered: the answer goes out now.
    req.removeListener('data', onData);
    req.resume();
    finished = true;
    first = null;
    more = null;
    done(error, null);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      refuse(new BodyTooLarge(`body exceeds the limit of ${limit} bytes`));
      return;
    }
    const violation = guard?.feed(chunk) ?? null;
    if (violation !== null) {
      refuse(new BodyShapeRefused(violation));
      return;
    }
    if (first === null) first = chunk;
    else if (more === null) more = [first, chunk];
    else more.push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(null, more !== null ? Buffer.concat(more, size) : (first ?? EMPTY));
  });
  req.on('error', (error) => {
    if (finished) return;
    finished = true;
    done(error, null);
  });
}

const EMPTY = Buffer.alloc(0);

/** `collectBody` as a promise. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    collectBody(req, limit, null, (error, body) => (error ? reject(error) : resolve(body!))),
  );
}
