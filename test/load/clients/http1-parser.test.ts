/**
 * Property tests of the lean client's answer parser: any valid sequence of answers, framed by
 * Content-Length, chunked or read-until-close, with interim 1xx answers between them, parses to
 * the same answers however its bytes are split across reads (and whatever stale bytes the reused
 * read buffer holds past each read); malformed heads stop the parser with one `malformed` call
 * and no answer after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type AnswerHandler, AnswerParser, MAX_HEAD_BYTES } from '../../../load/clients/index.js';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
  readonly keepAlive: boolean;
}

type Framing =
  | { readonly kind: 'length' }
  | { readonly kind: 'chunked'; readonly cuts: readonly number[]; readonly trailer: boolean }
  | { readonly kind: 'none' };

interface Planned {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
  readonly framing: Framing;
  readonly interim: boolean;
  readonly headerCase: 'lower' | 'upper' | 'mixed';
  readonly extraHeaders: readonly [string, string][];
}

/** Records what the parser hands over. */
class Collector implements AnswerHandler {
  readonly answers: Answer[] = [];
  readonly problems: string[] = [];
  expected = Number.POSITIVE_INFINITY;
  expecting(): boolean {
    return this.answers.length < this.expected;
  }
  answer(status: number, body: string, retryAfter: string | undefined, keepAlive: boolean) {
    this.answers.push({ status, body, retryAfter, keepAlive });
    return keepAlive;
  }
  malformed(what: string): void {
    this.problems.push(what);
  }
}

const cased = (name: string, how: Planned['headerCase']): string =>
  how === 'lower'
    ? name.toLowerCase()
    : how === 'upper'
      ? name.toUpperCase()
      : [...name].map((ch, i) => (i % 2 ? ch.toLowerCase() : ch.toUpperCase())).join('');

/** The bytes of one answer as a server could send them. */
function encode(a: Planned): Buffer {
  const parts: string[] = [];
  if (a.interim) parts.push('HTTP/1.1 100 Continue\r\n\r\n');
  const head = [`HTTP/1.1 ${a.status} X`];
  for (const [name, value] of a.extraHeaders) head.push(`${name}: ${value}`);
  head.push(`${cased('Content-Type', a.headerCase)}: application/json`);
  if (a.retryAfter !== undefined)
    head.push(`${cased('Retry-After', a.headerCase)}: ${a.retryAfter}`);
  const body = Buffer.from(a.body, 'utf8');
  const noBody = a.status === 204 || a.status === 304;
  if (noBody) return Buffer.from(`${parts.join('')}${head.join('\r\n')}\r\n\r\n`, 'latin1');
  const f = a.framing;
  if (f.kind === 'length') {
    head.push(`${cased('Content-Length', a.headerCase)}: ${body.length}`);
    return Buffer.concat([
      Buffer.from(`${parts.join('')}${head.join('\r\n')}\r\n\r\n`, 'latin1'),
      body,
    ]);
  }
  if (f.kind === 'none') {
    head.push(`${cased('Connection', a.headerCase)}: close`);
    return Buffer.concat([
      Buffer.from(`${parts.join('')}${head.join('\r\n')}\r\n\r\n`, 'latin1'),
      body,
    ]);
  }
  head.push(`${cased('Transfer-Encoding', a.headerCase)}: chunked`);
  const out = [Buffer.from(`${parts.join('')}${head.join('\r\n')}\r\n\r\n`, 'latin1')];
  const cuts = [...new Set(f.cuts.map((c) => c % (body.length + 1)))].sort((x, y) => x - y);
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    if (cut <= from) continue;
    const ext = cut % 2 === 0 ? ';name=value' : '';
    out.push(Buffer.from(`${(cut - from).toString(16)}${ext}\r\n`, 'latin1'));
    out.push(body.subarray(from, cut), Buffer.from('\r\n'));
    from = cut;
  }
  out.push(Buffer.from(f.trailer ? '0\r\nX-Trailer: yes\r\n\r\n' : '0\r\n\r\n', 'latin1'));
  return Buffer.concat(out);
}

const planned = fc.record<Planned>({
  status: fc.constantFrom(200, 200, 200, 201, 204, 304, 400, 422, 500, 503),
  body: fc.string({ maxLength: 300, unit: 'grapheme' }),
  retryAfter: fc.option(fc.constantFrom('1', '30', ' 2 ', 'Wed, 21 Oct 2015 07:28:00 GMT'), {
    nil: undefined,
  }),
  framing: fc.oneof(
    fc.constant<Framing>({ kind: 'length' }),
    fc.record({
      kind: fc.constant('chunked' as const),
      cuts: fc.array(fc.nat(400), { maxLength: 6 }),
      trailer: fc.boolean(),
    }),
  ),
  interim: fc.boolean(),
  headerCase: fc.constantFrom('lower', 'upper', 'mixed'),
  extraHeaders: fc.array(
    fc.tuple(
      fc.constantFrom('Server', 'X-Content-Length', 'Content-Lengthy', 'Date', 'X-A'),
      fc.stringMatching(/^[ -~]{0,20}$/).map((v) => v.replace(/:/g, '')),
    ),
    { maxLength: 3 },
  ),
});

/** What the parser must report for an answer. */
function expected(a: Planned): Answer {
  const noBody = a.status === 204 || a.status === 304;
  return {
    status: a.status,
    body: a.status === 200 || noBody ? '' : Buffer.from(a.body, 'utf8').toString('utf8'),
    retryAfter: a.retryAfter?.trim(),
    keepAlive: noBody || a.framing.kind !== 'none',
  };
}

/**
 * Feeds `bytes` cut at `cuts`, each piece copied into a reused read buffer at an offset with
 * stale bytes after it, as a socket's `onread` hands them over.
 */
function feedSplit(parser: AnswerParser, bytes: Buffer, cuts: readonly number[], offset: number) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const read = Buffer.alloc(bytes.length + offset + 16, 0x0d); // stale CRs past every read
  let from = 0;
  for (const cut of [...points, bytes.length]) {
    if (cut <= from) continue;
    bytes.copy(read, offset, from, cut);
    read.write('\r\n\r\n', offset + cut - from, 'latin1');
    parser.feed(read, offset, offset + cut - from);
    from = cut;
  }
}

describe('HTTP/1.1 answer parser', () => {
  it('parses any sequence of valid answers the same, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(planned, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(4000), { maxLength: 20 }),
        fc.nat(8),
        (answers, cuts, offset) => {
          const bytes = Buffer.concat(answers.map(encode));
          const c = new Collector();
          c.expected = answers.length;
          feedSplit(new AnswerParser(c), bytes, cuts, offset);
          assert.deepEqual(c.problems, []);
          assert.deepEqual(c.answers, answers.map(expected));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('ends an answer without a length when the target closes, however it was split', () => {
    fc.assert(
      fc.property(
        fc.array(planned, { maxLength: 3 }),
        planned.map((a) => ({ ...a, framing: { kind: 'none' } as Framing })),
        fc.array(fc.nat(2000), { maxLength: 10 }),
        (before, last, cuts) => {
          const answers = [...before, last];
          const c = new Collector();
          c.expected = answers.length;
          const parser = new AnswerParser(c);
          feedSplit(parser, Buffer.concat(answers.map(encode)), cuts, 0);
          parser.end();
          assert.deepEqual(c.problems, []);
          assert.deepEqual(c.answers, answers.map(expected));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops at a malformed head: one `malformed`, the answers before it intact, none after', () => {
    const badHead = fc.oneof(
      fc.constant('HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n'),
      fc.constant('HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n'),
      fc.constant('HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n'),
      fc.constant('HTTP/1.1 20\r\n\r\n'),
      fc
        .constantFrom('-1', '1e3', 'abc', '', '1 2', '0x10', '9999999999999999')
        .map((v) => `HTTP/1.1 200 OK\r\nContent-Length: ${v}\r\n\r\n`),
      fc.stringMatching(/^[ -~]{1,40}$/).map((line) => `${line.replace(/^H/, 'h')}\r\n\r\n`),
      fc.constant('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      fc.constant('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY\r\n'),
    );
    fc.assert(
      fc.property(
        fc.array(planned, { maxLength: 3 }),
        badHead,
        fc.array(planned, { maxLength: 2 }),
        fc.array(fc.nat(2000), { maxLength: 10 }),
        (before, bad, after, cuts) => {
          const bytes = Buffer.concat([
            ...before.map(encode),
            Buffer.from(bad, 'latin1'),
            ...after.map(encode),
          ]);
          const c = new Collector();
          feedSplit(new AnswerParser(c), bytes, cuts, 3);
          assert.equal(c.problems.length, 1, `problems: ${c.problems.join(', ')}`);
          assert.deepEqual(c.answers, before.map(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses bytes when no request waits, and a head without an end past the limit', () => {
    const idle = new Collector();
    idle.expected = 0;
    new AnswerParser(idle).feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), 0, 19);
    assert.deepEqual(idle.problems, ['bytes without a request']);

    const huge = new Collector();
    const parser = new AnswerParser(huge);
    const line = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(1024)}\r\n`, 'latin1');
    for (let sent = 0; sent <= MAX_HEAD_BYTES && huge.problems.length === 0; sent += line.length)
      parser.feed(line, 0, line.length);
    assert.deepEqual(huge.problems, ['head too large']);
    assert.deepEqual(huge.answers, []);
  });
});
