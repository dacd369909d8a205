/**
 * The engine as an HTTP/1.1 service on node:http (docs/api.md).
 * Limits on body size, batch size, header time and connections keep a bad client from taking
 * memory or sockets; every refusal has a stable code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeWire, MAX_INPUTS, type Rejection, type Tx, txSuite } from '../domain/index.js';
import type { Outcome } from '../pipeline/index.js';
import type { EngineService, HttpOptions } from '../service/index.js';
import { type Answer, errorAnswer, outcomeAnswer, rejectionAnswer } from './answers.js';
import { BodyShapeRefused, BodyTooLarge, collectBody } from './body.js';
import { isJsonMediaType, parseJsonBody } from './json.js';
import { JsonShapeGuard } from './json-guard.js';
import { prometheusText } from './metrics.js';
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
  server.on('clientError', answerClientError);
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
  const method = req.method;
  if (method === 'POST') {
    if (path === '/v1/tx' || path === '/v1/tx/batch') {
      if (!isJsonMediaType(req.headers['content-type'])) {
        unsupportedMediaType(req, res, options);
        return;
      }
      // Admission before anything is read: a refusal costs no parse, hex decode or hash.
      const refusal = service.engine.screen();
      if (refusal !== null) {
        shed(req, res, refusal, options);
        return;
      }
      if (path === '/v1/tx') postTx(service, options, req, res);
      else postBatch(service, options, req, res);
      return;
    }
  } else if (method === 'GET' || method === 'HEAD') {
    // HEAD is GET without the body (node:http leaves it out), Content-Length included.
    if (get(service, options, req, res, path)) return;
  }
  req.resume();
  const allow = allowedMethods(path);
  if (allow !== null) {
    res.setHeader('allow', allow);
    send(
      res,
      errorAnswer(405, 'METHOD_NOT_ALLOWED', `${path} answers ${allow}, not ${method}`),
      options,
    );
    return;
  }
  send(res, errorAnswer(404, 'NOT_FOUND', `no route for ${method} ${path}`), options);
}

/** The methods a path answers, or null for a path the engine does not have. */
function allowedMethods(path: string): string | null {
  if (path === '/v1/tx' || path === '/v1/tx/batch') return POST_ONLY;
  if (
    path === '/healthz' ||
    path === '/v1/stats' ||
    path === '/v1/reconcile' ||
    path === '/metrics' ||
    (path.startsWith('/v1/coins/') && path.length > 10) ||
    (path.startsWith('/v1/wallets/') && path.length > 12)
  )
    return READ_ONLY;
  return null;
}

/** The GET routes; false if `path` is none of them. */
function get(
  service: EngineService,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): boolean {
  if (path === '/healthz') {
    health(service, options, res);
    return true;
  }
  if (path === '/v1/stats') {
    send(
      res,
      { status: 200, body: service.stats() as unknown as Record<string, unknown> },
      options,
    );
    return true;
  }
  if (path === '/metrics') {
    const text = prometheusText(service.stats());
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  }
  const isState =
    path === '/v1/reconcile' ||
    (path.startsWith('/v1/coins/') && path.length > 10) ||
    (path.startsWith('/v1/wallets/') && path.length > 12);
  if (!isState) return false;
  // Once failed closed, the memory registry may hold commits the journal does not (they were
  // answered UNAVAILABLE and a restart drops them): state views would show them as real.
  // (A database store that is unreachable answers the same.)
  const failure = service.engine.failure;
  if (failure) {
    send(res, errorAnswer(503, 'UNAVAILABLE', service.engine.failureText(failure)), options);
    return true;
  }
  const store = service.engine.store;
  if (path === '/v1/reconcile') {
    sendView(
      res,
      store.reconcile().then((books) => ({ status: books.ok ? 200 : 500, body: { ...books } })),
      options,
    );
  } else if (path.startsWith('/v1/coins/')) {
    sendView(res, coinView(store, path.slice(10)), options);
  } else {
    const regulator =
      options.regulatorToken !== null &&
      req.headers.authorization === `Bearer ${options.regulatorToken}`;
    sendView(res, walletView(store, path.slice(12), regulator), options);
  }
  return true;
}

/** 415 before the body is read; the connection closes (the body is not worth reading). */
function unsupportedMediaType(
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpOptions,
): void {
  req.resume();
  res.setHeader('connection', 'close');
  send(
    res,
    errorAnswer(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `POST bodies are JSON: send Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`,
    ),
    options,
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
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
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
function shed(req: IncomingMessage, res: ServerResponse, refusal: Outcome, options: HttpOptions) {
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
    String(options.retryAfterS),
  ]);
  res.end(body);
}

function health(service: EngineService, options: HttpOptions, res: ServerResponse): void {
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
  send(res, answer, options);
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
function txRules(service: EngineService, options: HttpOptions): BodyRules {
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
  req: IncomingMessage,
  res: ServerResponse,
  rules: BodyRules,
  options: HttpOptions,
  then: (raw: Buffer) => void,
): void {
  collectBody(req, rules.limit, rules.guard, (error, raw) => {
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
    if (error instanceof BodyShapeRefused) {
      // Answered now; the rest of the body is read and dropped as it arrives (never buffered).
      // The connection stays open until then: closing it with unread data would reset it, and
      // the client could lose this answer.
      send(res, rules.refused(error), options);
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
  withBody(req, res, txRules(service, options), options, (raw) => {
    const parsed = parse(raw);
    if ('code' in parsed) {
      service.engine.countRejection(parsed);
      send(res, rejectionAnswer(parsed), options);
      return;
    }
    const tx = decodeOne(service, parsed.value);
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
  withBody(req, res, batchRules(options), options, (raw) => {
    const parsed = parse(raw);
    if ('code' in parsed) {
      send(res, rejectionAnswer(parsed), options);
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
  // Content-Length on every answer: without it node:http falls back to chunked encoding, and an
  // HTTP/1.0 keep-alive client (ab -k) gets its connection closed after each answer.
  res.writeHead(200, SETTLED_HEADERS);
  res.end(`{"status":"settled","txid":"${outcome.txid}"}`);
}

/** Sends a view once read; a store that cannot answer (database down) is 503 UNAVAILABLE. */
function sendView(res: ServerResponse, answer: Promise<Answer>, options: HttpOptions): void {
  answer.then(
    (a) => send(res, a, options),
    (error: unknown) =>
      send(
        res,
        errorAnswer(
          503,
          'UNAVAILABLE',
          `the store cannot answer: ${error instanceof Error ? error.message : String(error)}`,
        ),
        options,
      ),
  );
}

function send(res: ServerResponse, answer: Answer, options: HttpOptions): void {
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
