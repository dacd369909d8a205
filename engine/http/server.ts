/**
 * The engine as an HTTP/1.1 service on node:http (docs/api.md).
 * Limits on body size, batch size, header time and connections keep a bad client from taking
 * memory or sockets; every refusal has a stable code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeWire, MAX_INPUTS, type Rejection, type Tx, txSuite } from '../domain/index.js';
import type { EngineMetrics, RouteLabel } from '../metrics/index.js';
import type { Outcome, SettlementTiming } from '../pipeline/index.js';
import type { EngineService, HttpOptions } from '../service/index.js';
import { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
import { BodyShapeRefused, BodyTooLarge, collectBody } from './body.js';
import { isJsonMediaType, parseJsonBody } from './json.js';
import { JsonShapeGuard } from './json-guard.js';
import {
  countShed,
  countTxAnswer,
  countTxRefused,
  metricsAnswer,
  publishRequest,
} from './metrics.js';
import { coinView, walletView } from './views.js';

/** Flat [name, value] list: writeHead copies it without walking an object's keys. */
const JSON_HEADERS: string[] = ['content-type', 'application/json'];
/** Bytes of a settlement's answer: `{"status":"settled","txid":"<64 hex>"}`. */
const SETTLED_HEADERS: string[] = [
  ...JSON_HEADERS,
  'content-length',
  String('{"status":"settled","txid":""}'.length + 64),
];

/** The methods each route answers; anything else there is 405 with this list as `Allow`. */
const POST_ONLY = 'POST';
const READ_ONLY = 'GET, HEAD';

/** What every handler needs: the engine, the HTTP limits, the metrics it counts into. */
interface Ingress {
  readonly service: EngineService;
  readonly options: HttpOptions;
  readonly metrics: EngineMetrics;
}

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
  const ing: Ingress = { service, options, metrics: service.metrics };
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
        route(ing, req, res);
      } catch (error) {
        internalError(ing, res, error, routeOf(pathOf(req.url ?? '/')), 0);
      }
    },
  );
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) =>
    answerClientError(ing, error, socket),
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

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The route a path belongs to, as a metrics label (a bounded set, whatever clients send). */
function routeOf(path: string): RouteLabel {
  switch (path) {
    case '/v1/tx':
    case '/v1/tx/batch':
    case '/v1/stats':
    case '/v1/reconcile':
    case '/metrics':
    case '/healthz':
      return path;
  }
  if (path.startsWith('/v1/coins/') && path.length > 10) return '/v1/coins/:id';
  if (path.startsWith('/v1/wallets/') && path.length > 12) return '/v1/wallets/:id';
  return 'unknown';
}

function route(ing: Ingress, req: IncomingMessage, res: ServerResponse): void {
  const arrivedAt = performance.now();
  const path = pathOf(req.url ?? '/');
  const method = req.method;
  if (method === 'POST') {
    if (path === '/v1/tx' || path === '/v1/tx/batch') {
      if (!isJsonMediaType(req.headers['content-type'])) {
        unsupportedMediaType(ing, req, res, path, arrivedAt);
        return;
      }
      // Admission before anything is read: a refusal costs no parse, hex decode or hash.
      const refusal = ing.service.engine.screen();
      if (refusal !== null) {
        shed(ing, req, res, refusal, path, arrivedAt);
        return;
      }
      if (path === '/v1/tx') postTx(ing, req, res, arrivedAt);
      else postBatch(ing, req, res, arrivedAt);
      return;
    }
  } else if (method === 'GET' || method === 'HEAD') {
    // HEAD is GET without the body (node:http leaves it out), Content-Length included.
    if (get(ing, req, res, path, arrivedAt)) return;
  }
  req.resume();
  const known = routeOf(path);
  const allow = allowedMethods(known);
  if (allow !== null) {
    res.setHeader('allow', allow);
    send(
      ing,
      res,
      errorAnswer(405, 'METHOD_NOT_ALLOWED', `${path} answers ${allow}, not ${method}`),
      known,
      arrivedAt,
    );
    return;
  }
  send(
    ing,
    res,
    errorAnswer(404, 'NOT_FOUND', `no route for ${method} ${path}`),
    'unknown',
    arrivedAt,
  );
}

/** The methods a route answers, or null for a path the engine does not have. */
function allowedMethods(route: RouteLabel): string | null {
  if (route === '/v1/tx' || route === '/v1/tx/batch') return POST_ONLY;
  if (route === 'unknown' || route === 'none') return null;
  return READ_ONLY;
}

/** The GET routes; false if `path` is none of them. */
function get(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  arrivedAt: number,
): boolean {
  const route = routeOf(path);
  if (route === '/v1/tx' || route === '/v1/tx/batch' || route === 'unknown') return false;
  answerRead(ing, req, res, path, route, arrivedAt);
  return true;
}

function answerRead(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: RouteLabel,
  arrivedAt: number,
): void {
  const { service, options } = ing;
  if (route === '/healthz') {
    health(ing, res, arrivedAt);
    readDone(ing, route, arrivedAt);
    return;
  }
  if (route === '/v1/stats') {
    send(
      ing,
      res,
      { status: 200, body: service.stats() as unknown as Record<string, unknown> },
      route,
      arrivedAt,
    );
    readDone(ing, route, arrivedAt);
    return;
  }
  if (route === '/metrics') {
    // From the metrics registry alone: no percentile, no snapshot of the engine's stats.
    metricsAnswer(ing.metrics, res);
    done(ing, route, 200, arrivedAt, 0);
    readDone(ing, route, arrivedAt);
    return;
  }
  // Once failed closed, the memory registry may hold commits the journal does not (they were
  // answered UNAVAILABLE and a restart drops them): state views would show them as real.
  // (A database store that is unreachable answers the same.)
  const failure = service.engine.failure;
  if (failure) {
    send(
      ing,
      res,
      errorAnswer(503, 'UNAVAILABLE', service.engine.failureText(failure)),
      route,
      arrivedAt,
    );
    readDone(ing, route, arrivedAt);
    return;
  }
  const store = service.engine.store;
  if (route === '/v1/reconcile') {
    sendView(
      ing,
      res,
      store.reconcile().then((books) => ({ status: books.ok ? 200 : 500, body: { ...books } })),
      route,
      arrivedAt,
    );
  } else if (route === '/v1/coins/:id') {
    sendView(ing, res, coinView(store, path.slice(10)), route, arrivedAt);
  } else {
    const regulator =
      options.regulatorToken !== null &&
      req.headers.authorization === `Bearer ${options.regulatorToken}`;
    sendView(ing, res, walletView(store, path.slice(12), regulator), route, arrivedAt);
  }
}

/** A read answered: its time from arrival to written (synchronous routes: main-thread time). */
function readDone(ing: Ingress, route: RouteLabel, arrivedAt: number): void {
  ing.metrics.read(route, performance.now() - arrivedAt);
}

/** Sends a view once read; a store that cannot answer (database down) is 503 UNAVAILABLE. */
function sendView(
  ing: Ingress,
  res: ServerResponse,
  answer: Promise<Answer>,
  route: RouteLabel,
  arrivedAt: number,
): void {
  answer
    .then(
      (a) => a,
      (error: unknown) =>
        errorAnswer(
          503,
          'UNAVAILABLE',
          `the store cannot answer: ${error instanceof Error ? error.message : String(error)}`,
        ),
    )
    .then((a) => {
      send(ing, res, a, route, arrivedAt);
      readDone(ing, route, arrivedAt);
    });
}

/** 415 before the body is read; the connection closes (the body is not worth reading). */
function unsupportedMediaType(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  route: '/v1/tx' | '/v1/tx/batch',
  arrivedAt: number,
): void {
  req.resume();
  res.setHeader('connection', 'close');
  refuseTxRequest(
    ing,
    res,
    errorAnswer(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `POST bodies are JSON: send Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`,
    ),
    route,
    arrivedAt,
  );
}

/** Statuses and codes for what node:http refuses before a request reaches `route`. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'HEADERS_TOO_LARGE',
    'the request line and headers exceed the limit (16 KiB, node:http maxHeaderSize)',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request took too long to arrive'],
};

/**
 * node:http's own refusals (header overflow, timeouts, unparseable requests) as JSON answers
 * with a code, as every other answer, instead of node's bare status lines. The socket closes.
 */
function answerClientError(ing: Ingress, error: Error & { code?: string }, socket: Socket): void {
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'BAD_REQUEST',
    `the request is not valid HTTP/1.1 (${error.code ?? error.message})`,
  ];
  const body = JSON.stringify({ status: 'error', code, message });
  ing.metrics.request('none', status);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Early refusals by reason: the answer bytes are built once, not per refused request. */
const SHED_BODIES = new Map<string, string>();

/**
 * Answers a request the engine will not admit, as cheaply as an answer can be: body text from a
 * cache, headers from a flat list. The unread body is dropped as it arrives.
 */
function shed(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Outcome,
  route: '/v1/tx' | '/v1/tx/batch',
  arrivedAt: number,
) {
  req.resume();
  const reason = 'reason' in refusal ? refusal.reason : refusal.status;
  const code = refusal.status === 'unavailable' ? 'UNAVAILABLE' : 'OVERLOADED';
  const key = `${code} ${reason}`;
  let body = SHED_BODIES.get(key);
  if (body === undefined) {
    body = JSON.stringify(errorAnswer(503, code, reason).body);
    SHED_BODIES.set(key, body);
  }
  res.writeHead(503, [
    ...JSON_HEADERS,
    'content-length',
    String(Buffer.byteLength(body)),
    'retry-after',
    String(ing.options.retryAfterS),
  ]);
  res.end(body);
  countShed(ing.metrics, route, code, reason);
  done(ing, route, 503, arrivedAt, 0);
}

function health(ing: Ingress, res: ServerResponse, arrivedAt: number): void {
  const service = ing.service;
  const failure = service.engine.failure;
  const answer = failure
    ? errorAnswer(503, 'UNAVAILABLE', service.engine.failureText(failure))
    : service.engine.closing
      ? errorAnswer(503, 'UNAVAILABLE', 'shutting down')
      : {
          status: 200,
          body: {
            status: 'ready',
            // What a client must sign against: the engine's value day and central bank key.
            day: service.today(),
            centralBankKey: service.config.centralBankKey,
            recovered: service.recovery,
          },
        };
  send(ing, res, answer, '/healthz', arrivedAt);
}

const NOT_JSON: Rejection = { code: 'MALFORMED', message: 'the body is not valid JSON' };
const DUPLICATE_KEY: Rejection = {
  code: 'MALFORMED',
  message: 'the body repeats a key within one object: every key may appear once',
};

/** The parsed body, or the rejection for a body that is not JSON or repeats a key. */
function parse(raw: Buffer): { value: unknown } | Rejection {
  const parsed = parseJsonBody(raw);
  if (parsed === 'not-json') return NOT_JSON;
  if (parsed === 'duplicate-key') return DUPLICATE_KEY;
  return parsed;
}

/** How a body is read: its size limit, its JSON shape limits, and the answer to a bad shape. */
interface BodyRules {
  readonly limit: number;
  readonly guard: JsonShapeGuard;
  readonly refused: (error: BodyShapeRefused) => Answer;
}

/** A transaction is `{..."outputs":[{...}]}`: three levels, no array past MAX_INPUTS items. */
function txRules(ing: Ingress): BodyRules {
  const { service, options } = ing;
  return {
    limit: options.maxBodyBytes,
    guard: new JsonShapeGuard({ maxDepth: 3, maxArrayLength: MAX_INPUTS }),
    refused(error) {
      const rejection: Rejection = { code: 'MALFORMED', message: error.message };
      service.engine.countRejection(rejection);
      return rejectionAnswer(rejection);
    },
  };
}

/** A batch is `{"txs":[{..."outputs":[{...}]}]}`: five levels; a long txs array is too large. */
function batchRules(options: HttpOptions): BodyRules {
  return {
    limit: options.maxBatchBodyBytes,
    guard: new JsonShapeGuard({
      maxDepth: 5,
      maxArrayLength: Math.max(options.maxBatchTxs, MAX_INPUTS),
    }),
    refused({ violation, message }) {
      return violation.kind === 'array' && violation.depth === 2
        ? errorAnswer(
            413,
            'BATCH_TOO_LARGE',
            `at most ${options.maxBatchTxs} transactions per batch`,
          )
        : rejectionAnswer({ code: 'MALFORMED', message });
    },
  };
}

/**
 * Reads the body, answering 413 (and closing the connection) past the size limit and refusing it
 * as soon as its JSON shape breaks the rules, before the rest is read or anything is parsed;
 * `then` gets the bytes. Callbacks, not promises: this is the per-request path. A throw in
 * `then` answers 500.
 */
function withBody(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  rules: BodyRules,
  route: '/v1/tx' | '/v1/tx/batch',
  arrivedAt: number,
  then: (raw: Buffer) => void,
): void {
  collectBody(req, rules.limit, rules.guard, (error, raw) => {
    if (error === null) {
      try {
        then(raw!);
      } catch (thrown) {
        internalError(ing, res, thrown, route, arrivedAt);
      }
      return;
    }
    if (error instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      refuseTxRequest(
        ing,
        res,
        errorAnswer(413, 'BODY_TOO_LARGE', error.message),
        route,
        arrivedAt,
      );
      return;
    }
    if (error instanceof BodyShapeRefused) {
      // Answered now; the rest of the body is read and dropped as it arrives (never buffered).
      // The connection stays open until then: closing it with unread data would reset it, and
      // the client could lose this answer.
      const answer = rules.refused(error);
      if (route === '/v1/tx') sendTxAnswer(ing, res, answer, arrivedAt);
      else refuseTxRequest(ing, res, answer, route, arrivedAt);
      return;
    }
    internalError(ing, res, error, route, arrivedAt);
  });
}

function internalError(
  ing: Ingress,
  res: ServerResponse,
  error: unknown,
  route: RouteLabel,
  arrivedAt: number,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(
    ing,
    res,
    errorAnswer(500, 'INTERNAL', error instanceof Error ? error.message : String(error)),
    route,
    arrivedAt,
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

/** One transaction of a batch: its answer, and its timing when it reached the pipeline. */
function submitOne(
  service: EngineService,
  raw: unknown,
  arrivedAt: number,
): Promise<{ answer: Answer; outcome: Outcome['status']; timing: SettlementTiming | null }> {
  const tx = decodeOne(service, raw);
  if (!isTx(tx)) return Promise.resolve({ answer: tx, outcome: 'rejected', timing: null });
  const timing: SettlementTiming = { arrivedAt, answeredAt: Number.NaN };
  return service.engine
    .submit(tx, timing)
    .then((outcome) => ({ answer: outcomeAnswer(outcome), outcome: outcome.status, timing }));
}

function postTx(ing: Ingress, req: IncomingMessage, res: ServerResponse, arrivedAt: number): void {
  const service = ing.service;
  withBody(ing, req, res, txRules(ing), '/v1/tx', arrivedAt, (raw) => {
    const parsed = parse(raw);
    if ('code' in parsed) {
      service.engine.countRejection(parsed);
      sendTxAnswer(ing, res, rejectionAnswer(parsed), arrivedAt);
      return;
    }
    const tx = decodeOne(service, parsed.value);
    if (!isTx(tx)) {
      sendTxAnswer(ing, res, tx, arrivedAt);
      return;
    }
    const timing: SettlementTiming = { arrivedAt, answeredAt: Number.NaN };
    service.engine.submit(tx, timing).then(
      (outcome) => sendOutcome(ing, res, outcome, timing),
      (error: unknown) => internalError(ing, res, error, '/v1/tx', arrivedAt),
    );
  });
}

function postBatch(
  ing: Ingress,
  req: IncomingMessage,
  res: ServerResponse,
  arrivedAt: number,
): void {
  const { service, options } = ing;
  const route = '/v1/tx/batch';
  withBody(ing, req, res, batchRules(options), route, arrivedAt, (raw) => {
    const parsed = parse(raw);
    if ('code' in parsed) {
      refuseTxRequest(ing, res, rejectionAnswer(parsed), route, arrivedAt);
      return;
    }
    const json = parsed.value;
    const txs = (json as { txs?: unknown } | null)?.txs;
    if (
      typeof json !== 'object' ||
      json === null ||
      Array.isArray(json) ||
      !Array.isArray(txs) ||
      Object.keys(json).length !== 1
    ) {
      refuseTxRequest(
        ing,
        res,
        rejectionAnswer({ code: 'MALFORMED', message: 'a batch is {"txs": [...]}' }),
        route,
        arrivedAt,
      );
      return;
    }
    if (txs.length > options.maxBatchTxs) {
      refuseTxRequest(
        ing,
        res,
        errorAnswer(
          413,
          'BATCH_TOO_LARGE',
          `at most ${options.maxBatchTxs} transactions per batch`,
        ),
        route,
        arrivedAt,
      );
      return;
    }
    Promise.all(txs.map((t) => submitOne(service, t, arrivedAt))).then(
      (results) => {
        writeAnswer(
          res,
          { status: 200, body: { results: results.map((r) => r.answer.body) } },
          options,
        );
        const now = performance.now();
        for (const r of results) {
          countTxAnswer(ing.metrics, r.answer, r.outcome, r.timing, arrivedAt, now);
        }
        done(ing, route, 200, arrivedAt, results.length, now);
      },
      (error: unknown) => internalError(ing, res, error, route, arrivedAt),
    );
  });
}

/** The answer to one submitted transaction; a settlement, by far the most common, from a template. */
function sendOutcome(
  ing: Ingress,
  res: ServerResponse,
  outcome: Outcome,
  timing: SettlementTiming,
): void {
  let answer: Answer | null = null;
  if (outcome.status === 'settled') {
    // Same bytes as JSON.stringify({status: 'settled', txid}); a txid is 64 hex digits, no
    // escaping. Content-Length on every answer: without it node:http falls back to chunked
    // encoding, and an HTTP/1.0 keep-alive client (ab -k) gets its connection closed after each.
    res.writeHead(200, SETTLED_HEADERS);
    res.end(`{"status":"settled","txid":"${outcome.txid}"}`);
  } else {
    answer = outcomeAnswer(outcome);
    writeAnswer(res, answer, ing.options);
  }
  const now = performance.now();
  countTxAnswer(ing.metrics, answer, outcome.status, timing, timing.arrivedAt, now);
  done(ing, '/v1/tx', answer?.status ?? 200, timing.arrivedAt, 1, now);
}

/** A transaction answered on /v1/tx without reaching the pipeline (not JSON, malformed). */
function sendTxAnswer(ing: Ingress, res: ServerResponse, answer: Answer, arrivedAt: number): void {
  writeAnswer(res, answer, ing.options);
  const now = performance.now();
  countTxAnswer(ing.metrics, answer, 'rejected', null, arrivedAt, now);
  done(ing, '/v1/tx', answer.status, arrivedAt, 1, now);
}

/** A transaction request refused whole (media type, size, a batch that is not one). */
function refuseTxRequest(
  ing: Ingress,
  res: ServerResponse,
  answer: Answer,
  route: '/v1/tx' | '/v1/tx/batch',
  arrivedAt: number,
): void {
  writeAnswer(res, answer, ing.options);
  countTxRefused(ing.metrics, answer);
  done(ing, route, answer.status, arrivedAt, 0);
}

/** Writes an answer and counts the request. */
function send(
  ing: Ingress,
  res: ServerResponse,
  answer: Answer,
  route: RouteLabel,
  arrivedAt: number,
): void {
  writeAnswer(res, answer, ing.options);
  done(ing, route, answer.status, arrivedAt, 0);
}

/** Counts one answered request, and tells the request channel's subscribers. */
function done(
  ing: Ingress,
  route: RouteLabel,
  status: number,
  arrivedAt: number,
  transactions: number,
  now?: number,
): void {
  ing.metrics.request(route, status);
  publishRequest(route, status, transactions, arrivedAt, now);
}

function writeAnswer(res: ServerResponse, answer: Answer, options: HttpOptions): void {
  const text = JSON.stringify(answer.body);
  const length = String(Buffer.byteLength(text));
  if (answer.status === 503) {
    res.writeHead(503, [
      ...JSON_HEADERS,
      'content-length',
      length,
      'retry-after',
      String(options.retryAfterS),
    ]);
  } else {
    res.writeHead(answer.status, [...JSON_HEADERS, 'content-length', length]);
  }
  res.end(text);
}
