/**
 * The undici handler of one request attempt, and what it reports to.
 */
import type { Dispatcher } from 'undici';

/** Receives the life of each attempt, by local op index. */
export interface AnswerSink {
  /** The request is being written to a socket (`writes` > 1: undici re-dispatched it). */
  started(k: number, writes: number): void;
  /** A complete answer; `body` only for non-200 statuses. */
  answered(k: number, status: number, body: string, retryAfter: string | undefined): void;
  /** No answer: connection refused/reset/closed, or a timeout. */
  failed(k: number, error: Error): void;
}

/**
 * undici dispatch handler of one attempt. It implements undici's classic handler hooks
 * (onConnect/onHeaders/onData/onComplete/onError) rather than the newer onRequestStart/
 * onResponse* ones: undici wraps a new-style handler in an adapter that allocates a controller
 * and parses every response's headers into an object, which measurably costs generator CPU
 * (bench/driver.ts). Here only a non-200 answer is looked at (body and Retry-After): a 200 is
 * settled by definition (docs/api.md), so the hot path never parses anything.
 */
export class OpHandler implements Dispatcher.DispatchHandler {
  readonly #gen: AnswerSink;
  readonly #k: number;
  #writes = 0;
  #status = 0;
  #chunks: Buffer[] | undefined;
  #retryAfter: string | undefined;

  constructor(gen: AnswerSink, k: number) {
    this.#gen = gen;
    this.#k = k;
  }

  onConnect(): void {
    this.#writes++;
    this.#gen.started(this.#k, this.#writes);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.#status = statusCode;
    if (statusCode !== 200) {
      this.#chunks = [];
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'retry-after') {
          this.#retryAfter = rawHeaders[i + 1]!.toString('latin1');
        }
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    const body = this.#chunks === undefined ? '' : Buffer.concat(this.#chunks).toString('utf8');
    this.#gen.answered(this.#k, this.#status, body, this.#retryAfter);
  }

  onError(error: Error): void {
    this.#gen.failed(this.#k, error);
  }
}
