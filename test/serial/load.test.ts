/**
 * Load reliability of `ecny-bench serve`, one test after the other in this file so the two never
 * compete with each other:
 *
 * 1. Overload at 3x capacity, as an outside client would push it: capacity measured first
 *    (closed loop, same engine), then an open-loop offer of 3x that rate over 512 pipelined
 *    connections. Behaviour asserted: every answer is `settled` or 503 OVERLOADED with
 *    Retry-After; the refusals were decided before the request was read or decoded (the
 *    engine's shedEarly counter); every request is answered; every /healthz and /v1/stats
 *    probe answers; memory stays bounded; the books reconcile and everything settles once the
 *    load drops. Measured and printed (never asserted: a shared 2-core machine): goodput
 *    against capacity, the latency of admitted answers, of /healthz and of /v1/stats, the
 *    engine's queue delay, peak RSS.
 * 2. A soak (ECNY_SOAK_S seconds, default 10) of steady closed-loop load signed on the fly:
 *    every answer settles, the books reconcile, and RSS at the end is compared with the start.
 *
 * Figures go to results/reliability/last-run.json (docs/reliability.md).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import {
  coinIdOf,
  deriveKeyPair,
  type KeyPair,
  signTx,
  type Tx,
  toWire,
} from '../../engine/domain/index.js';
import { defaultEngineConfig } from '../../engine/service/index.js';
import { encodePosts, Http1Pool } from '../../load/clients/http1.js';
import { coinOf, DAY, genesis, type Ledger, op, out } from '../fixtures/ledger.js';
import {
  Client,
  obj,
  scratchDir,
  settleAll,
  spendEach,
  splitCoins,
  startEngine,
} from '../http/helpers.js';
import { recordFigures } from '../reliability/figures.js';

const MiB = 1024 * 1024;
/** Generous: the engine idles near 150 MiB; a queue of admitted work would blow far past. */
const RSS_BOUND = 512 * MiB;
const OVERLOAD_FACTOR = 3;
const CAPACITY_S = 3;
const OVERLOAD_S = 8;
const CONNECTIONS = 512;
const PIPELINING = 16;
/** Coins of 1 fen: more than the engine can settle in the whole test at any plausible rate. */
const COINS = 40_000;
const SOAK_S = Number(process.env['ECNY_SOAK_S'] ?? 10);

const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

/** Percentiles of a list of ms, rounded to 0.1 ms. */
function quantiles(values: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const r = (v: number) => Math.round(v * 10) / 10;
  return { p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted.at(-1) ?? 0), n: sorted.length };
}

/**
 * Probes one GET path every `everyMs` from a worker thread on its own keep-alive connection, so
 * its latencies are the engine's, not this busy load generator's event loop. Collects each
 * answer's latency, status and (for /v1/stats) the fields the test reads.
 */
const PROBE_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { url, path, everyMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const results = [];
let running = true;
parentPort.on('message', () => { running = false; });
function once() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url + path, { agent, timeout: 30000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const r = { ms: performance.now() - t0, status: res.statusCode };
        if (path === '/v1/stats' && res.statusCode === 200) {
          const s = JSON.parse(text);
          r.rssBytes = s.rssBytes; r.queueDelayMs = s.queueDelayMs; r.inflight = s.inflight;
        }
        resolve(r);
      });
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', (e) => resolve({ ms: performance.now() - t0, status: 0, error: e.message }));
  });
}
(async () => {
  while (running) {
    results.push(await once());
    await new Promise((r) => setTimeout(r, everyMs));
  }
  agent.destroy();
  parentPort.postMessage(results);
})();
`;

interface ProbeResult {
  readonly ms: number;
  readonly status: number;
  readonly rssBytes?: number;
  readonly queueDelayMs?: number;
  readonly inflight?: number;
}

function prober(url: string, path: string, everyMs: number) {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url, path, everyMs } });
  const results = new Promise<ProbeResult[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop(): Promise<ProbeResult[]> {
      worker.postMessage('stop');
      const r = await results;
      await worker.terminate();
      return r;
    },
  };
}

/**
 * `count` coins of 1 fen for `from`, fast: a few sequential splits into coins of 31 fen, then
 * each of those split into 31 coins of 1 fen, all independent, sent in batches.
 */
async function manyCoins(client: Client, l: Ledger, from: KeyPair, count: number) {
  const big = await splitCoins(client, l, from, Math.ceil(count / 31), 31);
  const splits = big.map((coin) =>
    op.transfer(
      from,
      [coin],
      Array.from({ length: 31 }, () => out(from, 1)),
    ),
  );
  // 64 per batch: a transaction with 31 outputs is ~3.3 KB, past the per-item batch allowance.
  for (let i = 0; i < splits.length; i += 64) {
    const batch = splits.slice(i, i + 64);
    const reply = await client.post('/v1/tx/batch', { txs: batch.map(toWire) });
    assert.equal(reply.status, 200, reply.text);
    const results = obj(reply).results as Array<Record<string, unknown>>;
    batch.forEach((tx, j) => {
      assert.deepEqual(results[j], { status: 'settled', txid: tx.txidHex });
      l.settle(tx);
    });
  }
  return splits
    .flatMap((tx) => Array.from({ length: 31 }, (_, i) => coinOf(tx, i)))
    .slice(0, count);
}

interface Sent {
  readonly tx: Tx;
  readonly at: number;
}

test('overload at 3x capacity: cheap early refusals, bounded queue, health answers', async () => {
  const dir = await scratchDir('ecny-overload-');
  const engine = await startEngine({
    journalPath: join(dir, 'journal.ecj'),
    // The default admission bound, said explicitly (test engines otherwise get a loose one);
    // one verification thread leaves the other core to this test's load generator.
    args: ['--threads', '1', '--max-queue-delay-ms', String(defaultEngineConfig().maxQueueDelayMs)],
  });
  const control = new Client(engine.url, 2);
  try {
    const l = genesis();
    await settleAll(control, l.genesis);
    const s0 = performance.now();
    const coins = await manyCoins(control, l, l.w.p1, COINS);
    const s1 = performance.now();
    const fresh = spendEach(l.w.p1, coins, l.w.m1, 1);
    console.log(
      `# set-up: ${COINS} coins in ${((s1 - s0) / 1000).toFixed(1)} s, signed in ${((performance.now() - s1) / 1000).toFixed(1)} s`,
    );
    const afterwards = fresh.splice(0, 200);
    const wire = new Map<Tx, Buffer>();
    const wires = encodePosts(
      engine.url,
      '/v1/tx',
      fresh.map((tx) => JSON.stringify(toWire(tx))),
    );
    fresh.forEach((tx, i) => {
      wire.set(tx, wires[i]!);
    });
    const settledTxids = new Set<string>();
    const baseline = obj(await control.get('/v1/stats'));
    const take = (): Tx | undefined => fresh.pop();

    // One transport for both phases; request k is the k-th send.
    const sent: Sent[] = [];
    const refused: Tx[] = [];
    const admittedLatency: number[] = [];
    const counts = { settled: 0, refused: 0, answered: 0, failed: 0 };
    const problems: string[] = [];
    let onAnswer: (() => void) | null = null;
    const pool = new Http1Pool(
      engine.url,
      { connections: CONNECTIONS, pipelining: PIPELINING, timeoutMs: 0 },
      {
        started() {},
        answered(k, status, body, retryAfter) {
          const { tx, at } = sent[k]!;
          counts.answered++;
          if (status === 200) {
            counts.settled++;
            settledTxids.add(tx.txidHex);
            admittedLatency.push(performance.now() - at);
          } else if (status === 503 && /"code":"OVERLOADED"/.test(body) && retryAfter) {
            counts.refused++;
            refused.push(tx); // not admitted: offered again later
          } else {
            problems.push(`${status} ${retryAfter ?? '-'} ${body}`);
          }
          onAnswer?.();
        },
        failed(_k, error) {
          counts.failed++;
          problems.push(`no answer: ${error.message}`);
          onAnswer?.();
        },
      },
    );
    await pool.connect(10_000);
    const send = (tx: Tx) => {
      sent.push({ tx, at: performance.now() });
      pool.send(sent.length - 1, wire.get(tx)!);
    };

    // 1. Capacity: closed loop, enough requests outstanding to keep the engine busy without
    //    passing its admission bound for long (refusals here are offered again).
    const OUTSTANDING = 64;
    const c0 = performance.now();
    const settledBefore = counts.settled;
    await new Promise<void>((resolve) => {
      onAnswer = () => {
        if (performance.now() - c0 >= CAPACITY_S * 1000) {
          if (counts.answered + counts.failed === sent.length) resolve();
          return;
        }
        const tx = refused.pop() ?? take();
        if (tx) send(tx);
      };
      for (let i = 0; i < OUTSTANDING; i++) send(take()!);
    });
    const capacity = (counts.settled - settledBefore) / ((performance.now() - c0) / 1000);
    const capacityRefused = counts.refused;
    onAnswer = null;

    // 2. Open loop at OVERLOAD_FACTOR x capacity over every connection, health and stats probed
    //    throughout.
    const health = prober(engine.url, '/healthz', 20);
    const stats = prober(engine.url, '/v1/stats', 100);
    const scrapes = prober(engine.url, '/metrics', 100);
    await sleep(200);
    const rate = OVERLOAD_FACTOR * capacity;
    const first = sent.length;
    const o = { settled: counts.settled, refused: counts.refused };
    const latencyFrom = admittedLatency.length;
    const o0 = performance.now();
    let offered = 0;
    while (performance.now() - o0 < OVERLOAD_S * 1000) {
      const due = Math.floor(rate * ((performance.now() - o0) / 1000)) - offered;
      pool.cork();
      for (let i = 0; i < due; i++) {
        const tx = refused.pop() ?? take();
        if (!tx) break;
        send(tx);
        offered++;
      }
      pool.uncork();
      await sleep(2);
    }
    const overloadSeconds = (performance.now() - o0) / 1000;
    const settledInOverload = counts.settled - o.settled;
    const refusedInOverload = counts.refused - o.refused;
    // Every request is answered (bounded: 60 s after the last send).
    const drainDeadline = performance.now() + 60_000;
    while (counts.answered + counts.failed < sent.length && performance.now() < drainDeadline)
      await sleep(20);
    const unanswered = sent.length - counts.answered - counts.failed;
    const healthProbes = await health.stop();
    const statsProbes = await stats.stop();
    const scrapeProbes = await scrapes.stop();
    pool.close();
    const during = statsProbes.filter((p) => p.status === 200);
    const peakRss = Math.max(...during.map((p) => p.rssBytes!));
    const maxQueueDelay = Math.max(...during.map((p) => p.queueDelayMs!));
    const maxInflight = Math.max(...during.map((p) => p.inflight!));
    const end = obj(await control.get('/v1/stats'));

    // 3. Load drops to a trickle: everything settles again, refused ones included (a sample:
    //    that none of the refused was applied is checked by the settled count below).
    let recovered = 0;
    const trickle = [...refused.splice(0, 200), ...afterwards];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let tx = trickle.pop(); tx; tx = trickle.pop()) {
          const reply = await control.tx(tx);
          assert.deepEqual(reply.body, { status: 'settled', txid: tx.txidHex }, reply.text);
          settledTxids.add(tx.txidHex);
          recovered++;
        }
      }),
    );

    const goodput = settledInOverload / overloadSeconds;
    const h = quantiles(healthProbes.map((p) => p.ms));
    const st = quantiles(statsProbes.map((p) => p.ms));
    const sc = quantiles(scrapeProbes.map((p) => p.ms));
    const adm = quantiles(admittedLatency.slice(latencyFrom));
    console.log(
      `# capacity ${capacity.toFixed(0)} tx/s (${capacityRefused} refused on the way); offered ` +
        `${(offered / overloadSeconds).toFixed(0)} req/s for ${overloadSeconds.toFixed(1)} s over ` +
        `${CONNECTIONS} connections x ${PIPELINING}: ${settledInOverload} settled ` +
        `(goodput ${goodput.toFixed(0)}/s = ${((100 * goodput) / capacity).toFixed(0)}% of capacity), ` +
        `${refusedInOverload} refused 503 (${end.shedEarly} before decoding), ${unanswered} unanswered`,
    );
    console.log(
      `# admitted answers p50 ${adm.p50} p99 ${adm.p99} max ${adm.max} ms; /healthz p50 ${h.p50} ` +
        `p99 ${h.p99} max ${h.max} ms (${h.n}); /v1/stats p50 ${st.p50} p99 ${st.p99} max ${st.max} ms; ` +
        `/metrics p50 ${sc.p50} p99 ${sc.p99} max ${sc.max} ms; ` +
        `queue delay max ${maxQueueDelay.toFixed(1)} ms; in flight max ${maxInflight}; ` +
        `RSS ${mib(baseline.rssBytes as number)} -> peak ${mib(peakRss)} MiB; ${recovered} settled after`,
    );
    assert.deepEqual(problems.slice(0, 5), [], 'an answer other than settled or 503 OVERLOADED');
    assert.equal(unanswered, 0, 'requests left without an answer');
    assert.ok(refusedInOverload > 0, 'the overload never produced a 503');
    assert.ok(settledInOverload > 0, 'nothing was admitted during the overload');
    // The refusals were decided before the request was read: no parse, hex decode or hash.
    assert.equal(end.shedEarly, end.overloaded, 'a refusal came after decoding');
    assert.ok(healthProbes.every((p) => p.status === 200) && h.n > 0, 'a /healthz probe failed');
    assert.ok(statsProbes.every((p) => p.status === 200) && st.n > 0, 'a /v1/stats probe failed');
    assert.ok(scrapeProbes.every((p) => p.status === 200) && sc.n > 0, 'a /metrics scrape failed');
    assert.ok(peakRss < RSS_BOUND, `peak RSS ${mib(peakRss)} MiB`);
    assert.ok(recovered >= 200, 'work did not settle after the overload');
    assert.equal(obj(await control.get('/v1/reconcile')).ok, true);
    const final = obj(await control.get('/v1/stats'));
    const bigCoins = Math.ceil(COINS / 31);
    const setup = l.genesis.length + bigCoins + Math.ceil(bigCoins / 31);
    assert.equal(final.settled, setup + settledTxids.size, 'settled answers and engine disagree');
    await recordFigures('overload', {
      capacityTxPerS: Math.round(capacity),
      offeredReqPerS: Math.round(offered / overloadSeconds),
      overloadFactor: Math.round((offered / overloadSeconds / capacity) * 100) / 100,
      overloadSeconds: Math.round(overloadSeconds * 10) / 10,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
      requestsDuringOverload: sent.length - first,
      settledDuringOverload: settledInOverload,
      goodputTxPerS: Math.round(goodput),
      goodputShareOfCapacity: Math.round((goodput / capacity) * 100) / 100,
      refused503: refusedInOverload,
      shedBeforeDecoding: end.shedEarly,
      unanswered,
      admittedLatencyMs: adm,
      healthzLatencyMs: h,
      statsLatencyMs: st,
      metricsLatencyMs: sc,
      maxQueueDelayMs: Math.round(maxQueueDelay * 10) / 10,
      maxQueueDelayBoundMs: defaultEngineConfig().maxQueueDelayMs,
      maxInflightSeen: maxInflight,
      settledAfterOverload: recovered,
      rssBaselineMiB: mib(baseline.rssBytes as number),
      rssPeakMiB: mib(peakRss),
      rssBoundMiB: mib(RSS_BOUND),
    });
  } finally {
    await control.close();
    await engine.stop();
  }
});

/** Two wallets passing one coin back and forth, each hop signed when the previous settles. */
interface Lane {
  holder: KeyPair;
  other: KeyPair;
  coin: string;
  nonce: number;
}

async function openLanes(client: Client, l: Ledger, count: number): Promise<Lane[]> {
  const lanes: Lane[] = [];
  for (let i = 0; i < count; i++) {
    const a = deriveKeyPair('soak', `lane-${i}-a`);
    const b = deriveKeyPair('soak', `lane-${i}-b`);
    const opens = [op.open(l.banks.a, a, 1, 'personal'), op.open(l.banks.a, b, 1, 'personal')];
    await settleAll(client, opens);
    for (const tx of opens) l.settle(tx);
    // One fen: the daily limit (in fen) then allows millions of hops per wallet.
    const fund = l.pay('exchange', l.banks.a, a, 1);
    await settleAll(client, [fund]);
    l.settle(fund);
    lanes.push({ holder: a, other: b, coin: coinIdOf(fund.txid, 0), nonce: 0 });
  }
  return lanes;
}

test(`soak: ${SOAK_S} s of steady load with flat memory`, async () => {
  const dir = await scratchDir('ecny-soak-');
  const engine = await startEngine({
    journalPath: join(dir, 'journal.ecj'),
    args: ['--threads', '1'],
  });
  const client = new Client(engine.url, 16);
  try {
    const l = genesis();
    await settleAll(client, l.genesis);
    const lanes = await openLanes(client, l, 8);
    let stop = false;
    let settled = 0;
    const run = async (lane: Lane) => {
      while (!stop) {
        const tx = signTx(
          {
            type: 'transfer',
            signer: lane.holder.publicKey,
            day: DAY,
            nonce: lane.nonce++,
            inputs: [lane.coin],
            outputs: [out(lane.other, 1)],
          },
          lane.holder,
        );
        const reply = await client.tx(tx);
        assert.deepEqual(reply.body, { status: 'settled', txid: tx.txidHex }, reply.text);
        settled++;
        lane.coin = coinIdOf(tx.txid, 0);
        [lane.holder, lane.other] = [lane.other, lane.holder];
      }
    };
    const running = Promise.all(lanes.map(run));
    await sleep(1000); // warm-up: workers, caches, JIT
    const start = obj(await client.get('/v1/stats'));
    const settledAtStart = settled;
    const samples: number[] = [start.rssBytes as number];
    const s0 = performance.now();
    while (performance.now() - s0 < SOAK_S * 1000) {
      await sleep(Math.min(1000, SOAK_S * 1000 - (performance.now() - s0)));
      samples.push(obj(await client.get('/v1/stats')).rssBytes as number);
    }
    stop = true;
    await running;
    const seconds = (performance.now() - s0) / 1000;
    const transactions = settled - settledAtStart;
    const rssStart = samples[0]!;
    const rssEnd = samples.at(-1)!;
    const peak = Math.max(...samples);
    console.log(
      `# soak ${seconds.toFixed(1)} s: ${transactions} transfers (${(transactions / seconds).toFixed(0)}/s); ` +
        `RSS ${mib(rssStart)} -> ${mib(rssEnd)} MiB (peak ${mib(peak)})`,
    );
    assert.equal(obj(await client.get('/v1/reconcile')).ok, true);
    const stats = obj(await client.get('/v1/stats'));
    assert.equal(stats.inflight, 0);
    // Flat, generously: the registry keeps every settled id, so RSS may creep by a few hundred
    // bytes per transaction, nothing like a leak of a buffer per request.
    assert.ok(
      rssEnd < rssStart * 2 + 64 * MiB,
      `RSS grew from ${mib(rssStart)} to ${mib(rssEnd)} MiB`,
    );
    await recordFigures('soak', {
      seconds: Math.round(seconds * 10) / 10,
      transactions,
      txPerS: Math.round(transactions / seconds),
      rssStartMiB: mib(rssStart),
      rssEndMiB: mib(rssEnd),
      rssPeakMiB: mib(peak),
      rssGrowthBytesPerTx: transactions > 0 ? Math.round((rssEnd - rssStart) / transactions) : 0,
    });
  } finally {
    await client.close();
    await engine.stop();
  }
});
