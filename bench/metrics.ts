/**
 * `npm run bench:metrics`: what the engine's Prometheus metrics cost, and why they are not built
 * on prom-client. In one run:
 *  1. recording: the samples one settled transaction records on the hot path (six stage
 *     observations, its end-to-end time, two counters), into the engine's registry (handles
 *     resolved once) and into prom-client (children from `labels()` resolved once, its cheapest
 *     form); CPU ns per transaction, median of alternating rounds;
 *  2. rendering one scrape of the same families with the same samples: the engine's
 *     `registry.render()` against prom-client's `register.metrics()`;
 *  3. scrape cost at load: the engine (native backend) in this process under closed-loop load
 *     (single transactions, 32 connections) from a child process that also scrapes /metrics
 *     every 100 ms and reads /v1/stats every 500 ms; the engine main thread's own CPU per answer
 *     (Linux schedstat read around the request handler), and the scraper's view.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as prom from 'prom-client';
import { Pool } from 'undici';
import { type Tx, toWire } from '../engine/domain/index.js';
import { DEFAULT_HTTP_OPTIONS, startHttpServer } from '../engine/http/index.js';
import {
  COUNT_BUCKETS,
  EngineMetrics,
  LATENCY_BUCKETS_SECONDS,
  OUTCOMES,
  RuntimeMetrics,
  readThreadCpu,
  STAGES,
} from '../engine/metrics/index.js';
import {
  defaultEngineConfig,
  type EngineConfig,
  type EngineService,
  openEngineService,
} from '../engine/service/index.js';
import { buildTransferWorkload } from '../gate/index.js';
import { machine } from './verify.js';

const RECORD_TXS = 1_000_000;
const ROUNDS = 5;
const RENDERS = 2_000;
const LOAD_TRANSFERS = Number(process.env.ECNY_BENCH_TRANSFERS ?? 30_000);

/** Stage-like durations, seconds: spread over the buckets as an engine's are. */
const VALUES = Float64Array.from({ length: 4096 }, (_, i) => 0.00002 * 1.004 ** (i % 2048));

function lean(): { record: (n: number) => void; render: () => string } {
  const m = new EngineMetrics();
  const stages = STAGES.map((s) => m.stage[s]);
  const settled = m.settlement.settled;
  addGauges((name, help, read) => m.registry.collected(name, 'gauge', help, () => [['', read()]]));
  return {
    record(n) {
      for (let i = 0; i < n; i++) {
        const v = VALUES[i & 4095]!;
        for (let s = 0; s < stages.length; s++) stages[s]!.observe(v);
        settled.observe(v * 6);
        m.request('/v1/tx', 200);
        m.answer('SETTLED');
      }
    },
    render: () => m.registry.render(),
  };
}

function promClient(): { record: (n: number) => void; render: () => Promise<string> } {
  const register = new prom.Registry();
  const histogram = (name: string, labelNames: string[], buckets: readonly number[]) =>
    new prom.Histogram({
      name,
      help: name,
      labelNames,
      buckets: [...buckets],
      registers: [register],
    });
  const settlement = histogram('ecny_settlement_seconds', ['outcome'], LATENCY_BUCKETS_SECONDS);
  const stage = histogram('ecny_stage_seconds', ['stage'], LATENCY_BUCKETS_SECONDS);
  for (const name of ['ecny_journal_commit_seconds', 'ecny_verify_batch_seconds']) {
    histogram(name, [], LATENCY_BUCKETS_SECONDS);
  }
  for (const name of ['ecny_journal_group_records', 'ecny_verify_batch_items']) {
    histogram(name, [], COUNT_BUCKETS);
  }
  histogram('ecny_http_read_seconds', ['route'], LATENCY_BUCKETS_SECONDS);
  histogram('ecny_gc_pause_seconds', ['kind'], LATENCY_BUCKETS_SECONDS);
  const requests = new prom.Counter({
    name: 'ecny_http_requests_total',
    help: 'x',
    labelNames: ['route', 'status'],
    registers: [register],
  });
  const answers = new prom.Counter({
    name: 'ecny_answers_total',
    help: 'x',
    labelNames: ['code'],
    registers: [register],
  });
  addGauges((name, help, read) => {
    new prom.Gauge({
      name,
      help,
      registers: [register],
      collect() {
        this.set(read());
      },
    });
  });
  for (const o of OUTCOMES) settlement.labels(o);
  const stages = STAGES.map((s) => stage.labels(s));
  const settled = settlement.labels('settled');
  const txRequests = requests.labels('/v1/tx', '200');
  const settledAnswers = answers.labels('SETTLED');
  return {
    record(n) {
      for (let i = 0; i < n; i++) {
        const v = VALUES[i & 4095]!;
        for (let s = 0; s < stages.length; s++) stages[s]!.observe(v);
        settled.observe(v * 6);
        txRequests.inc();
        settledAnswers.inc();
      }
    },
    render: () => register.metrics(),
  };
}

/** The engine's gauges read at scrape time (counters, queues, process): 24 of them. */
function addGauges(add: (name: string, help: string, read: () => number) => void): void {
  for (let i = 0; i < 24; i++) add(`ecny_gauge_${i}`, `Gauge ${i}.`, () => i * 1.5);
}

function cpuNs(run: () => void): number {
  const t = process.cpuUsage();
  run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) * 1000;
}

async function cpuNsAsync(run: () => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage();
  await run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) * 1000;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const m = machine();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${load()}`);
  const a = lean();
  const b = promClient();
  a.record(100_000);
  b.record(100_000);
  const leanNs: number[] = [];
  const promNs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    leanNs.push(cpuNs(() => a.record(RECORD_TXS)) / RECORD_TXS);
    promNs.push(cpuNs(() => b.record(RECORD_TXS)) / RECORD_TXS);
  }
  const leanRecord = median(leanNs);
  const promRecord = median(promNs);
  console.log(
    `\n1. recording one settled transaction (6 stage observations, 1 end-to-end, 2 counters), CPU ns, median of ${ROUNDS} rounds of ${RECORD_TXS}:` +
      `\n   engine registry ${leanRecord.toFixed(0)} ns   prom-client ${promRecord.toFixed(0)} ns   (prom-client ${(promRecord / leanRecord).toFixed(1)}x)`,
  );

  for (let i = 0; i < 50; i++) {
    a.render();
    await b.render();
  }
  const leanText = a.render();
  const promText = await b.render();
  const leanRender = cpuNs(() => {
    for (let i = 0; i < RENDERS; i++) a.render();
  });
  const promRender = await cpuNsAsync(async () => {
    for (let i = 0; i < RENDERS; i++) await b.render();
  });
  console.log(
    `\n2. rendering one scrape (${leanText.split('\n').length} lines here, ${promText.split('\n').length} for prom-client), CPU us, mean of ${RENDERS}:` +
      `\n   engine registry ${(leanRender / RENDERS / 1000).toFixed(1)} us   prom-client ${(promRender / RENDERS / 1000).toFixed(1)} us`,
  );

  await atLoad();
  console.log(`\nload average at the end ${load()}`);
}

/**
 * Part 3: the engine in this process, so the time of its main thread can be read around each
 * answer; its load and its scrapers in a child process. The handlers answer synchronously, so the
 * wall time around one is its main-thread CPU plus any preemption: on a machine with idle cores
 * the two agree, on a busy one the median still reads the CPU and the tail the preemption. (Node
 * 20 has no per-thread CPU clock; /proc/thread-self/schedstat is only brought up to date at
 * scheduler ticks, too coarse for a sub-millisecond handler.)
 */
async function atLoad(): Promise<void> {
  const workload = buildTransferWorkload(LOAD_TRANSFERS + 8_000);
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-metrics-'));
  const config: EngineConfig = {
    ...defaultEngineConfig(),
    centralBankKey: workload.centralBankKey,
    today: workload.day,
    backend: 'native',
    maxQueueDelayMs: 60_000,
    journalPath: join(dir, 'journal.ecj'),
    http: { ...DEFAULT_HTTP_OPTIONS, port: 0 },
  };
  const service = await openEngineService(config);
  const http = await startHttpServer(service, config.http);
  // Each /metrics and /v1/stats answer, timed just before the engine's request listener and just
  // after it (node:http calls the listeners in order, synchronously).
  const times: Record<string, number[]> = { '/metrics': [], '/v1/stats': [] };
  let measuring = false;
  let current: number[] | null = null;
  let start = 0;
  http.server.prependListener('request', (req) => {
    current = measuring ? (times[req.url ?? ''] ?? null) : null;
    if (current !== null) start = performance.now();
  });
  http.server.on('request', () => {
    if (current !== null) current.push(performance.now() - start);
    current = null;
  });
  try {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--load', http.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    let report: LoadReport | null = null;
    let cpuAt = process.cpuUsage();
    let wallAt = performance.now();
    for await (const line of lines) {
      if (line === 'measuring') {
        measuring = true;
        cpuAt = process.cpuUsage();
        wallAt = performance.now();
      } else if (line.startsWith('{')) report = JSON.parse(line) as LoadReport;
    }
    measuring = false;
    const used = process.cpuUsage(cpuAt);
    // The engine process's CPU per second of the loaded phase (all its threads), us/s.
    const engineCpuPerS = (used.user + used.system) / ((performance.now() - wallAt) / 1000);
    if (report === null) throw new Error('the load process reported nothing');
    const row = (route: string) => {
      const v = times[route]!;
      return `${route.padEnd(9)} median ${median(v).toFixed(3)} ms, p90 ${q(v, 0.9)} ms, p99 ${q(v, 0.99)} ms over ${v.length} answers`;
    };
    console.log(
      `\n3. at load: ${report.settled} settled in ${report.seconds.toFixed(1)} s (${(report.settled / report.seconds).toFixed(0)}/s, single tx, 32 connections, load in a child process), load average ${load()}` +
        `\n   engine main thread per answer (around the synchronous handler: its CPU, plus preemption in the tail):` +
        `\n     ${row('/metrics')}` +
        `\n     ${row('/v1/stats')}` +
        `\n   the scraper's view (queueing behind the load included): /metrics p50 ${report.scrapeP50} ms p99 ${report.scrapeP99} ms; /v1/stats p50 ${report.statsP50} ms p99 ${report.statsP99} ms`,
    );
    sampling(service, engineCpuPerS);
  } finally {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Part 4: what sampling a run's resources costs, once a second: in the engine, the figures a run
 * polls each second (/v1/stats, whose per-thread CPU and runtime parts are what sampling added),
 * and in each generator its own snapshot; as a share of the engine's CPU during the loaded phase.
 * The engine is CPU-bound at its elbow, so this share bounds what sampling takes off settled tx/s.
 */
function sampling(service: EngineService, engineCpuPerS: number): void {
  const tids = service.stats().threads?.verify.map((v) => v.tid) ?? [];
  const threads =
    cpuNs(() => {
      for (let i = 0; i < 500; i++) readThreadCpu(tids);
    }) / 500;
  const stats =
    cpuNs(() => {
      for (let i = 0; i < 200; i++) JSON.stringify(service.stats());
    }) / 200;
  const runtime = new RuntimeMetrics();
  const snapshot =
    cpuNs(() => {
      for (let i = 0; i < 2000; i++) runtime.snapshot();
    }) / 2000;
  runtime.stop();
  const share = (ns: number) => `${((100 * ns) / 1000 / engineCpuPerS).toFixed(3)}%`;
  console.log(
    `\n4. sampling, once a second: engine CPU during the load ${(engineCpuPerS / 1e6).toFixed(2)} cores` +
      `\n   engine: per-thread CPU from /proc ${(threads / 1000).toFixed(1)} us (${share(threads)} of the engine's CPU), the whole /v1/stats document ${(stats / 1000).toFixed(1)} us (${share(stats)})` +
      `\n   each generator: its runtime snapshot ${(snapshot / 1000).toFixed(1)} us`,
  );
}

interface LoadReport {
  readonly settled: number;
  readonly seconds: number;
  readonly scrapeP50: string;
  readonly scrapeP99: string;
  readonly statsP50: string;
  readonly statsP99: string;
}

/** The child: genesis and warm-up, then the measured load with the scrapers beside it. */
async function loadChild(url: string): Promise<void> {
  const workload = buildTransferWorkload(LOAD_TRANSFERS + 8_000);
  await post(url, workload.genesis, 1);
  await post(url, workload.transfers.slice(0, 8_000), 32);
  console.log('measuring');
  const scrapes: number[] = [];
  const statsReads: number[] = [];
  let loaded = true;
  const scraper = (async () => {
    let n = 0;
    while (loaded) {
      const t0 = performance.now();
      await text(url, '/metrics');
      scrapes.push(performance.now() - t0);
      if (++n % 5 === 0) {
        const t1 = performance.now();
        await text(url, '/v1/stats');
        statsReads.push(performance.now() - t1);
      }
      await sleep(100);
    }
  })();
  const t0 = performance.now();
  const settled = await post(url, workload.transfers.slice(8_000), 32);
  const seconds = (performance.now() - t0) / 1000;
  loaded = false;
  await scraper;
  const report: LoadReport = {
    settled,
    seconds,
    scrapeP50: q(scrapes, 0.5),
    scrapeP99: q(scrapes, 0.99),
    statsP50: q(statsReads, 0.5),
    statsP99: q(statsReads, 0.99),
  };
  console.log(JSON.stringify(report));
}

function q(values: readonly number[], p: number): string {
  const s = [...values].sort((x, y) => x - y);
  return (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN).toFixed(3);
}

async function text(url: string, path: string): Promise<string> {
  const res = await fetch(`${url}${path}`);
  return res.text();
}

/** Closed loop, `connections` lanes, single transactions; returns how many settled. */
async function post(url: string, txs: readonly Tx[], connections: number): Promise<number> {
  const pool = new Pool(url, { connections });
  let next = 0;
  let settled = 0;
  const lane = async () => {
    while (next < txs.length) {
      const tx = txs[next++]!;
      const res = await pool.request({
        method: 'POST',
        path: '/v1/tx',
        body: JSON.stringify(toWire(tx)),
        headers: { 'content-type': 'application/json' },
      });
      const answer = (await res.body.json()) as { status?: string };
      if (answer.status !== 'settled') throw new Error(`not settled: ${JSON.stringify(answer)}`);
      settled++;
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
  await pool.close();
  return settled;
}

function load(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

if (process.argv[2] === '--load') await loadChild(process.argv[3]!);
else await main();
