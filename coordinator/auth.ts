/**
 * Who may speak to a run's coordinator, and how a shard knows the coordinator answered. Both
 * sides hold one shared secret (a Kubernetes Secret, docs/distributed.md); it never travels.
 * Every request carries an HMAC-SHA256 over its method, path, run, shard session, request id and
 * the SHA-256 of its body, and every answer an HMAC over its status, the request id it answers
 * and the SHA-256 of its body. So a request from outside is refused before its body is read, a
 * body altered on the way is refused, a request of another run (a stale pod, a replay from an
 * earlier run) names another run, and an answer cannot be forged or replayed to another request.
 * What this does not give: secrecy (results travel in clear; use a private network or a mesh
 * with TLS) and protection from someone who holds the secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoordinatorError } from './errors.js';

/** The environment variable that holds the secret when no file is given. */
export const TOKEN_ENV = 'ECNY_COORDINATOR_TOKEN';
/** Shortest secret accepted: 32 characters (`openssl rand -hex 32` gives 64). */
export const MIN_TOKEN_LENGTH = 32;
const SCHEME = 'ECNY-HMAC-SHA256';
const DOMAIN = 'ecny-bench/coordinator/v1';

/** The shared secret, as a key for HMACs. */
export class RunKey {
  readonly #secret: Buffer;

  constructor(secret: string) {
    if (secret.length < MIN_TOKEN_LENGTH)
      throw new CoordinatorError(
        'COORDINATOR_BAD_OPTIONS',
        `the coordinator token must be at least ${MIN_TOKEN_LENGTH} characters (openssl rand -hex 32), got ${secret.length}`,
      );
    this.#secret = Buffer.from(secret, 'utf8');
  }

  mac(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('hex');
  }

  /** Constant-time comparison of a received MAC with the expected one. */
  matches(text: string, received: string | undefined): boolean {
    if (received === undefined || !/^[0-9a-f]{64}$/.test(received)) return false;
    return timingSafeEqual(Buffer.from(this.mac(text), 'hex'), Buffer.from(received, 'hex'));
  }
}

/**
 * The secret from `file` (trimmed), else from $ECNY_COORDINATOR_TOKEN. Never from a flag:
 * a command line is visible to every user of the host (`ps`).
 */
export async function loadRunKey(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunKey> {
  let secret: string | undefined;
  if (file !== undefined) {
    try {
      secret = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new CoordinatorError(
        'COORDINATOR_BAD_OPTIONS',
        `cannot read the coordinator token file ${file}: ${(error as Error).message}`,
      );
    }
  } else secret = env[TOKEN_ENV]?.trim();
  if (secret === undefined || secret === '')
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `a coordinated run needs its shared secret: --token-file FILE or $${TOKEN_ENV}`,
    );
  return new RunKey(secret);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The signed parts of a request (all but the body, which enters as its digest). */
export interface RequestParts {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  /** The run's nonce, `-` before the shard has learnt it. */
  readonly run: string;
  /** The shard's session, `-` when it has none yet. */
  readonly session: string;
  /** A fresh id per request, echoed in the answer's MAC. */
  readonly request: string;
  readonly contentSha256: string;
}

function requestText(p: RequestParts): string {
  return [DOMAIN, 'request', p.method, p.path, p.run, p.session, p.request, p.contentSha256].join(
    '\n',
  );
}

function answerText(status: number, request: string, contentSha256: string): string {
  return [DOMAIN, 'answer', String(status), request, contentSha256].join('\n');
}

/** The Authorization header of a request. */
export function signRequest(key: RunKey, parts: RequestParts): string {
  return `${SCHEME} ${key.mac(requestText(parts))}`;
}

export function verifyRequest(
  key: RunKey,
  parts: RequestParts,
  authorization: string | undefined,
): boolean {
  if (authorization === undefined || !authorization.startsWith(`${SCHEME} `)) return false;
  return key.matches(requestText(parts), authorization.slice(SCHEME.length + 1));
}

/** The MAC header of an answer to request `request`. */
export function signAnswer(key: RunKey, status: number, request: string, body: string): string {
  return key.mac(answerText(status, request, sha256Hex(body)));
}

export function verifyAnswer(
  key: RunKey,
  status: number,
  request: string,
  body: string,
  mac: string | undefined,
): boolean {
  return key.matches(answerText(status, request, sha256Hex(body)), mac);
}
