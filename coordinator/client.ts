/**
 * The shard's side of the wire: signed requests to the coordinator over keep-alive HTTP/1.1,
 * answers checked for the coordinator's signature, and the timing a clock sample needs (the
 * wall clock when the request left, the round trip on the monotonic clock).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { type RunKey, sha256Hex, signRequest, verifyAnswer } from './auth.js';
import { CoordinatorError } from './errors.js';
import { HEADERS } from './protocol.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** The shard's clock when the request left (epoch ms) and the round trip (ms). */
  readonly sentAtMs: number;
  readonly rttMs: number;
}

/** A body to send: JSON, or a file streamed from disk with its known digest and size. */
export type Body =
  | { readonly json: unknown }
  | { readonly file: string; readonly sha256: string; readonly bytes: number };

/** Largest answer read from the coordinator. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class CoordinatorClient {
  readonly url: URL;
  readonly #key: RunKey;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 2 });
  /** This run's nonce once known (`-` before). */
  run = '-';
  /** This shard's session (`-` before it joins). */
  session = '-';

  constructor(url: string, key: RunKey) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      parsed = new URL('invalid:');
    }
    if (parsed.protocol !== 'http:' || parsed.pathname !== '/' || parsed.search !== '')
      throw new CoordinatorError(
        'COORDINATOR_BAD_OPTIONS',
        `--coordinator must be an http URL with no path, like http://coordinator:8090, got ${JSON.stringify(url)}`,
      );
    this.url = parsed;
    this.#key = key;
  }

  /**
   * Sends one signed request and returns the coordinator's signed answer (any status). Rejects
   * with COORDINATOR_UNREACHABLE on a network error, a timeout, or an answer that does not
   * carry the coordinator's signature.
   */
  send(method: string, path: string, body: Body | null, timeoutMs: number): Promise<Answer> {
    const requestId = randomBytes(16).toString('hex');
    const payload = body !== null && 'json' in body ? Buffer.from(JSON.stringify(body.json)) : null;
    const contentSha256 =
      body === null
        ? sha256Hex('')
        : payload !== null
          ? sha256Hex(payload)
          : (body as { sha256: string }).sha256;
    const bytes =
      body === null ? 0 : payload !== null ? payload.length : (body as { bytes: number }).bytes;
    const headers: Record<string, string> = {
      [HEADERS.run]: this.run,
      [HEADERS.session]: this.session,
      [HEADERS.request]: requestId,
      [HEADERS.contentSha256]: contentSha256,
      [HEADERS.authorization]: signRequest(this.#key, {
        method,
        path,
        run: this.run,
        session: this.session,
        request: requestId,
        contentSha256,
      }),
      'content-length': String(bytes),
    };
    if (payload !== null) headers['content-type'] = 'application/json';
    const where = `${method} ${this.url.origin}${path}`;
    return new Promise<Answer>((resolve, reject) => {
      const fail = (message: string, cause?: unknown) =>
        reject(
          new CoordinatorError(
            'COORDINATOR_UNREACHABLE',
            `coordinator ${where}: ${message}`,
            cause === undefined ? undefined : { cause },
          ),
        );
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port === '' ? 80 : Number(this.url.port),
          method,
          path,
          headers,
          agent: this.#agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy();
              fail(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
              return;
            }
            chunks.push(chunk);
          });
          res.once('error', (error) => fail(error.message, error));
          res.once('end', () => {
            const rttMs = performance.now() - sentPerf;
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            const mac = res.headers[HEADERS.answerMac];
            if (
              !verifyAnswer(
                this.#key,
                status,
                requestId,
                text,
                typeof mac === 'string' ? mac : undefined,
              )
            ) {
              fail(
                status === 401
                  ? 'refused our signature (401): this shard and the coordinator do not hold the same token'
                  : `answered ${status} without this run's signature: not the coordinator of this run`,
              );
              return;
            }
            let parsed: unknown;
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              fail(`answered ${status} with a body that is not JSON`);
              return;
            }
            resolve({ status, body: parsed, sentAtMs, rttMs });
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.once('error', (error) => fail(error.message, error));
      const sentAtMs = Date.now();
      const sentPerf = performance.now();
      if (body !== null && 'file' in body) {
        const stream = createReadStream(body.file);
        stream.once('error', (error) => req.destroy(error));
        stream.pipe(req);
      } else req.end(payload ?? undefined);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
