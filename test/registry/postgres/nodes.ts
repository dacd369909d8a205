/**
 * Helpers for the multi-node suites (no tests here): `ecny-bench serve --store postgres` nodes as
 * child processes on one database, genesis over HTTP, bounded load lanes that record what each
 * sender knows of each transaction, and the check that the database holds every acknowledged
 * transaction whole and every other one whole or not at all.
 */
import assert from 'node:assert/strict';
import { coinIdOf, isoDay, type Tx, toWire } from '../../../engine/domain/index.js';
import type { EngineProcess } from '../../../runner/index.js';
import { type Client, obj, scratchDir, startEngine } from '../../http/helpers.js';

export type Fate = 'acked' | 'refused' | 'unknown';

/** `n` engine nodes sharing the database at `url`, fit for workload `w` (its key and day). */
export async function startNodes(
  url: string,
  w: { readonly centralBankKey: string; readonly day: number },
  n: number,
  extra: readonly string[] = [],
): Promise<EngineProcess[]> {
  const dir = await scratchDir('ecny-nodes-');
  const nodes: EngineProcess[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(
      await startEngine({
        journalPath: `${dir}/unused-${i}.ecj`,
        args: [
          '--store',
          'postgres',
          '--database-url',
          url,
          '--central-bank-key',
          w.centralBankKey,
          '--today',
          isoDay(w.day),
          '--threads',
          '1',
          ...extra,
        ],
        stderr: 'ignore',
      }),
    );
  }
  return nodes;
}

/**
 * Genesis in order, 64 per batch request (one batch settles in arrival order; an exchange with
 * many outputs is large, and a batch body has a limit: docs/api.md).
 */
export async function settleGenesis(client: Client, genesis: readonly Tx[]): Promise<void> {
  for (let at = 0; at < genesis.length; at += 64) {
    const batch = genesis.slice(at, at + 64);
    const reply = await client.post('/v1/tx/batch', { txs: batch.map(toWire) });
    assert.equal(reply.status, 200, reply.text);
    const results = obj(reply).results as { status: string; code?: string }[];
    for (const [i, r] of results.entries())
      assert.equal(r.status, 'settled', `genesis ${at + i}: ${r.code}`);
  }
}

export interface Sent {
  readonly tx: Tx;
  fate: Fate;
  /** Index of the node it went to. */
  readonly node: number;
  /** The error code of a refusal (UNAVAILABLE, OVERLOADED, ...). */
  code?: string;
  /** performance.now() when its answer came. */
  at?: number;
}

/**
 * Sends `txs` one at a time per lane, `lanes` lanes per client, until the queue is empty or
 * `stop()` says so. Every transaction gets a fate; a transport error is `unknown` and ends the
 * lane (its node is gone); after a refusal a lane pauses 100 ms, as a client honouring
 * Retry-After would (shorter, to keep tests short).
 */
export async function drive(
  clients: readonly Client[],
  txs: readonly Tx[],
  lanes: number,
  stop: () => boolean,
  sent: Sent[],
): Promise<void> {
  let next = 0;
  const lane = async (node: number) => {
    while (next < txs.length && !stop()) {
      const s: Sent = { tx: txs[next++]!, fate: 'unknown', node };
      sent.push(s);
      try {
        const reply = await clients[node]!.post('/v1/tx', toWire(s.tx));
        const body = reply.body as { status?: string; code?: string } | undefined;
        s.fate = reply.status === 200 && body?.status === 'settled' ? 'acked' : 'refused';
        if (s.fate === 'refused') s.code = body?.code ?? String(reply.status);
      } catch {
        s.fate = 'unknown';
      }
      s.at = performance.now();
      if (s.fate === 'unknown') return;
      if (s.fate === 'refused') await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all(clients.flatMap((_, node) => Array.from({ length: lanes }, () => lane(node))));
}

/**
 * Through `client`: every acknowledged transfer is there whole (its input spent by it, its
 * first output present); every other one is wholly there or wholly absent. Returns how many of
 * the unacknowledged ones turned out settled.
 */
export async function checkFates(client: Client, sent: readonly Sent[]): Promise<number> {
  let next = 0;
  let settledAnyway = 0;
  const lane = async () => {
    while (next < sent.length) {
      const s = sent[next++]!;
      const output = await client.get(`/v1/coins/${coinIdOf(s.tx.txid, 0)}`);
      const input = await client.get(`/v1/coins/${s.tx.inputs[0]}`);
      const inputSpentByIt = obj(input).spentBy === s.tx.txidHex;
      const there = output.status === 200;
      assert.equal(there, inputSpentByIt, `${s.tx.txidHex} (${s.fate}) is half-applied`);
      if (s.fate === 'acked') assert.ok(there, `acknowledged ${s.tx.txidHex} lost`);
      else if (there) settledAnyway++;
      if (s.fate === 'refused' && s.code !== 'UNAVAILABLE')
        assert.ok(!there, `${s.tx.txidHex} refused ${s.code} yet settled`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return settledAnyway;
}

/** Waits until GET /healthz answers 200 (true) or `timeoutMs` passes (false). */
export async function waitReady(client: Client, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((await client.get('/healthz')).status === 200) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
