/**
 * Shared helpers for the HTTP, reliability and serial suites (no tests here): an in-process
 * engine + HTTP server on port 0 with a scratch journal, a small JSON client on undici, and
 * snapshots of the state a refused request must not move.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after } from 'node:test';
import { Pool } from 'undici';
import { isoDay, type KeyPair, type Tx, toWire } from '../../engine/domain/index.js';
import {
  DEFAULT_HTTP_OPTIONS,
  type HttpOptions,
  type HttpServer,
  startHttpServer,
} from '../../engine/http/index.js';
import {
  defaultEngineConfig,
  type EngineConfig,
  type EngineService,
  openEngineService,
} from '../../engine/service/index.js';
import {
  type EngineProcess,
  type EngineProcessOptions,
  startEngineProcess,
} from '../../runner/index.js';
import { cast, coinOf, DAY, type Ledger, op, out, type Who } from '../fixtures/ledger.js';

/** A fresh directory, removed when the calling test file ends. */
export async function scratchDir(prefix = 'ecny-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly body: unknown;
}

/** A JSON view of a reply body; fails the test if the body is not a JSON object. */
export function obj(reply: Reply): Record<string, unknown> {
  assert.ok(
    typeof reply.body === 'object' && reply.body !== null && !Array.isArray(reply.body),
    `expected a JSON object, got ${reply.text.slice(0, 200)}`,
  );
  return reply.body as Record<string, unknown>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Keep-alive HTTP client for one engine. Bodies: strings, bytes and streams (chunked) are sent as
 * they are, anything else JSON-encoded.
 */
export class Client {
  readonly url: string;
  readonly #pool: Pool;

  constructor(url: string, connections = 16) {
    this.url = url;
    this.#pool = new Pool(url, { connections, pipelining: 1, bodyTimeout: 0, headersTimeout: 0 });
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const payload =
      body === undefined
        ? undefined
        : typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable
          ? body
          : JSON.stringify(body);
    const res = await this.#pool.request({
      method,
      path,
      headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, body: parseJson(text) };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, body, headers);
  }

  /** POST /v1/tx with the wire form of `tx`. */
  tx(tx: Tx): Promise<Reply> {
    return this.post('/v1/tx', toWire(tx));
  }

  /** Closes once in-flight requests are answered. Idempotent. */
  async close(): Promise<void> {
    if (!this.#pool.closed && !this.#pool.destroyed) await this.#pool.close();
  }

  /** Drops every connection at once, failing requests still in flight. Idempotent. */
  async destroy(): Promise<void> {
    if (!this.#pool.destroyed) await this.#pool.destroy();
  }
}

/** Posts each transaction in order and fails unless every one settles. */
export async function settleAll(client: Client, txs: readonly Tx[]): Promise<void> {
  for (const tx of txs) {
    const reply = await client.tx(tx);
    assert.equal(reply.status, 200, `${tx.type} ${tx.txidHex}: ${reply.text}`);
    assert.deepEqual(reply.body, { status: 'settled', txid: tx.txidHex });
  }
}

/** What a refused request must leave exactly as it was. */
export interface EngineState {
  readonly reconcile: unknown;
  readonly settled: number;
  readonly lifecycle: unknown;
  readonly journalRecords: number;
}

export async function engineState(client: Client): Promise<EngineState> {
  const [books, stats] = await Promise.all([client.get('/v1/reconcile'), client.get('/v1/stats')]);
  assert.equal(books.status, 200, `reconcile: ${books.text}`);
  assert.equal(obj(books).ok, true);
  const s = obj(stats) as {
    settled: number;
    lifecycle: unknown;
    journal: { records: number } | null;
  };
  return {
    reconcile: books.body,
    settled: s.settled,
    lifecycle: s.lifecycle,
    journalRecords: s.journal?.records ?? 0,
  };
}

export interface TestServer {
  readonly url: string;
  readonly service: EngineService;
  readonly http: HttpServer;
  readonly journalPath: string;
  readonly client: Client;
  /** Closes the client and the server (drains, flushes the journal). Idempotent. */
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly http?: Partial<HttpOptions>;
  readonly engine?: Partial<Omit<EngineConfig, 'http'>>;
  /** Reuse a journal (restart); by default a fresh one in a scratch directory. */
  readonly journalPath?: string;
  readonly connections?: number;
}

/** The engine and its HTTP layer in this process, on 127.0.0.1 and an ephemeral port. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const journalPath = options.journalPath ?? join(await scratchDir('ecny-http-'), 'journal.ecj');
  const config: EngineConfig = {
    ...defaultEngineConfig(),
    centralBankKey: cast().cb.publicKey,
    // The fixtures date everything DAY: the engine's clock reads that day.
    today: DAY,
    threads: 1,
    maxQueueDelayMs: TEST_QUEUE_DELAY_MS,
    ...options.engine,
    journalPath,
    http: { ...DEFAULT_HTTP_OPTIONS, port: 0, ...options.http },
  };
  const service = await openEngineService(config);
  const http = await startHttpServer(service, config.http);
  const client = new Client(http.url, options.connections ?? 16);
  let closed: Promise<void> | null = null;
  return {
    url: http.url,
    service,
    http,
    journalPath,
    client,
    close() {
      closed ??= (async () => {
        await client.close();
        await http.close();
      })();
      return closed;
    },
  };
}

/**
 * Splits `from`'s coins into `count` coins of `value` fen each (at most 31 per transaction, the
 * output limit), settles the splits over HTTP and in the mirror `l`; returns the new coin ids.
 */
export async function splitCoins(
  client: Client,
  l: Ledger,
  from: KeyPair,
  count: number,
  value: number,
): Promise<string[]> {
  const coins: string[] = [];
  for (let left = count; left > 0; ) {
    const n = Math.min(31, left);
    left -= n;
    const { inputs, change } = l.pick(from, n * value);
    const outputs = Array.from({ length: n }, () => out(from, value));
    if (change > 0) outputs.push(out(from, change));
    const split = op.transfer(from, inputs, outputs);
    await settleAll(client, [split]);
    l.settle(split);
    for (let i = 0; i < n; i++) coins.push(coinOf(split, i));
  }
  return coins;
}

/** One transfer per coin (all of `from`, each worth `value`) to `to`: signed, not sent. */
export function spendEach(from: KeyPair, coins: readonly string[], to: Who, value: number): Tx[] {
  return coins.map((coin) => op.transfer(from, [coin], [out(to, value)]));
}

/**
 * The admission delay bound of test engines (startServer, startEngine) unless a test sets its
 * own: a minute, so only the count bounds shed work. Suites about recovery, shutdown, fuzzing or
 * crashes push bursts that a loaded shared machine would otherwise partly refuse under the
 * default bound; the admission suites (test/engine/admission, test/serial/load) set it.
 */
export const TEST_QUEUE_DELAY_MS = 60_000;

/**
 * `ecny-bench serve` as a child process (runner/engine-process.ts), retried when it
 * dies before listening. In a shared checkout another `tsc` may be rewriting dist/ at that very
 * moment (seen: a half-written module, "exited with code 0/1 before listening"). A journal that
 * cannot be recovered fails the same way every time, so the retries never hide it.
 */
export async function startEngine(options: EngineProcessOptions): Promise<EngineProcess> {
  // The test cast's central bank, unless the test names a key source itself.
  // And the fixtures' value day, unless it names one.
  const keyed = options.args.some(
    (a) => a.startsWith('--central-bank-key') || a.startsWith('--insecure-dev'),
  );
  const args = [
    ...(keyed ? [] : ['--central-bank-key', cast().cb.publicKey]),
    ...(options.args.includes('--today') ? [] : ['--today', isoDay(DAY)]),
    ...options.args,
  ];
  if (!args.includes('--max-queue-delay-ms'))
    args.push('--max-queue-delay-ms', String(TEST_QUEUE_DELAY_MS));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEngineProcess({ startTimeoutMs: 60_000, ...options, args });
    } catch (error) {
      if (attempt >= 3 || !/before listening/.test(String(error))) throw error;
      console.log(`# engine start failed (${String(error)}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
