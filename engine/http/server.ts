/**
 * The engine as an HTTP/1.1 service on node:http (docs/api.md).
 * Limits on body size, batch size, header time and connections keep a bad client from taking
 * memory or sockets; every refusal has a stable code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWire, type Rejection, type Tx } from '../domain/index.js';
import type { EngineService } from '../service/index.js';
import { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
import { BodyTooLarge, readBody } from './body.js';
import { prometheusText } from './metrics.js';
import { coinView, walletView } from './views.js';

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  /** Largest accepted body for POST /v1/tx, bytes. */
  readonly maxBodyBytes: number;
  /** Most transactions in one POST /v1/tx/batch. */
  readonly maxBatchTxs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** Bearer token that reveals identity references (controllable anonymity); null: never. */
  readonly regulatorToken: string | null;
  /** Seconds suggested in Retry-After when overloaded. */
  readonly retryAfterS: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 64 * 1024,
  maxBatchTxs: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
  regulatorToken: null,
  retryAfterS: 1,
};

const JSON_TYPE = { 'content-type': 'application/json' };

export interface HttpServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, drains in-flight requests, then closes the engine (journal flushed). */
  close(): Promise<void>;
}

export async function startHttpServer(
  service: EngineService,
  options: HttpOptions,
): Promise<HttpServer> {
  const server = createServer(
    {
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // node:http enforces headersTimeout/requestTimeout only when it sweeps its connections,
      // every connectionsCheckingInterval (30 s by default): without this a 1 s header timeout
      // lets a slow client hold its socket for up to 30 s.
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(options.headersTimeoutMs / 4)),
      ),
    },
    (req, res) => {
      route(service, options, req, res).catch((error: unknown) => {
        send(
          res,
          errorAnswer(500, 'INTERNAL', error instanceof Error ? error.message : String(error)),
          options,
        );
      });
    },
  );
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | null = null;
  return {
    server,
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await service.close();
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}

async function route(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === 'POST') {
    if (path === '/v1/tx') return postTx(service, options, req, res);
    if (path === '/v1/tx/batch') return postBatch(service, options, req, res);
  } else if (req.method === 'GET') {
    if (path === '/healthz') return health(service, options, res);
    if (path === '/v1/stats')
      return send(
        res,
        { status: 200, body: service.stats() as unknown as Record<string, unknown> },
        options,
      );
    // Once failed closed, the registry may hold commits the journal does not (they were
    // answered UNAVAILABLE and a restart drops them): state views would show them as real.
    const failure = service.engine.failure;
    if (
      failure &&
      (path === '/v1/reconcile' || path.startsWith('/v1/coins/') || path.startsWith('/v1/wallets/'))
    ) {
      return send(
        res,
        errorAnswer(503, 'UNAVAILABLE', `failed closed: ${failure.message}`),
        options,
      );
    }
    if (path === '/v1/reconcile') {
      const books = service.engine.registry.reconcile();
      return send(
        res,
        { status: books.ok ? 200 : 500, body: books as unknown as Record<string, unknown> },
        options,
      );
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(prometheusText(service.stats()));
      return;
    }
    if (path.startsWith('/v1/coins/'))
      return send(res, coinView(service.engine.registry, path.slice(10)), options);
    if (path.startsWith('/v1/wallets/')) {
      const regulator =
        options.regulatorToken !== null &&
        req.headers.authorization === `Bearer ${options.regulatorToken}`;
      return send(res, walletView(service.engine.registry, path.slice(12), regulator), options);
    }
  }
  req.resume();
  send(res, errorAnswer(404, 'NOT_FOUND', `no route for ${req.method} ${path}`), options);
}

function health(service: EngineService, options: HttpOptions, res: ServerResponse): void {
  const failure = service.engine.failure;
  const answer = failure
    ? errorAnswer(503, 'UNAVAILABLE', `failed closed: ${failure.message}`)
    : service.engine.closing
      ? errorAnswer(503, 'UNAVAILABLE', 'shutting down')
      : { status: 200, body: { status: 'ready', recovered: service.recovery } };
  send(res, answer, options);
}

const NOT_JSON: Rejection = { code: 'MALFORMED', message: 'the body is not valid JSON' };

/** JSON.parse that answers with a value: `undefined` means the body was not JSON. */
function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function readOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  options: HttpOptions,
): Promise<Buffer | null> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      send(res, errorAnswer(413, 'BODY_TOO_LARGE', error.message), options);
      return null;
    }
    throw error;
  }
}

async function submitOne(service: EngineService, raw: unknown): Promise<Answer> {
  const tx = decodeWire(raw);
  if (!isTx(tx)) {
    service.engine.countRejection(tx);
    return rejectionAnswer(tx);
  }
  return outcomeAnswer(await service.engine.submit(tx));
}

function isTx(v: Tx | Rejection): v is Tx {
  return 'txid' in v;
}

async function postTx(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readOrRefuse(req, res, options.maxBodyBytes, options);
  if (!raw) return;
  const json = parse(raw);
  if (json === undefined) {
    service.engine.countRejection(NOT_JSON);
    return send(res, rejectionAnswer(NOT_JSON), options);
  }
  send(res, await submitOne(service, json), options);
}

async function postBatch(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readOrRefuse(req, res, options.maxBodyBytes * options.maxBatchTxs, options);
  if (!raw) return;
  const json = parse(raw);
  if (json === undefined) return send(res, rejectionAnswer(NOT_JSON), options);
  const txs = (json as { txs?: unknown } | null)?.txs;
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    !Array.isArray(txs) ||
    Object.keys(json).length !== 1
  ) {
    return send(
      res,
      rejectionAnswer({ code: 'MALFORMED', message: 'a batch is {"txs": [...]}' }),
      options,
    );
  }
  if (txs.length > options.maxBatchTxs) {
    return send(
      res,
      errorAnswer(413, 'BATCH_TOO_LARGE', `at most ${options.maxBatchTxs} transactions per batch`),
      options,
    );
  }
  const answers = await Promise.all(txs.map((t) => submitOne(service, t)));
  send(res, { status: 200, body: { results: answers.map((a) => a.body) } }, options);
}

function send(res: ServerResponse, answer: Answer, options: HttpOptions): void {
  const text = JSON.stringify(answer.body);
  if (answer.status === 503) {
    res.writeHead(503, { ...JSON_TYPE, 'retry-after': String(options.retryAfterS) });
  } else {
    res.writeHead(answer.status, JSON_TYPE);
  }
  res.end(text);
}
