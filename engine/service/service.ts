/**
 * Opens the engine as a running service: opens its store (memory: recovers the registry from the
 * journal and proves the books; postgres: connects and applies the migrations), starts the
 * verification pool, and exposes one stats snapshot for /v1/stats and /metrics.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAcceptablePublicKey, isWellFormedPublicKey } from '../crypto/index.js';
import { CodedError, dayOfMs, decodeSigned, tierTableYuan, txSuite } from '../domain/index.js';
import { Journal } from '../journal/index.js';
import {
  EngineMetrics,
  type Percentiles,
  percentiles,
  RuntimeMetrics,
  readThreadCpu,
} from '../metrics/index.js';
import { SettlementEngine } from '../pipeline/index.js';
import { type LedgerStore, MemoryStore, Registry, type StoreKind } from '../registry/index.js';
import { VerifyPool } from '../verify-pool/index.js';
import { checkEngineConfig, type EngineConfig } from './config.js';
import type { StatsContract } from './stats-contract.js';

export interface Recovery {
  readonly store: StoreKind;
  /** Transactions replayed from the journal (memory store; 0 for postgres). */
  readonly records: number;
  /** Bytes of a torn tail (or, when told to truncate, of corruption) that were cut, never applied. */
  readonly droppedBytes: number;
  readonly dropReason: string | null;
  /**
   * Intact records discarded behind a corrupt one (only with journalCorruption 'truncate'):
   * most likely acknowledged transactions that are now lost.
   */
  readonly recordsDiscarded: number;
  /** Postgres store: schema migrations this start applied. */
  readonly migrationsApplied?: readonly number[];
  readonly ms: number;
}

export interface EngineService {
  readonly engine: SettlementEngine;
  readonly store: LedgerStore;
  readonly config: EngineConfig;
  readonly recovery: Recovery;
  /** Prometheus metrics (/metrics): stage histograms, counters, gauges. */
  readonly metrics: EngineMetrics;
  /** The engine's current value day (docs/api.md, `day`). */
  today(): number;
  stats(): EngineStats;
  close(): Promise<void>;
}

export type EngineStats = ReturnType<typeof collectStats>;

/** The memory store of a service, or an error naming the store it has (tests, tools). */
export function memoryStoreOf(service: EngineService): MemoryStore {
  if (!(service.store instanceof MemoryStore))
    throw new TypeError(`the engine runs the ${service.store.kind} store, not memory`);
  return service.store;
}

export class RecoveryError extends CodedError {
  readonly code = 'RECOVERY_FAILED';
  readonly kind = 'failure';
}

export async function openEngineService(config: EngineConfig): Promise<EngineService> {
  checkEngineConfig(config);
  const started = performance.now();
  const today = clockOf(config);
  const { store, recovery } = await openStore(config, today, started);
  const metrics = new EngineMetrics();
  const runtime = new RuntimeMetrics(metrics);
  observeStore(metrics, store);
  const pool = new VerifyPool({
    backend: config.backend,
    suite: config.suite,
    ...(config.sm2Id === undefined ? {} : { sm2Id: config.sm2Id }),
    threads: config.threads,
    maxBatch: config.maxBatch,
    maxQueue: config.maxQueue,
    extraWorkPerItem: config.extraWorkPerItem,
    // Requests read in one event-loop turn leave as one batch (docs/verify-pool.md).
    dispatch: 'turn',
    metrics,
    ...(config.faults?.crashAfterBatches
      ? { crashAfterBatches: config.faults.crashAfterBatches }
      : {}),
  });
  const engine = new SettlementEngine(
    store,
    pool,
    config.maxInflight,
    config.maxQueueDelayMs,
    metrics,
  );
  observeThreads(metrics, pool);
  const cpu = new CpuMeter();
  const window = new PoolWindow(pool);
  // The table in force, in yuan, for stats: a load side checks it matches its workload's.
  const tiers = { name: config.tiers.name, ...tierTableYuan(config.tiers.table) };
  return {
    engine,
    store,
    config,
    recovery,
    metrics,
    today,
    stats: () => collectStats(engine, pool, store, cpu, window, metrics, runtime, tiers),
    close: () => {
      window.stop();
      runtime.stop();
      return engine.close();
    },
  };
}

/**
 * CPU by thread, the same figures as /v1/stats `threads` (Linux /proc; absent elsewhere): which
 * thread saturates first is what a capacity elbow is bound by (docs/capacity.md).
 */
function observeThreads(metrics: EngineMetrics, pool: VerifyPool): void {
  const other = { userMs: 0, systemMs: 0 };
  metrics.registry.collected(
    'ecny_thread_cpu_seconds_total',
    'counter',
    "CPU of the engine's threads by role (main; each verification worker by OS thread id; the rest of the process), by mode.",
    () => {
      const t = readThreadCpu(pool.workerThreadIds);
      if (t === null) return [];
      // "other" is the exact process total less threads read in 10 ms ticks, so it can dip by
      // a tick: held at its highest, as a counter must never go down.
      other.userMs = Math.max(other.userMs, t.other.userMs);
      other.systemMs = Math.max(other.systemMs, t.other.systemMs);
      const rows: Array<[string, number]> = [];
      const add = (labels: string, cpu: { userMs: number; systemMs: number }) => {
        rows.push([`{${labels},mode="user"}`, cpu.userMs / 1000]);
        rows.push([`{${labels},mode="system"}`, cpu.systemMs / 1000]);
      };
      add('thread="main"', t.main);
      for (const v of t.verify) add(`thread="verify",tid="${v.tid}"`, v);
      add('thread="other"', other);
      return rows;
    },
  );
}

/**
 * The store's own metrics: the memory store's journal commits and backlog; the postgres store's
 * settle calls and retries, read from its counters when scraped.
 */
function observeStore(metrics: EngineMetrics, store: LedgerStore): void {
  if (store instanceof MemoryStore) {
    if (store.journal instanceof Journal) metrics.observeJournal(store.journal);
    return;
  }
  const counter = (name: string, help: string, key: string) =>
    metrics.registry.collected(name, 'counter', help, () => {
      const value = store.stats()[key];
      return [['', typeof value === 'number' ? value : 0]];
    });
  counter('ecny_db_settle_calls_total', 'Settle calls (database round trips).', 'settleCalls');
  counter('ecny_db_retries_total', 'Settle calls retried after an abort.', 'retries');
}

async function openStore(
  config: EngineConfig,
  today: () => number,
  started: number,
): Promise<{ store: LedgerStore; recovery: Recovery }> {
  const c = config.store;
  if (c.kind === 'postgres') {
    // Loaded only when asked for: the memory default never loads a database client.
    const { openPostgresStore } = await import('../registry/postgres/index.js');
    const suite = config.suite;
    const opened = await openPostgresStore({
      url: c.databaseUrl,
      centralBankKey: config.centralBankKey,
      tiers: config.tiers.table,
      acceptKey: (key) => isAcceptablePublicKey(key, suite),
      today,
      maxBatch: c.settleBatch,
      poolSize: c.poolSize,
    });
    return {
      store: opened.store,
      recovery: {
        store: 'postgres',
        records: 0,
        droppedBytes: 0,
        dropReason: null,
        recordsDiscarded: 0,
        migrationsApplied: opened.migrations.applied,
        ms: performance.now() - started,
      },
    };
  }
  const { registry, journal, records } = await recoverRegistry(config, today);
  return {
    store: new MemoryStore(registry, journal),
    recovery: {
      store: 'memory',
      records,
      droppedBytes: journal.recovery.droppedBytes,
      dropReason: journal.recovery.reason,
      recordsDiscarded: journal.recovery.recordsAfterCorruption,
      ms: performance.now() - started,
    },
  };
}

/**
 * The pool's wait and verify percentiles of the last whole second, for charts of the engine over
 * time: the pool's own `stats()` percentiles cover its lifetime, and a lifetime p99 plotted per
 * second flattens every spike into the run's history.
 */
class PoolWindow {
  readonly #timer: NodeJS.Timeout;
  #last: {
    readonly seconds: number;
    readonly endedAt: string;
    readonly wait: Percentiles;
    readonly verify: Percentiles;
  } | null = null;

  constructor(pool: VerifyPool) {
    pool.takeIntervalHistograms();
    this.#timer = setInterval(() => {
      const h = pool.takeIntervalHistograms();
      this.#last = {
        seconds: 1,
        endedAt: new Date().toISOString(),
        wait: percentiles(h.queueWait),
        verify: percentiles(h.verify),
      };
    }, 1000);
    this.#timer.unref();
  }

  get last() {
    return this.#last;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A registry rebuilt from its journal, and the journal, open and ready to append. */
export interface RecoveredRegistry {
  readonly registry: Registry;
  readonly journal: Journal;
  /** Transactions replayed from the journal. */
  readonly records: number;
}

/**
 * Recovery, the part of `openEngineService` that restart time is made of: replays the journal
 * into a fresh registry and proves the books. Throws RecoveryError (journal closed) if a record
 * does not decode or apply, or the books do not reconcile, and JournalCorruptError (file
 * untouched) for a corrupt record unless `journalCorruption` is 'truncate'.
 */
export async function recoverRegistry(
  config: Pick<EngineConfig, 'centralBankKey' | 'journalPath' | 'faults'> &
    Partial<Pick<EngineConfig, 'journalCorruption' | 'suite' | 'tiers'>>,
  today: (() => number) | null = null,
): Promise<RecoveredRegistry> {
  // Keys registered by journaled records get only the byte-level checks (length, canonical
  // encoding, not a small-order encoding), not the full isAcceptablePublicKey (a point decode and
  // a scalar multiplication by L, ~0.8 ms: 40 s of restart for a 50 000-wallet city). Sound
  // because:
  //  - the engine is the journal's only writer, and it appends a record only after
  //    `registry.apply` accepted it with `isAcceptablePublicKey`: every key in the journal passed
  //    the full check, a pure function of the key bytes (docs/signatures.md), when first seen;
  //  - each record reaches us only after its CRC matched, so the key bytes are the ones checked;
  //    a record that fails it is never applied: recovery refuses to start, or cuts there
  //    (docs/journal.md);
  //  - a checksum is no signature: whoever can write the file can forge any record. Replay never
  //    re-verified signatures for that reason; the journal is trusted storage either way, and
  //    re-checking key arithmetic added no protection a forged record could not walk around.
  // The cheap checks stay, to refuse gross garbage (a foreign or hand-made file) loudly. Once the
  // journal is replayed, every new key gets the full check again.
  const suiteName = config.suite ?? 'ed25519';
  const suite = txSuite(suiteName);
  let acceptKey = isWellFormedPublicKey;
  // Replayed records had their value days checked against the clock of their day: replay
  // re-applies them without the clock, and the clock starts once the journal is replayed.
  let clock: (() => number) | null = null;
  const registry = new Registry({
    centralBankKey: config.centralBankKey,
    ...(config.tiers ? { tiers: config.tiers.table } : {}),
    acceptKey: (key) => acceptKey(key, suiteName),
    today: () => (clock === null ? null : clock()),
  });
  await mkdir(dirname(config.journalPath), { recursive: true });
  let records = 0;
  const journal = await Journal.open(config.journalPath, {
    onRecord(payload, index) {
      const tx = decodeSigned(payload, suite);
      // A record passed its checksum, so a failure here is a bug or a foreign file: stop loudly.
      if (!tx)
        throw new RecoveryError(
          `journal record ${index} does not decode as a ${suiteName} record (a journal of another suite?)`,
        );
      const rejection = registry.apply(tx);
      if (rejection)
        throw new RecoveryError(
          `journal record ${index} (${tx.txidHex}) no longer applies: ${rejection.code}`,
        );
      records++;
    },
    onCorruption: config.journalCorruption ?? 'refuse',
    ...(config.faults?.journal ? { faults: config.faults.journal } : {}),
  });
  acceptKey = isAcceptablePublicKey;
  clock = today;
  const books = registry.reconcile();
  if (!books.ok) {
    await journal.close();
    throw new RecoveryError(`books do not reconcile after recovery: ${books.problems.join('; ')}`);
  }
  return { registry, journal, records };
}

/** The engine's value day: the fixed `today`, else the system clock's UTC day. */
function clockOf(config: EngineConfig): () => number {
  const fixed = config.today;
  return fixed !== null ? () => fixed : () => dayOfMs(Date.now());
}

/** Process CPU (main thread and workers together), total and since the previous reading. */
class CpuMeter {
  readonly #start = process.cpuUsage();
  #last = { at: performance.now(), usage: process.cpuUsage() };

  read(): { userMs: number; systemMs: number; percentSinceLast: number } {
    const now = performance.now();
    const usage = process.cpuUsage();
    const delta = usage.user - this.#last.usage.user + usage.system - this.#last.usage.system;
    const wall = (now - this.#last.at) * 1000;
    this.#last = { at: now, usage };
    return {
      userMs: (usage.user - this.#start.user) / 1000,
      systemMs: (usage.system - this.#start.system) / 1000,
      percentSinceLast: wall > 0 ? (100 * delta) / wall : 0,
    };
  }
}

function collectStats(
  engine: SettlementEngine,
  pool: VerifyPool,
  store: LedgerStore,
  cpu: CpuMeter,
  window: PoolWindow,
  metrics: EngineMetrics,
  runtime: RuntimeMetrics,
  tiers: Record<string, unknown>,
) {
  const c = engine.counters;
  const poolStats = pool.stats();
  const memory = store instanceof MemoryStore ? store : null;
  const stats = {
    store: store.kind,
    uptimeS: process.uptime(),
    settled: c.settled,
    rejected: c.rejected,
    rejectedByCode: c.rejectedByCode,
    admitted: c.admitted,
    overloaded: c.overloaded,
    shedEarly: c.shedEarly,
    queueDelayMs: pool.queueDelayMs(),
    unavailable: c.unavailable,
    inflight: c.inflight,
    maxInflight: c.maxInflight,
    queueDepth: poolStats.queueDepth,
    pool: poolStats,
    /** Pool wait and verify percentiles (ms) of the last whole second; null in the first second. */
    poolLastSecond: window.last,
    /** Memory store: the journal's counters and the lifecycle totals (postgres: /v1/reconcile). */
    journal: memory ? (memory.journal as Journal).stats() : null,
    lifecycle: memory ? memory.registry.lifecycle : null,
    /** Postgres store: settle calls, batch sizes, retries, down events. */
    database: memory ? null : store.stats(),
    cpu: cpu.read(),
    rssBytes: process.memoryUsage.rss(),
    /** Cumulative time per stage and per outcome (the driver differences them per second). */
    timing: metrics.totals(),
    runtime: runtime.snapshot(),
    /** CPU by thread role (Linux; null elsewhere). */
    threads: readThreadCpu(pool.workerThreadIds),
    tiers,
    failure: engine.failure?.message ?? null,
  };
  // The driver reads this document by StatsContract: a change that breaks it fails to compile.
  return stats satisfies StatsContract;
}
