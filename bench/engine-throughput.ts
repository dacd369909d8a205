/**
 * Engine throughput without HTTP: pre-signed transfers through the pipeline (pool verify ->
 * registry -> journal group commit), all cores, process CPU measured over the timed region.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../engine/crypto/index.js';
import { defaultEngineConfig, openEngineService } from '../engine/service/index.js';
import { buildTransferWorkload } from './transfer-workload.js';

export interface EngineThroughput {
  readonly backend: BackendName;
  readonly threads: number;
  readonly transfers: number;
  readonly settled: number;
  readonly seconds: number;
  readonly settledPerSecond: number;
  /** Process CPU (main thread + workers) per settled transaction, microseconds. */
  readonly cpuMicrosPerTx: number;
  /** Main-thread busy time per settled transaction (event-loop utilisation), microseconds. */
  readonly mainThreadMicrosPerTx: number;
  readonly meanBatch: number;
  readonly fsyncs: number;
}

export async function measureEngineThroughput(
  backend: BackendName,
  transfers: number,
  threads: number,
  window = 8192,
): Promise<EngineThroughput> {
  const workload = buildTransferWorkload(transfers);
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-engine-'));
  const config = {
    ...defaultEngineConfig(),
    backend,
    threads,
    journalPath: join(dir, 'journal.ecj'),
    centralBankKey: workload.centralBankKey,
  };
  const service = await openEngineService(config);
  try {
    for (const tx of workload.genesis) {
      const outcome = await service.engine.submit(tx);
      if (outcome.status !== 'settled')
        throw new Error(`genesis failed: ${JSON.stringify(outcome)}`);
    }
    // Warm-up: a slice of transfers, not timed, so workers and caches are hot.
    const warm = Math.min(2000, Math.floor(transfers / 10));
    await drive(service.engine, workload.transfers.slice(0, warm), window);
    const before = service.stats();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const settled = await drive(service.engine, workload.transfers.slice(warm), window);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const after = service.stats();
    const batches = after.pool.batches - before.pool.batches;
    return {
      backend,
      threads,
      transfers: workload.transfers.length - warm,
      settled,
      seconds,
      settledPerSecond: settled / seconds,
      cpuMicrosPerTx: (cpu.user + cpu.system) / settled,
      mainThreadMicrosPerTx: (elu.active * 1000) / settled,
      meanBatch: batches > 0 ? (after.pool.items - before.pool.items) / batches : 0,
      fsyncs: after.journal.fsyncs - before.journal.fsyncs,
    };
  } finally {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  }
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
