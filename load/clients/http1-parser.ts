/**
 * The HTTP/1.1 answer parser of the lean client (./http1.ts): bytes in, complete answers out,
 * in order, however the bytes are split across reads. Framing: Content-Length, chunked (chunk
 * extensions and trailers skipped), or read until the peer closes; 1xx interim answers skipped;
 * 204 and 304 have no body. Parsed no further than the generator needs: the status, Retry-After,
 * whether the connection stays open, and the body only when the status is not 200.
 *
 * Kept apart from the connection handling so it can be tested byte by byte
 * (test/load/clients/http1-parser.test.ts).
 */

/** Larger answer heads (and chunk-size or trailer lines) are refused as malformed. */
export const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Where the parser's answers go. */
export interface AnswerHandler {
  /** Whether a request waits for an answer: bytes arriving when none does are malformed. */
  expecting(): boolean;
  /**
   * One complete answer; `body` is '' for a 200. `keepAlive` false: the target will close after
   * it. Returns false when nothing more is to be parsed (the connection was closed).
   */
  answer(status: number, body: string, retryAfter: string | undefined, keepAlive: boolean): boolean;
  /** The bytes are not an HTTP/1.x answer; the parser stops for good. */
  malformed(what: string): void;
}

/** Whether `text` at `at` holds header name `lower` (lower-case letters and '-'), in any case. */
function nameIs(text: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((text.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** A Content-Length value (digits, optional surrounding blanks) in `text[from, to)`, or NaN. */
function readLength(text: string, from: number, to: number): number {
  while (from < to && (text.charCodeAt(from) === 0x20 || text.charCodeAt(from) === 0x09)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 0x20 || text.charCodeAt(to - 1) === 0x09)) to--;
  if (from === to || to - from > 15) return Number.NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

// Parser states.
const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const BODY_UNTIL_CLOSE = 6;

/** The answers of one connection, parsed incrementally. */
export class AnswerParser {
  readonly #handler: AnswerHandler;
  #state = HEAD;
  #stopped = false;
  /** Bytes of an incomplete head (or chunk-size line / trailers), copied out of the read buffer. */
  #pending: Buffer | undefined;
  #status = 0;
  #remaining = 0;
  #keepAlive = true;
  #retryAfter: string | undefined;
  /** Body chunks (copies), for non-200 answers only. */
  #body: Buffer[] | undefined;

  constructor(handler: AnswerHandler) {
    this.#handler = handler;
  }

  /** The answer being read has no length: it ends when the peer closes (see `end`). */
  get readingUntilClose(): boolean {
    return this.#state === BODY_UNTIL_CLOSE;
  }

  /** The peer closed: an answer read until close is complete now. */
  end(): void {
    if (this.#state === BODY_UNTIL_CLOSE && !this.#stopped) this.#complete();
  }

  /** Parses `buf[from, to)`, completing as many answers as it holds. */
  feed(buf: Buffer, from: number, to: number): void {
    let at = from;
    while (at < to && !this.#stopped) {
      switch (this.#state) {
        case HEAD: {
          if (!this.#handler.expecting()) {
            this.#malformed('bytes without a request');
            return;
          }
          let data = buf;
          let start = at;
          let end = to;
          if (this.#pending !== undefined) {
            // join the partial head with the new bytes (rare: heads are small)
            data = Buffer.concat([this.#pending, buf.subarray(at, to)]);
            start = 0;
            end = data.length;
          }
          // (the read buffer holds stale bytes past `end`: a match must end within it)
          const stop = data.indexOf(CRLFCRLF, start);
          if (stop < 0 || stop + 4 > end) {
            if (end - start > MAX_HEAD_BYTES) {
              this.#malformed('head too large');
              return;
            }
            this.#pending = Buffer.from(data.subarray(start, end));
            return;
          }
          const consumed = stop + 4 - start;
          const pendingLength = this.#pending?.length;
          this.#pending = undefined;
          if (!this.#readHead(data, start, stop)) return;
          // bytes of `buf` consumed: the head's end, minus what came from `pending`
          at = pendingLength === undefined ? start + consumed : at + consumed - pendingLength;
          break;
        }
        case BODY_LENGTH: {
          const take = Math.min(this.#remaining, to - at);
          if (this.#body !== undefined) this.#body.push(Buffer.from(buf.subarray(at, at + take)));
          this.#remaining -= take;
          at += take;
          if (this.#remaining === 0) this.#complete();
          break;
        }
        case CHUNK_SIZE:
        case TRAILERS: {
          const line = this.#line(buf, at, to);
          if (line === undefined) return;
          at = line.next;
          if (this.#state === CHUNK_SIZE) {
            const size = Number.parseInt(line.text.split(';', 1)[0]!.trim(), 16);
            if (!Number.isSafeInteger(size) || size < 0) {
              this.#malformed('bad chunk size');
              return;
            }
            if (size === 0) this.#state = TRAILERS;
            else {
              this.#remaining = size;
              this.#state = CHUNK_DATA;
            }
          } else if (line.text === '') {
            this.#complete();
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, to - at);
          if (this.#body !== undefined) this.#body.push(Buffer.from(buf.subarray(at, at + take)));
          this.#remaining -= take;
          at += take;
          if (this.#remaining === 0) this.#state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          const line = this.#line(buf, at, to);
          if (line === undefined) return;
          if (line.text !== '') {
            this.#malformed('chunk not followed by CRLF');
            return;
          }
          at = line.next;
          this.#state = CHUNK_SIZE;
          break;
        }
        case BODY_UNTIL_CLOSE: {
          if (this.#body !== undefined) this.#body.push(Buffer.from(buf.subarray(at, to)));
          at = to;
          break;
        }
      }
    }
  }

  #malformed(what: string): void {
    this.#stopped = true;
    this.#handler.malformed(what);
  }

  /** One CRLF-terminated line (chunk size, chunk end, trailer), joined across reads. */
  #line(buf: Buffer, at: number, to: number): { text: string; next: number } | undefined {
    const pending = this.#pending;
    const data = pending === undefined ? buf : Buffer.concat([pending, buf.subarray(at, to)]);
    const start = pending === undefined ? at : 0;
    const end = pending === undefined ? to : data.length;
    const stop = data.indexOf(CRLF, start);
    if (stop < 0 || stop + 2 > end) {
      this.#pending = Buffer.from(data.subarray(start, end));
      if (this.#pending.length > MAX_HEAD_BYTES) this.#malformed('line too long');
      return undefined;
    }
    this.#pending = undefined;
    const text = data.toString('latin1', start, stop);
    // bytes of `buf` consumed: up to the CRLF, minus what came from `pending`
    return { text, next: pending === undefined ? stop + 2 : at + stop + 2 - pending.length };
  }

  /** Reads the head `data[start, stop)` (without its final CRLFCRLF); false when malformed. */
  #readHead(data: Buffer, start: number, stop: number): boolean {
    // "HTTP/1.x SSS ..."
    if (
      stop - start < 12 ||
      data[start] !== 0x48 || // H
      data[start + 4] !== 0x2f || // /
      data[start + 5] !== 0x31 || // 1
      data[start + 6] !== 0x2e // .
    ) {
      this.#malformed('no HTTP/1.x status line');
      return false;
    }
    const http10 = data[start + 7] === 0x30;
    const d0 = data[start + 9]! - 48;
    const d1 = data[start + 10]! - 48;
    const d2 = data[start + 11]! - 48;
    // each of the three must be a digit: '2x0' is not 920
    if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
      this.#malformed('bad status code');
      return false;
    }
    const status = d0 * 100 + d1 * 10 + d2;
    let length = -1;
    let chunked = false;
    let keepAlive = !http10;
    let retryAfter: string | undefined;
    const lineEnd = data.indexOf(CRLF, start);
    if (lineEnd < stop) {
      // Walks the header lines of one latin1 string: no split, and only the four names that
      // matter are compared (lengths first); values are sliced only for those.
      const head = data.toString('latin1', lineEnd + 2, stop);
      const n = head.length;
      let pos = 0;
      while (pos < n) {
        let eol = head.indexOf('\r\n', pos);
        if (eol < 0) eol = n;
        const colon = head.indexOf(':', pos);
        if (colon > pos && colon < eol) {
          switch (colon - pos) {
            case 14:
              if (nameIs(head, pos, 'content-length')) {
                length = readLength(head, colon + 1, eol);
              }
              break;
            case 17:
              if (nameIs(head, pos, 'transfer-encoding')) {
                chunked = head
                  .slice(colon + 1, eol)
                  .trim()
                  .toLowerCase()
                  .endsWith('chunked');
              }
              break;
            case 10:
              if (nameIs(head, pos, 'connection')) {
                const v = head.slice(colon + 1, eol).toLowerCase();
                if (v.includes('close')) keepAlive = false;
                else if (v.includes('keep-alive')) keepAlive = true;
              }
              break;
            case 11:
              if (nameIs(head, pos, 'retry-after')) {
                retryAfter = head.slice(colon + 1, eol).trim();
              }
              break;
          }
        }
        pos = eol + 2;
      }
    }
    if (Number.isNaN(length)) {
      this.#malformed('bad content-length');
      return false;
    }
    if (status < 200) {
      // 1xx: an interim answer, the real one follows
      this.#state = HEAD;
      return true;
    }
    this.#status = status;
    this.#keepAlive = keepAlive;
    this.#retryAfter = retryAfter;
    this.#body = status === 200 ? undefined : [];
    if (status === 204 || status === 304) {
      this.#complete();
    } else if (chunked) {
      this.#state = CHUNK_SIZE;
    } else if (length >= 0) {
      this.#remaining = length;
      this.#state = BODY_LENGTH;
      if (length === 0) this.#complete();
    } else {
      this.#keepAlive = false;
      this.#state = BODY_UNTIL_CLOSE;
    }
    return true;
  }

  /** The answer is complete: reset for the next one, then hand it over. */
  #complete(): void {
    const body =
      this.#body === undefined || this.#body.length === 0
        ? ''
        : Buffer.concat(this.#body).toString('utf8');
    const retryAfter = this.#retryAfter;
    this.#state = HEAD;
    this.#body = undefined;
    this.#retryAfter = undefined;
    if (!this.#handler.answer(this.#status, body, retryAfter, this.#keepAlive))
      this.#stopped = true;
  }
}
