/**
 * The engine as an HTTP/1.1 service on node:http (docs/api.md).
 * Limits on body size, batch size, header time and connections keep a bad client from taking
 * memory or sockets; every refusal has a stable code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWire, type Rejection, type Tx, txSuite } from '../domain/index.js';
import type { Outcome } from '../pipeline/index.js';
import type { EngineService, HttpOptions } from '../service/index.js';
import { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
import { BodyTooLarge, collectBody } from './body.js';
import { prometheusText } from './metrics.js';
import { coinView, walletView } from './views.js';

/** Flat [name, value] list: writeHead copies it without walking an object's keys. */
const JSON_HEADERS: string[] = ['content-type', 'application/json'];

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
      try {
        route(service, options, req, res);
      } catch (error) {
        internalError(res, error, options);
      }
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

function route(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === 'POST') {
    if (path === '/v1/tx') {
      postTx(service, options, req, res);
      return;
    }
    if (path === '/v1/tx/batch') {
      postBatch(service, options, req, res);
      return;
    }
  } else if (req.method === 'GET') {
    if (path === '/healthz') {
      health(service, options, res);
      return;
    }
    if (path === '/v1/stats') {
      send(
        res,
        { status: 200, body: service.stats() as unknown as Record<string, unknown> },
        options,
      );
      return;
    }
    // Once failed closed, the registry may hold commits the journal does not (they were
    // answered UNAVAILABLE and a restart drops them): state views would show them as real.
    const failure = service.engine.failure;
    if (
      failure &&
      (path === '/v1/reconcile' || path.startsWith('/v1/coins/') || path.startsWith('/v1/wallets/'))
    ) {
      send(res, errorAnswer(503, 'UNAVAILABLE', `failed closed: ${failure.message}`), options);
      return;
    }
    if (path === '/v1/reconcile') {
      const books = service.engine.registry.reconcile();
      send(
        res,
        { status: books.ok ? 200 : 500, body: books as unknown as Record<string, unknown> },
        options,
      );
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(prometheusText(service.stats()));
      return;
    }
    if (path.startsWith('/v1/coins/')) {
      send(res, coinView(service.engine.registry, path.slice(10)), options);
      return;
    }
    if (path.startsWith('/v1/wallets/')) {
      const regulator =
        options.regulatorToken !== null &&
        req.headers.authorization === `Bearer ${options.regulatorToken}`;
      send(res, walletView(service.engine.registry, path.slice(12), regulator), options);
      return;
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

/**
 * Reads the body, answering 413 (and closing the connection) past `limit`; `then` gets the bytes.
 * Callbacks, not promises: this is the per-request path. A throw in `then` answers 500.
 */
function withBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  options: HttpOptions,
  then: (raw: Buffer) => void,
): void {
  collectBody(req, limit, (error, raw) => {
    if (error === null) {
      try {
        then(raw!);
      } catch (thrown) {
        internalError(res, thrown, options);
      }
      return;
    }
    if (error instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      send(res, errorAnswer(413, 'BODY_TOO_LARGE', error.message), options);
      return;
    }
    internalError(res, error, options);
  });
}

function internalError(res: ServerResponse, error: unknown, options: HttpOptions): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(
    res,
    errorAnswer(500, 'INTERNAL', error instanceof Error ? error.message : String(error)),
    options,
  );
}

/** Decodes one parsed transaction; a structural rejection is counted and answered here. */
function decodeOne(service: EngineService, raw: unknown): Tx | Answer {
  const tx = decodeWire(raw, txSuite(service.config.suite));
  if (isTx(tx)) return tx;
  service.engine.countRejection(tx);
  return rejectionAnswer(tx);
}

function isTx(v: Tx | Rejection | Answer): v is Tx {
  return 'txid' in v;
}

function submitOne(service: EngineService, raw: unknown): Promise<Answer> {
  const tx = decodeOne(service, raw);
  if (!isTx(tx)) return Promise.resolve(tx);
  return service.engine.submit(tx).then(outcomeAnswer);
}

function postTx(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  withBody(req, res, options.maxBodyBytes, options, (raw) => {
    const json = parse(raw);
    if (json === undefined) {
      service.engine.countRejection(NOT_JSON);
      send(res, rejectionAnswer(NOT_JSON), options);
      return;
    }
    const tx = decodeOne(service, json);
    if (!isTx(tx)) {
      send(res, tx, options);
      return;
    }
    service.engine.submit(tx).then(
      (outcome) => sendOutcome(res, outcome, options),
      (error: unknown) => internalError(res, error, options),
    );
  });
}

function postBatch(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  withBody(req, res, options.maxBodyBytes * options.maxBatchTxs, options, (raw) => {
    const json = parse(raw);
    if (json === undefined) {
      send(res, rejectionAnswer(NOT_JSON), options);
      return;
    }
    const txs = (json as { txs?: unknown } | null)?.txs;
    if (
      typeof json !== 'object' ||
      json === null ||
      Array.isArray(json) ||
      !Array.isArray(txs) ||
      Object.keys(json).length !== 1
    ) {
      send(
        res,
        rejectionAnswer({ code: 'MALFORMED', message: 'a batch is {"txs": [...]}' }),
        options,
      );
      return;
    }
    if (txs.length > options.maxBatchTxs) {
      send(
        res,
        errorAnswer(
          413,
          'BATCH_TOO_LARGE',
          `at most ${options.maxBatchTxs} transactions per batch`,
        ),
        options,
      );
      return;
    }
    Promise.all(txs.map((t) => submitOne(service, t))).then(
      (answers) =>
        send(res, { status: 200, body: { results: answers.map((a) => a.body) } }, options),
      (error: unknown) => internalError(res, error, options),
    );
  });
}

/** The answer to one submitted transaction; a settlement, by far the most common, from a template. */
function sendOutcome(res: ServerResponse, outcome: Outcome, options: HttpOptions): void {
  if (outcome.status !== 'settled') {
    send(res, outcomeAnswer(outcome), options);
    return;
  }
  // Same bytes as JSON.stringify({status: 'settled', txid}); a txid is 64 hex digits, no escaping.
  res.writeHead(200, JSON_HEADERS);
  res.end(`{"status":"settled","txid":"${outcome.txid}"}`);
}

function send(res: ServerResponse, answer: Answer, options: HttpOptions): void {
  const text = JSON.stringify(answer.body);
  if (answer.status === 503) {
    res.writeHead(503, [...JSON_HEADERS, 'retry-after', String(options.retryAfterS)]);
  } else {
    res.writeHead(answer.status, JSON_HEADERS);
  }
  res.end(text);
}
