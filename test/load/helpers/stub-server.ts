/**
 * Small node:http stand-ins for the engine, each misbehaving in one documented way.
 * They read the synthetic bodies of ./workload.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TxBody {
  readonly id: number | string;
  readonly want: string;
  readonly dep: number;
}

export interface Stub {
  readonly url: string;
  /** Bodies in arrival order. */
  readonly received: TxBody[];
  close(): Promise<void>;
}

type Handler = (tx: TxBody, res: ServerResponse, req: IncomingMessage) => void;

/** Starts a server on port 0; `/healthz` and `/v1/stats` answer 404 unless `extra` handles them. */
export async function startStub(
  handler: Handler,
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Stub> {
  const received: TxBody[] = [];
  const server = createServer((req, res) => {
    if (extra?.(req, res) === true) return;
    // GET probes and the driver's POST rehearsal: not transactions
    if (req.method !== 'POST' || req.url === '/healthz') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const tx = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TxBody;
      received.push(tx);
      handler(tx, res, req);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers like the engine: 200 settled, or 422 with the code in `want`. */
export function answer(res: ServerResponse, outcome: string): void {
  if (outcome === 'SETTLED') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"settled","txid":"x"}');
  } else {
    res.writeHead(422, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'rejected', code: outcome, message: 'stub' }));
  }
}

/** Answers per a table (id -> outcome), falling back to what the body wants. */
export function tableServer(
  table: ReadonlyMap<number | string, string> = new Map(),
): Promise<Stub> {
  return startStub((tx, res) => answer(res, table.get(tx.id) ?? tx.want));
}
