/**
 * Engine throughput without HTTP: pre-signed transfers through the pipeline (pool verify ->
 * registry -> journal group commit), all cores, process CPU measured over the timed region.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendName, SuiteName } from '../engine/crypto/index.js';
import { defaultEngineConfig, openEngineService } from '../engine/service/index.js';
import { buildTransferWorkload } from '../gate/index.js';

export interface EngineThroughput {
  readonly backend: BackendName;
  readonly suite: SuiteName;
  readonly threads: number;
  readonly transfers: number;
  readonly settled: number;
  readonly seconds: number;
  readonly settledPerSecond: number;
  /** Process CPU (main thread + workers) per settled transaction, microseconds. */
  readonly cpuMicrosPerTx: number;
  /**
   * Main-thread CPU per settled transaction (admission, registry, journal writes), microseconds:
   * from /proc/self/task on Linux, else event-loop busy time.
   */
  readonly mainThreadMicrosPerTx: number;
  /** CPU of every other thread (verification workers, fsync and I/O threads) per settled tx. */
  readonly otherThreadsMicrosPerTx: number | null;
  readonly warmupTransfers: number;
  readonly meanBatch: number;
  readonly fsyncs: number;
}

export async function measureEngineThroughput(
  backend: BackendName,
  transfers: number,
  threads: number,
  window = 8192,
  suite: SuiteName = 'ed25519',
): Promise<EngineThroughput> {
  const workload = buildTransferWorkload(transfers, 'bench', suite);
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-engine-'));
  const config = {
    ...defaultEngineConfig(),
    suite,
    backend,
    threads,
    journalPath: join(dir, 'journal.ecj'),
    centralBankKey: workload.centralBankKey,
    today: workload.day,
  };
  const service = await openEngineService(config);
  try {
    for (const tx of workload.genesis) {
      const outcome = await service.engine.submit(tx);
      if (outcome.status !== 'settled')
        throw new Error(`genesis failed: ${JSON.stringify(outcome)}`);
    }
    // Warm-up: a slice of transfers, not timed, so workers and caches are hot.
    // Warm-up, not timed: every payer pays twice (transfer i is paid by wallet i mod W), so each
    // worker's key cache holds the keys it will see: the steady state of a running engine. A
    // key's first use costs one OpenSSL key import per worker (~5 us, ed25519/native.ts).
    const warm = Math.min(2 * workload.payers, Math.floor(workload.transfers.length / 3));
    await drive(service.engine, workload.transfers.slice(0, warm), window);
    const threads0 = threadCpuTimes();
    const before = service.stats();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const settled = await drive(service.engine, workload.transfers.slice(warm), window);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const threadTicks = diffTicks(threads0, threadCpuTimes());
    const after = service.stats();
    const batches = after.pool.batches - before.pool.batches;
    return {
      backend,
      suite,
      threads,
      transfers: workload.transfers.length - warm,
      settled,
      seconds,
      settledPerSecond: settled / seconds,
      cpuMicrosPerTx: (cpu.user + cpu.system) / settled,
      mainThreadMicrosPerTx:
        threadTicks === null ? (elu.active * 1000) / settled : threadTicks.main / settled,
      otherThreadsMicrosPerTx: threadTicks === null ? null : threadTicks.others / settled,
      warmupTransfers: warm,
      meanBatch: batches > 0 ? (after.pool.items - before.pool.items) / batches : 0,
      fsyncs: (after.journal?.fsyncs ?? 0) - (before.journal?.fsyncs ?? 0),
    };
  } finally {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Linux reports per-thread CPU in clock ticks (USER_HZ, 100 per second on every mainstream kernel). */
const TICK_MICROS = 10_000;

/**
 * CPU microseconds per thread id of this process, or null where /proc is unavailable. From
 * /proc/self/task/<tid>/schedstat (nanoseconds on the CPU) where the kernel has it, else from the
 * stat file's utime + stime (10 ms ticks: ±1 tick per thread per reading).
 */
function threadCpuTimes(): Map<string, number> | null {
  try {
    const micros = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        micros.set(tid, threadCpuMicros(tid));
      } catch {
        // the thread ended between listing and reading
      }
    }
    return micros;
  } catch {
    return null;
  }
}

function threadCpuMicros(tid: string): number {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(ns) && ns > 0) return ns / 1000;
  } catch {
    // no schedstat: fall back to ticks
  }
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
}

function diffTicks(
  before: Map<string, number> | null,
  after: Map<string, number> | null,
): { main: number; others: number } | null {
  if (!before || !after) return null;
  let main = 0;
  let others = 0;
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) main += d;
    else others += d;
  }
  return { main, others };
}

/** Keeps up to `window` transactions in flight; returns how many settled. */
async function drive(
  engine: { submit(tx: import('../engine/domain/index.js').Tx): Promise<{ status: string }> },
  txs: readonly import('../engine/domain/index.js').Tx[],
  window: number,
): Promise<number> {
  let next = 0;
  let settled = 0;
  const lane = async () => {
    while (next < txs.length) {
      const tx = txs[next++]!;
      const outcome = await engine.submit(tx);
      if (outcome.status === 'settled') settled++;
      else throw new Error(`transfer not settled: ${JSON.stringify(outcome)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, txs.length) }, lane));
  return settled;
}
