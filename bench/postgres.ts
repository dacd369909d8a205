/**
 * `npm run bench:postgres`: the postgres store on a private cluster (local-postgres), all in one
 * run on this machine:
 *  1. the two PostgreSQL clients on the settle path (no engine, no HTTP): the same transfers
 *     through PostgresStore on `pg` and on porsager's `postgres`, alternating, medians;
 *  2. 1 and 2 engine nodes (`serve --store postgres`, child processes, 2 verification threads in
 *     total) under closed-loop HTTP load: settled tx/s, p50/p99, engine and PostgreSQL CPU per
 *     settled transaction;
 *  3. `pgbench -N` (simple-update) on the same cluster: the machine's reference;
 *  4. settled payments per PostgreSQL CPU-second ÷ pgbench transactions per PostgreSQL
 *     CPU-second (target >= 1.0).
 * PostgreSQL CPU is the postmaster's process tree (/proc); engine CPU the nodes' processes.
 * Workloads are built and signed before timing; each configuration gets a fresh database.
 * ECNY_BENCH_SECONDS (default 15) sets each timed window, ECNY_BENCH_CLIENT_ROUNDS (default 3)
 * the rounds of section 1; ECNY_BENCH_ONLY=clients stops after section 1.
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { isAcceptablePublicKey } from '../engine/crypto/index.js';
import { DEFAULT_TIERS, isoDay, type Tx, toWire } from '../engine/domain/index.js';
import type { SettleResult } from '../engine/registry/index.js';
import {
  DEFAULT_POSTGRES_OPTIONS,
  migrate,
  PostgresStore,
  pinLedgerConfig,
  postgresJsDriver,
  type SqlDriver,
} from '../engine/registry/postgres/index.js';
import { buildTransferWorkload, type TransferWorkload } from '../gate/index.js';
import { type LocalCluster, startLocalCluster, treeCpuSeconds } from '../local-postgres/index.js';
import { type EngineProcess, startEngineProcess } from '../runner/index.js';
import { pgDriver } from './pg-driver.js';
import { machine } from './verify.js';

const run = promisify(execFile);
const SECONDS = Number(process.env['ECNY_BENCH_SECONDS'] ?? 15);
const WARMUP_SECONDS = 2;
/** Requests outstanding per engine node. */
const IN_FLIGHT = Number(process.env['ECNY_BENCH_IN_FLIGHT'] ?? 256);
const CORES = availableParallelism();
const CLIENT_ROUNDS = Number(process.env['ECNY_BENCH_CLIENT_ROUNDS'] ?? 3);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function createDatabase(cluster: LocalCluster, name: string): Promise<string> {
  const admin = new pg.Client(cluster.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return cluster.url.replace(/\/[^/]+$/, `/${name}`);
}

function pgCpu(cluster: LocalCluster): number {
  return treeCpuSeconds(cluster.postmasterPid()!);
}

function load(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

function settleAll(store: PostgresStore, txs: readonly Tx[]): Promise<SettleResult[]> {
  return Promise.all(
    txs.map((tx) => new Promise<SettleResult>((r) => store.settle(tx, null, (_, x) => r(x)))),
  );
}

interface ClientFigure {
  readonly name: string;
  readonly perSecond: number;
  readonly clientMicros: number;
  readonly pgMicros: number;
  readonly meanBatch: number;
}

/** 1. The settle path alone, through PostgresStore on `driver`. */
async function measureClient(
  cluster: LocalCluster,
  name: string,
  open: (url: string) => SqlDriver,
  w: TransferWorkload,
): Promise<ClientFigure> {
  const url = await createDatabase(cluster, `client_${name.replace(/\W/g, '')}`);
  // Schema and configuration set up the same way for both clients; only the settle calls (the
  // path compared) go through `open`.
  const setup = pgDriver({ url, poolSize: 1, queryTimeoutMs: 60_000 });
  await migrate(setup);
  await pinLedgerConfig(setup, w.centralBankKey, DEFAULT_TIERS);
  await setup.close();
  const db = open(url);
  const store = new PostgresStore(db, {
    tiers: DEFAULT_TIERS,
    acceptKey: (key) => isAcceptablePublicKey(key),
    today: () => w.day,
    maxBatch: 512,
    retries: DEFAULT_POSTGRES_OPTIONS.retries,
    probeMs: DEFAULT_POSTGRES_OPTIONS.probeMs,
  });
  for (let at = 0; at < w.genesis.length; at += 512)
    for (const r of await settleAll(store, w.genesis.slice(at, at + 512)))
      if (r !== null) throw new Error(`genesis: ${JSON.stringify(r)}`);
  const warm = Math.floor(w.transfers.length / 10);
  await settleAll(store, w.transfers.slice(0, warm));
  const calls0 = store.counters.settleCalls;
  const cpu0 = process.cpuUsage();
  const pg0 = pgCpu(cluster);
  const t0 = performance.now();
  const results = await settleAll(store, w.transfers.slice(warm));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgSeconds = pgCpu(cluster) - pg0;
  const settled = results.filter((r) => r === null).length;
  if (settled !== results.length)
    throw new Error(`${name}: ${results.length - settled} not settled`);
  const calls = store.counters.settleCalls - calls0;
  await store.close();
  return {
    name,
    perSecond: settled / seconds,
    clientMicros: ((cpu.user + cpu.system) / settled) * 1,
    pgMicros: (pgSeconds * 1e6) / settled,
    meanBatch: settled / calls,
  };
}

interface NodesFigure {
  readonly nodes: number;
  readonly settled: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly engineMicros: number;
  readonly pgMicros: number;
  readonly pgPerCpuSecond: number;
  readonly loadMicros: number;
  readonly refused: number;
  /** From the nodes' /v1/stats: transactions per settle call, and a call's mean wall time. */
  readonly meanBatch: number;
  readonly meanSettleMs: number;
  readonly retries: number;
}

/**
 * 2. `nodes` engine nodes under closed-loop HTTP load: `inFlight` single-transaction requests
 * outstanding per node (over 32 connections, pipelined), so a node's settle batches can grow to
 * that many transactions.
 */
async function measureNodes(
  cluster: LocalCluster,
  nodes: number,
  w: TransferWorkload,
  bodies: readonly string[],
  genesis: readonly string[],
  inFlight: number,
): Promise<NodesFigure> {
  const connections = 32;
  const url = await createDatabase(cluster, `nodes_${nodes}`);
  const procs: EngineProcess[] = [];
  const pools: Pool[] = [];
  try {
    for (let i = 0; i < nodes; i++) {
      procs.push(
        await startEngineProcess({
          journalPath: join(cluster.dir, `unused-${i}.ecj`),
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
            String(Math.max(1, Math.floor(CORES / nodes))),
          ],
          stderr: 'ignore',
          startTimeoutMs: 60_000,
        }),
      );
      pools.push(
        new Pool(procs[i]!.url, { connections, pipelining: Math.ceil(inFlight / connections) }),
      );
    }
    for (const body of genesis) {
      const res = await pools[0]!.request({
        method: 'POST',
        path: '/v1/tx/batch',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || text.includes('"rejected"'))
        throw new Error(`genesis: ${text.slice(0, 300)}`);
    }
    let next = 0;
    let measuring = false;
    let stop = false;
    const latencies: number[] = [];
    let settled = 0;
    let refused = 0;
    const lane = async (pool: Pool) => {
      while (!stop && next < bodies.length) {
        const body = bodies[next++]!;
        const t = performance.now();
        const res = await pool.request({
          method: 'POST',
          path: '/v1/tx',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await res.body.text();
        if (!measuring) continue;
        if (res.statusCode === 200) {
          settled++;
          latencies.push(performance.now() - t);
        } else refused++;
      }
    };
    const lanes = pools.flatMap((pool) => Array.from({ length: inFlight }, () => lane(pool)));
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    const pg0 = pgCpu(cluster);
    const eng0 = procs.reduce((s, p) => s + treeCpuSeconds(p.pid), 0);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    measuring = true;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (performance.now() - t0 >= SECONDS * 1000 || next >= bodies.length) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const pgSeconds = pgCpu(cluster) - pg0;
    const engSeconds = procs.reduce((s, p) => s + treeCpuSeconds(p.pid), 0) - eng0;
    const self = process.cpuUsage(self0);
    stop = true;
    await Promise.all(lanes);
    let calls = 0;
    let txs = 0;
    let settleMs = 0;
    let retries = 0;
    for (const p of procs) {
      const stats = (await (await fetch(`${p.url}/v1/stats`)).json()) as {
        database: { settleCalls: number; transactions: number; settleMs: number; retries: number };
      };
      calls += stats.database.settleCalls;
      txs += stats.database.transactions;
      settleMs += stats.database.settleMs;
      retries += stats.database.retries;
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return {
      nodes,
      settled,
      perSecond: settled / seconds,
      p50: q(0.5),
      p99: q(0.99),
      engineMicros: (engSeconds * 1e6) / settled,
      pgMicros: (pgSeconds * 1e6) / settled,
      pgPerCpuSecond: settled / pgSeconds,
      loadMicros: ((self.user + self.system) / settled) * 1,
      refused,
      meanBatch: txs / calls,
      meanSettleMs: settleMs / calls,
      retries,
    };
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(procs.map((p) => p.stop()));
  }
}

interface PgbenchFigure {
  readonly clients: number;
  readonly tps: number;
  readonly transactions: number;
  readonly pgMicros: number;
  readonly perPgCpuSecond: number;
}

/** 3. pgbench -N (simple-update), small scale, on the same cluster. */
async function measurePgbench(cluster: LocalCluster, clients: number): Promise<PgbenchFigure> {
  const url = await createDatabase(cluster, `pgbench_${clients}`);
  const bin = join(cluster.binaries.binDir, 'pgbench');
  await run(bin, ['-i', '-s', '10', '-q', url]);
  const pg0 = pgCpu(cluster);
  const { stdout } = await run(bin, [
    '-N',
    '-c',
    String(clients),
    '-j',
    String(CORES),
    '-T',
    String(SECONDS),
    url,
  ]);
  const pgSeconds = pgCpu(cluster) - pg0;
  const transactions = Number(/actually processed: (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  return {
    clients,
    tps,
    transactions,
    pgMicros: (pgSeconds * 1e6) / transactions,
    perPgCpuSecond: transactions / pgSeconds,
  };
}

async function main(): Promise<void> {
  const m = machine();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${load()}`);
  const cluster = await startLocalCluster();
  try {
    console.log(
      `private PostgreSQL ${cluster.binaries.major} cluster at ${cluster.dir} (default settings, fsync and synchronous_commit on)`,
    );

    console.log('\n1. the settle path alone (PostgresStore, batches of up to 512, one in flight)');
    const small = buildTransferWorkload(30_000, 'bench-clients');
    const drivers = {
      pg: (url: string) => pgDriver({ url, poolSize: 4, queryTimeoutMs: 60_000 }),
      postgres: (url: string) => postgresJsDriver({ url, poolSize: 4, queryTimeoutMs: 60_000 }),
    } as const;
    const byClient: Record<keyof typeof drivers, ClientFigure[]> = { pg: [], postgres: [] };
    // Alternating order (pg, postgres, postgres, pg, ...): a drift in the machine's load hits
    // both alike; medians per client.
    for (let round = 0; round < CLIENT_ROUNDS; round++) {
      const order = round % 2 === 0 ? (['pg', 'postgres'] as const) : (['postgres', 'pg'] as const);
      for (const name of order) {
        const f = await measureClient(cluster, `${name}_${round}`, drivers[name], small);
        byClient[name].push(f);
        console.log(
          `   round ${round + 1} ${name.padEnd(9)} ${f.perSecond.toFixed(0).padStart(6)} settled/s; client CPU ${f.clientMicros.toFixed(1)} us/tx, PostgreSQL CPU ${f.pgMicros.toFixed(1)} us/tx, mean batch ${f.meanBatch.toFixed(0)}`,
        );
      }
    }
    const clients = (['pg', 'postgres'] as const).map((name) => {
      const fs = byClient[name];
      return {
        name,
        perSecond: median(fs.map((f) => f.perSecond)),
        clientMicros: median(fs.map((f) => f.clientMicros)),
        pgMicros: median(fs.map((f) => f.pgMicros)),
      };
    });
    for (const c of clients)
      console.log(
        `   median ${c.name.padEnd(9)} ${c.perSecond.toFixed(0).padStart(6)} settled/s; client CPU ${c.clientMicros.toFixed(1)} us/tx, PostgreSQL CPU ${c.pgMicros.toFixed(1)} us/tx`,
      );
    if (process.env['ECNY_BENCH_ONLY'] === 'clients') return;

    console.log(
      `\n2. engine nodes (serve --store postgres, ${CORES} verification threads in all), ${IN_FLIGHT} single-tx requests in flight per node, ${SECONDS} s timed after ${WARMUP_SECONDS} s warm-up`,
    );
    const big = buildTransferWorkload(80_000, 'bench-nodes');
    const bodies = big.transfers.map((tx) => JSON.stringify(toWire(tx)));
    const genesis: string[] = [];
    for (let at = 0; at < big.genesis.length; at += 64)
      genesis.push(JSON.stringify({ txs: big.genesis.slice(at, at + 64).map(toWire) }));
    const figures: NodesFigure[] = [];
    for (const nodes of [1, 2]) {
      const f = await measureNodes(cluster, nodes, big, bodies, genesis, IN_FLIGHT);
      figures.push(f);
      console.log(
        `   ${nodes} node${nodes > 1 ? 's' : ' '}: ${f.perSecond.toFixed(0).padStart(6)} settled/s, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms; CPU per settled tx: engine ${f.engineMicros.toFixed(0)} us, PostgreSQL ${f.pgMicros.toFixed(1)} us, load generator ${f.loadMicros.toFixed(0)} us (${f.refused} refused)`,
      );
      console.log(
        `           settle calls: ${f.meanBatch.toFixed(0)} transactions each, ${f.meanSettleMs.toFixed(1)} ms each (round trip and COMMIT), ${f.retries} retried (whole run, genesis included)`,
      );
    }

    console.log(`\n3. pgbench -N (simple-update, scale 10), ${SECONDS} s`);
    const pgb: PgbenchFigure[] = [];
    for (const c of [8, 16, 32]) {
      const f = await measurePgbench(cluster, c);
      pgb.push(f);
      console.log(
        `   ${String(c).padStart(2)} clients: ${f.tps.toFixed(0).padStart(6)} tps; PostgreSQL CPU ${f.pgMicros.toFixed(1)} us per transaction = ${f.perPgCpuSecond.toFixed(0)} transactions per PostgreSQL CPU-second`,
      );
    }
    const reference = Math.max(...pgb.map((f) => f.perPgCpuSecond));

    console.log(
      '\n4. settled payments per PostgreSQL CPU-second ÷ pgbench -N transactions per PostgreSQL CPU-second (best pgbench client count)',
    );
    for (const f of figures) {
      const ratio = f.pgPerCpuSecond / reference;
      console.log(
        `   ${f.nodes} node${f.nodes > 1 ? 's' : ' '}: ${f.pgPerCpuSecond.toFixed(0)} / ${reference.toFixed(0)} = ${ratio.toFixed(2)}x  (target >= 1.0x: ${ratio >= 1 ? 'met' : 'NOT met'})`,
      );
    }
    console.log(
      `\nload average at the end: ${load()} (a shared machine: quote ratios, not absolutes)`,
    );
  } finally {
    await cluster.stop();
  }
}

await main();
