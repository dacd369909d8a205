/**
 * `npm run bench:http`: end to end through HTTP, native backend, load generator on the same
 * machine (this process, closed loop with undici). In one run:
 *  - the machine's pure verification limit: native single-core rate × cores;
 *  - settled tx/s through `POST /v1/tx` (without and with HTTP pipelining) and through
 *    `POST /v1/tx/batch`, each as a share of that limit (target >= 70%).
 * One engine, one genesis; each configuration spends its own slice of independent transfers
 * (ECNY_BENCH_TRANSFERS each, default 24,000), closed loop, so the engine runs flat out.
 * Where the cores went is printed per configuration (Linux /proc): the engine process (all its
 * threads), this client, and everything else on the machine. On a shared machine "everything
 * else" is other people's work: the share of the limit then understates the engine, and the
 * engine's own settled tx per engine CPU-second (against native verifications per CPU-second)
 * is the figure that does not depend on what else runs.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { isoDay, type Tx, toWire } from '../engine/domain/index.js';
import { buildTransferWorkload, measureSingleRate } from '../gate/index.js';
import { startEngineProcess } from '../runner/index.js';
import { machine } from './verify.js';

interface Config {
  readonly name: string;
  readonly batch: number;
  readonly connections: number;
  readonly pipelining: number;
}

const CONFIGS: readonly Config[] = [
  { name: 'single tx, 32 connections, no pipelining', batch: 1, connections: 32, pipelining: 1 },
  { name: 'single tx, 8 connections, pipelining 16', batch: 1, connections: 8, pipelining: 16 },
  { name: 'batch of 64, 4 connections', batch: 64, connections: 4, pipelining: 1 },
  { name: 'batch of 256, 2 connections', batch: 256, connections: 2, pipelining: 1 },
];
const PER_CONFIG = Number(process.env.ECNY_BENCH_TRANSFERS ?? 24_000);

async function main(): Promise<void> {
  const m = machine();
  const cores = availableParallelism();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${load()}`);
  const native = measureSingleRate('native', { seconds: 3 });
  const limit = native.cpuRate * cores;
  console.log(
    `pure verification limit: ${native.cpuRate.toFixed(0)} verif/CPU-s × ${cores} cores = ${limit.toFixed(0)} /s`,
  );

  const workload = buildTransferWorkload(PER_CONFIG * CONFIGS.length + 8_000);
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-http-'));
  const engine = await startEngineProcess({
    journalPath: join(dir, 'journal.ecj'),
    // Closed loop with a fixed number in flight: the engine runs flat out by design, so the
    // admission bound in time (which would refuse the excess whenever other processes starve it
    // of CPU) is lifted; the figures are throughput and CPU per transaction.
    args: [
      '--central-bank-key',
      workload.centralBankKey,
      '--today',
      isoDay(workload.day),
      '--backend',
      'native',
      '--max-queue-delay-ms',
      '60000',
    ],
  });
  try {
    await send(
      engine.url,
      workload.genesis,
      { name: 'genesis', batch: 1, connections: 1, pipelining: 1 },
      true,
    );
    // Warm the engine's key caches and JIT (untimed): every payer once.
    let next = 0;
    const slice = (n: number) => {
      const start = next;
      next += n;
      return workload.transfers.slice(start, next);
    };
    await send(engine.url, slice(Math.min(8_000, workload.payers)), CONFIGS[2]!, false);
    console.log(
      `\n${PER_CONFIG} transfers per configuration, closed loop. Cores in use during each run: engine / client / other processes.` +
        `\n"engine efficiency": settled tx per engine CPU-second as a share of native verif/CPU-s (${native.cpuRate.toFixed(0)}).`,
    );
    console.log(
      `\nconfiguration                               settled/s  share of limit  seconds  cores: engine client other  engine efficiency  client CPU us/tx`,
    );
    for (const config of CONFIGS) {
      const txs = slice(PER_CONFIG);
      const before = cpuSnapshot(engine.pid);
      const r = await send(engine.url, txs, config, false);
      const after = cpuSnapshot(engine.pid);
      const engineCores = (after.engine - before.engine) / r.seconds;
      const clientCores = (r.clientCpuMicros * r.settled) / 1e6 / r.seconds;
      const otherCores = (after.busy - before.busy) / r.seconds - engineCores - clientCores;
      const efficiency = r.settled / (after.engine - before.engine) / native.cpuRate;
      const known = Number.isFinite(engineCores);
      console.log(
        `${config.name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(8)}  ${(100 * (r.perSecond / limit)).toFixed(1).padStart(13)}%` +
          `  ${r.seconds.toFixed(1).padStart(7)}` +
          `  ${known ? engineCores.toFixed(2).padStart(13) : '?'.padStart(13)} ${clientCores.toFixed(2).padStart(6)} ${known ? Math.max(0, otherCores).toFixed(2).padStart(5) : '?'.padStart(5)}` +
          `  ${known ? `${(100 * efficiency).toFixed(1)}%`.padStart(17) : '?'.padStart(17)}  ${r.clientCpuMicros.toFixed(1).padStart(16)}`,
      );
    }
    console.log(
      `\nthe load generator shares the ${cores} cores with the engine; load average at the end ${load()}`,
    );
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Closed loop: every connection keeps `pipelining` requests in flight until the list is sent. */
async function send(
  url: string,
  txs: readonly Tx[],
  config: Config,
  ordered: boolean,
): Promise<{ perSecond: number; clientCpuMicros: number; seconds: number; settled: number }> {
  const bodies: string[] = [];
  for (let i = 0; i < txs.length; i += config.batch) {
    const chunk = txs.slice(i, i + config.batch).map((tx) => toWire(tx));
    bodies.push(config.batch === 1 ? JSON.stringify(chunk[0]) : JSON.stringify({ txs: chunk }));
  }
  const path = config.batch === 1 ? '/v1/tx' : '/v1/tx/batch';
  const pool = new Pool(url, { connections: config.connections, pipelining: config.pipelining });
  let next = 0;
  let settled = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await pool.request({
        method: 'POST',
        path,
        body,
        headers: { 'content-type': 'application/json' },
        idempotent: true,
        // undici holds every further request on a connection until a "blocking" request's
        // response headers arrive, and POSTs block by default: without this, pipelining 16 sends
        // one request at a time per connection.
        blocking: config.pipelining === 1,
      });
      const answer = (await res.body.json()) as {
        status?: string;
        results?: Array<{ status: string }>;
      };
      const statuses = answer.results ? answer.results.map((r) => r.status) : [answer.status];
      for (const s of statuses) {
        if (s === 'settled') settled++;
        else throw new Error(`not settled: ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }
  };
  const lanes = ordered ? 1 : config.connections * config.pipelining;
  await Promise.all(Array.from({ length: lanes }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  return {
    perSecond: settled / seconds,
    clientCpuMicros: (cpu.user + cpu.system) / settled,
    seconds,
    settled,
  };
}

/**
 * CPU-seconds so far: the engine process (user + system, all threads) and the whole machine
 * (busy time over all cores), from Linux /proc; NaN elsewhere.
 */
function cpuSnapshot(enginePid: number): { engine: number; busy: number } {
  const TICKS = 100; // USER_HZ on Linux
  try {
    const stat = readFileSync(`/proc/${enginePid}/stat`, 'utf8');
    // fields after the parenthesised command name: state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const engine = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1);
    const ticks = cpu.map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = ticks[3]! + ticks[4]!;
    return { engine, busy: (total - idle) / TICKS };
  } catch {
    return { engine: Number.NaN, busy: Number.NaN };
  }
}

function load(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

await main();
