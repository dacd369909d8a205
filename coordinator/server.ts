/**
 * The coordinator's HTTP endpoint: each request's signature is checked from its headers before
 * any body is read, JSON bodies are bounded and checked against their signed digest, and each
 * route is one call on the barrier or the collection. Every answer is signed. Refused requests
 * close their connection, so an unread body is never parsed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunKey, sha256Hex, signAnswer, verifyRequest } from './auth.js';
import type { Barrier, Refusal } from './barrier.js';
import type { Collection } from './collection.js';
import {
  checkDone,
  checkFailed,
  checkJoin,
  checkReady,
  HEADERS,
  LIMITS,
  PROTOCOL,
  type Route,
  type RunInfo,
  routeOf,
} from './protocol.js';

export interface EndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly key: RunKey;
  readonly run: string;
  readonly info: RunInfo;
  readonly barrier: Barrier;
  readonly collection: Collection;
}

const HEX_ID = /^[0-9a-f]{32}$/;
const HEX_SHA = /^[0-9a-f]{64}$/;

class Refused extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** Starts the endpoint; resolves once it listens. */
export async function startEndpoint(
  options: EndpointOptions,
): Promise<{ server: Server; url: string }> {
  const server = createServer(
    { maxHeaderSize: 8 * 1024, requestTimeout: LIMITS.requestTimeoutMs },
    (req, res) => {
      handle(options, req, res).catch((error: unknown) => {
        if (!res.headersSent)
          answerPlain(res, 500, { error: 'INTERNAL', message: (error as Error).message });
        else res.destroy();
      });
    },
  );
  server.headersTimeout = LIMITS.headersTimeoutMs;
  server.keepAliveTimeout = 65_000;
  // Two keep-alive sockets per shard, an upload each, and room for probes.
  server.maxConnections = options.info.shards * 4 + 16;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}

async function handle(
  o: EndpointOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? '';
  const path = req.url ?? '';
  const route = routeOf(method, path);
  if (route === null) {
    answerPlain(res, 404, { error: 'NOT_FOUND', message: `no ${method} ${path.slice(0, 100)}` });
    return;
  }
  if (route.kind === 'health') {
    answerPlain(res, 200, { ok: true, protocol: PROTOCOL });
    return;
  }
  const request = header(req, HEADERS.request);
  const contentSha256 = header(req, HEADERS.contentSha256);
  const run = header(req, HEADERS.run) ?? '';
  const session = header(req, HEADERS.session) ?? '';
  if (
    request === undefined ||
    !HEX_ID.test(request) ||
    contentSha256 === undefined ||
    !HEX_SHA.test(contentSha256) ||
    !verifyRequest(
      o.key,
      { method, path, run, session, request, contentSha256 },
      header(req, HEADERS.authorization),
    )
  ) {
    answerPlain(res, 401, {
      error: 'UNAUTHENTICATED',
      message: "not signed with this run's token",
    });
    return;
  }
  const reply = (status: number, body: unknown) => answerSigned(o.key, res, request, status, body);
  try {
    if (route.kind === 'run') {
      if (run !== '-' && run !== o.run)
        throw new Refused({ status: 409, code: 'WRONG_RUN', message: 'a request of another run' });
      reply(200, o.info);
      return;
    }
    if (run !== o.run)
      throw new Refused({ status: 409, code: 'WRONG_RUN', message: 'a request of another run' });
    if (!HEX_ID.test(session))
      throw new Refused({ status: 400, code: 'BAD_REQUEST', message: 'no session' });
    if (route.kind === 'file') {
      const shard = o.barrier.mayUpload(route.shard, session);
      if ('status' in shard) throw new Refused(shard);
      const length = header(req, 'content-length');
      const refusal = await o.collection.receive(
        shard,
        route.name,
        req,
        contentSha256,
        length === undefined ? undefined : Number(length),
      );
      if (refusal !== null) throw new Refused(refusal);
      reply(200, { stored: route.name });
      return;
    }
    const body = await readJson(req, contentSha256);
    reply(200, await shardAction(o, route, session, body));
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    const { status, code, message } = error.refusal;
    res.setHeader('connection', 'close');
    reply(status, { error: code, message });
  }
}

async function shardAction(
  o: EndpointOptions,
  route: Extract<Route, { kind: 'shard' }>,
  session: string,
  body: unknown,
): Promise<unknown> {
  const { barrier } = o;
  const index = route.shard;
  const check = <T>(c: { ok: true; value: T } | { ok: false; problem: string }): T => {
    if (!c.ok) throw new Refused({ status: 400, code: 'BAD_REQUEST', message: c.problem });
    return c.value;
  };
  const refused = (r: Refusal | null) => {
    if (r !== null) throw new Refused(r);
  };
  switch (route.action) {
    case 'join':
      refused(barrier.join(index, session, check(checkJoin(body))));
      return { joined: index };
    case 'ready':
      refused(barrier.ready(index, session, check(checkReady(body))));
      return { ready: index };
    case 'beat': {
      const answer = barrier.beat(index, session);
      if ('status' in answer) throw new Refused(answer);
      return answer;
    }
    case 'failed': {
      const failed = check(checkFailed(body));
      refused(barrier.shardFailed(index, session, failed.code, failed.message));
      return { noted: index };
    }
    case 'done': {
      const done = check(checkDone(body));
      // A report sent again (its first answer lost on the way) finds the shard done: the same answer.
      const held = barrier.shards().find((s) => s.index === index);
      if (held?.session === session && held.doneAt !== undefined) return { accepted: index };
      const shard = barrier.mayUpload(index, session);
      if ('status' in shard) throw new Refused(shard);
      const identity = barrier.shards().find((s) => s.ready !== undefined)?.ready?.identity;
      if (identity === undefined)
        throw new Refused({ status: 409, code: 'NOT_STARTED', message: 'no shard is ready' });
      refused(
        await o.collection.accept(shard, done, { run: o.run, shards: o.info.shards, identity }),
      );
      barrier.shardDone(index);
      return { accepted: index };
    }
  }
}

/** Reads a JSON body of at most LIMITS.maxJsonBytes whose SHA-256 is `sha256`. */
async function readJson(req: IncomingMessage, sha256: string): Promise<unknown> {
  const declared = Number(header(req, 'content-length') ?? Number.NaN);
  if (declared > LIMITS.maxJsonBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMITS.maxJsonBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  if (sha256Hex(bytes) !== sha256)
    throw new Refused({
      status: 400,
      code: 'DIGEST_MISMATCH',
      message: 'the body arrived with another SHA-256 than the one signed',
    });
  if (bytes.length === 0) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Refused({ status: 400, code: 'BAD_REQUEST', message: 'the body is not JSON' });
  }
}

function tooLarge(): Refused {
  return new Refused({
    status: 413,
    code: 'TOO_LARGE',
    message: `a control message may hold at most ${LIMITS.maxJsonBytes} bytes`,
  });
}

function answerSigned(
  key: RunKey,
  res: ServerResponse,
  request: string,
  status: number,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    [HEADERS.answerMac]: signAnswer(key, status, request, text),
  });
  res.end(text);
}

/** Unsigned answers: health, not found, unauthenticated. The connection closes after them. */
function answerPlain(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(status === 200 ? {} : { connection: 'close' }),
  });
  res.end(text);
}
