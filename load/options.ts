/**
 * Options of an open-model run: pure data, checked in one place before anything starts. Every
 * problem is collected and reported at once, each naming its option.
 */

import { type ScheduleSpec, validateSchedule } from '../rates/index.js';
import type { Percentiles } from '../result-format/index.js';
import type { WorkloadMeta } from '../scenarios/workload/index.js';
import { CLIENTS, type ClientName } from './clients/index.js';
import { DriverError } from './errors.js';
import type { WatchedProcess } from './resources.js';
import { type Shard, WHOLE } from './segment.js';

export { CLIENTS, type ClientName };

export interface LoadRunOptions {
  /**
   * Engine base URL, e.g. `http://127.0.0.1:8080`, or several (a list, or one string of URLs
   * separated by commas): engine nodes sharing one ledger. Each generator process sends to one
   * of them (`targetOf`: lanes are spread over the targets with the processes), and genesis
   * operations go to them in turn; the processes of all shards must be at least the targets.
   */
  readonly target: string | readonly string[];
  /** Path transactions are POSTed to. Default `/v1/tx`. */
  readonly path?: string;
  /**
   * The generators' HTTP client: `lean`, the project's own HTTP/1.1 client (default: the one
   * with the fewest CPU-seconds per request), or `undici`, an undici Pool. Recorded in
   * result.json `config.client`. docs/driver.md says where the two differ (answer timeout).
   */
  readonly client?: ClientName;
  /** Load-generator processes on this host. Default 1. */
  readonly processes?: number;
  /** HTTP connections per process. Default 16. */
  readonly connections?: number;
  /**
   * Requests in flight per connection (HTTP/1.1 pipelining). Default 1. A connection that breaks
   * fails every request it carried; those are resent like any connection failure (a
   * transaction id makes a resend harmless).
   */
  readonly pipelining?: number;
  /** Requests in flight per process. Default connections × pipelining. */
  readonly maxInFlight?: number;
  /**
   * Lateness bound: an op that cannot be sent within this many ms of becoming sendable is
   * dropped and counted (k6's dropped_iterations). Default 1000. `Infinity`: never drop.
   */
  readonly maxLagMs?: number;
  /** Dropped sends fail the run unless true. Default false. */
  readonly allowDrops?: boolean;
  /** After the last send, how long to wait without progress before in-flight ops count as lost. Default 5000. */
  readonly graceMs?: number;
  /** Retries of an op answered 503 OVERLOADED (after its Retry-After). Default 5. */
  readonly maxRetries?: number;
  /** Retries of an op whose connection failed before any answer. Default 2. */
  readonly connectRetries?: number;
  /**
   * Answer timeout in ms: a connection with requests in flight and no answer completing for
   * this long fails its oldest request (lost, never resent) and closes; 0 = none (the grace
   * period decides). Default 0.
   */
  readonly requestTimeoutMs?: number;
  /** Override the workload's intended send times with a rate schedule. */
  readonly schedule?: ScheduleSpec;
  /** This host's shard of a multi-host run. Default 0/1. */
  readonly shard?: Shard;
  /** Agreed start of the measured phase, epoch ms (`--start-at`). Default: now + startLeadMs once all generators are ready. */
  readonly startAt?: number;
  /**
   * A start barrier (a run coordinator, docs/distributed.md): called once, when every local
   * generator is ready (workload loaded, connections open) and this host's genesis, if it sends
   * it, is complete; resolves with the start instant on this host's clock. Exclusive with
   * `startAt`. Rejecting fails the run before anything is measured.
   */
  readonly startGate?: (ready: ShardReady) => Promise<StartDecision>;
  /** Lead time between "all generators ready" and the start. Default 500. */
  readonly startLeadMs?: number;
  /** Send the genesis phase first. Default true on shard 0 only (one host sets up the engine). */
  readonly sendGenesis?: boolean;
  /** Concurrency of the closed-loop genesis phase. Default 32. */
  readonly genesisConcurrency?: number;
  /** Workload file the generator processes load. Default: a temporary copy of `workload`. */
  readonly workloadPath?: string;
  /** Engine stats polling period (GET /v1/stats). Default 1000; 0 disables. */
  readonly statsIntervalMs?: number;
  /**
   * Processes sampled on the stats beat into the run's resources besides the engines and the
   * generators (the PostgreSQL server of a private cluster). Default none.
   */
  readonly watch?: readonly WatchedProcess[];
  /** How often generators ship their per-second data. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Open `connections` sockets before the start so connects do not count as send lag. Default true. */
  readonly warmup?: boolean;
  /** The generator script to fork. Default `dist/workers/loadgen-process.js`. */
  readonly workerPath?: string;
  /** Called when a second is complete, with its counters merged over all generators. */
  readonly onProgress?: (second: Progress) => void;
  /**
   * Stops the measured phase early: the generators stop sending, answers in flight are not
   * awaited, and the run resolves with what was measured up to then (`LoadRun.stopped`). Before
   * the measured phase starts, aborting rejects with the signal's reason instead.
   */
  readonly signal?: AbortSignal;
}

/** What a host reports to a start barrier when it is ready to start. */
export interface ShardReady {
  /** The workload's description: every shard of one run must load the same workload. */
  readonly workload: WorkloadMeta;
  /** Ops this host will send (its share). */
  readonly planned: number;
  /** Genesis ops of the workload, and how many of them this host sent (all or none). */
  readonly genesisTotal: number;
  readonly genesisOps: number;
  /** Planned length of the measured phase, ms. */
  readonly durationMs: number;
}

/** A start barrier's answer: when to start, and what to record of how that was decided. */
export interface StartDecision {
  /** The start of the measured phase, epoch ms on this host's clock. */
  readonly startAtMs: number;
  /** Recorded in result.json as `config.barrier`. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** One completed second, for live progress output. */
export interface Progress {
  readonly t: number;
  readonly offered: number;
  readonly sent: number;
  readonly achieved: number;
  readonly dropped: number;
  readonly errors: number;
  /** The measured phase so far, over every generator (for progress lines and abortOnFail). */
  readonly sofar: ProgressSoFar;
}

/** Totals and latency of the measured phase up to a progress report. */
export interface ProgressSoFar {
  /** Seconds of the measured phase completed. */
  readonly seconds: number;
  /** Ops of the whole run (every generator's share). */
  readonly planned: number;
  readonly offered: number;
  readonly sent: number;
  /** Answers received (settled + rejected). */
  readonly achieved: number;
  readonly settled: number;
  readonly dropped: number;
  readonly errors: number;
  readonly rejectedByCode: Readonly<Record<string, number>>;
  /** Latency from the intended send, ms. */
  readonly latency: Percentiles;
  /** Service time, ms. */
  readonly uncorrected: Percentiles;
  readonly sendLag: Percentiles;
}

/** What each generator process needs (JSON-safe: Infinity is sent as null). */
export interface GeneratorConfig {
  readonly target: string;
  readonly path: string;
  readonly client: ClientName;
  readonly connections: number;
  readonly pipelining: number;
  readonly maxInFlight: number;
  readonly maxLagMs: number | null;
  readonly graceMs: number;
  readonly maxRetries: number;
  readonly connectRetries: number;
  readonly requestTimeoutMs: number;
  readonly schedule: ScheduleSpec | null;
  readonly flushIntervalMs: number;
  readonly warmup: boolean;
}

export interface ResolvedLoadRunOptions {
  /** `generator.target` is the first; each process gets its own (coordinator, `targetOf`). */
  readonly generator: GeneratorConfig;
  /** Every target, as origins, in the order given. */
  readonly targets: readonly string[];
  readonly processes: number;
  readonly shard: Shard;
  readonly startAt: number | undefined;
  readonly startGate: LoadRunOptions['startGate'];
  readonly startLeadMs: number;
  readonly sendGenesis: boolean;
  readonly genesisConcurrency: number;
  readonly allowDrops: boolean;
  readonly workloadPath: string | undefined;
  readonly statsIntervalMs: number;
  readonly watch: readonly WatchedProcess[];
  readonly workerPath: string | undefined;
}

/** Applies defaults and checks everything; throws one DriverError listing every problem. */
export function resolveLoadRunOptions(options: LoadRunOptions): ResolvedLoadRunOptions {
  const errors: string[] = [];
  const int = (name: keyof LoadRunOptions, fallback: number, min: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      errors.push(`${name} must be an integer >= ${min}, got ${String(v)}`);
      return fallback;
    }
    return v;
  };
  const targets = parseTargets(options.target, errors);
  const path = options.path ?? '/v1/tx';
  if (!path.startsWith('/')) errors.push(`path must start with /, got ${JSON.stringify(path)}`);
  const client = options.client ?? 'lean';
  if (!(CLIENTS as readonly unknown[]).includes(client)) {
    errors.push(`client must be one of ${CLIENTS.join(', ')}, got ${JSON.stringify(client)}`);
  }
  const processes = int('processes', 1, 1);
  const connections = int('connections', 16, 1);
  const pipelining = int('pipelining', 1, 1);
  const maxInFlight = int('maxInFlight', connections * pipelining, 1);
  const maxLagMs = options.maxLagMs ?? 1000;
  if (typeof maxLagMs !== 'number' || Number.isNaN(maxLagMs) || maxLagMs < 0) {
    errors.push(`maxLagMs must be >= 0 or Infinity, got ${String(maxLagMs)}`);
  }
  const graceMs = int('graceMs', 5000, 0);
  const maxRetries = int('maxRetries', 5, 0);
  const connectRetries = int('connectRetries', 2, 0);
  const requestTimeoutMs = int('requestTimeoutMs', 0, 0);
  const startLeadMs = int('startLeadMs', 500, 0);
  const genesisConcurrency = int('genesisConcurrency', 32, 1);
  const statsIntervalMs = int('statsIntervalMs', 1000, 0);
  const flushIntervalMs = int('flushIntervalMs', 1000, 10);
  const shard = options.shard ?? WHOLE;
  if (
    !Number.isSafeInteger(shard.index) ||
    !Number.isSafeInteger(shard.count) ||
    shard.count < 1 ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    errors.push(`shard must satisfy 0 <= index < count, got ${shard.index}/${shard.count}`);
  }
  if (options.startAt !== undefined && !Number.isFinite(options.startAt)) {
    errors.push(`startAt must be epoch ms, got ${String(options.startAt)}`);
  }
  if (options.startAt !== undefined && options.startGate !== undefined) {
    errors.push('startAt and startGate exclude each other: the barrier decides the start');
  }
  if (options.schedule !== undefined) errors.push(...validateSchedule(options.schedule));
  if (targets.length > processes * shard.count)
    errors.push(
      `${targets.length} targets need at least as many generator processes over all shards (each process sends to one target), got ${processes * shard.count}`,
    );
  if (errors.length > 0) {
    throw new DriverError('DRIVER_BAD_OPTIONS', `invalid load options:\n  ${errors.join('\n  ')}`);
  }
  return {
    targets,
    generator: {
      target: targets[0] ?? '',
      path,
      client,
      connections,
      pipelining,
      maxInFlight,
      maxLagMs: Number.isFinite(maxLagMs) ? maxLagMs : null,
      graceMs,
      maxRetries,
      connectRetries,
      requestTimeoutMs,
      schedule: options.schedule ?? null,
      flushIntervalMs,
      warmup: options.warmup ?? true,
    },
    processes,
    shard,
    startAt: options.startAt,
    startGate: options.startGate,
    startLeadMs,
    sendGenesis: options.sendGenesis ?? shard.index === 0,
    genesisConcurrency,
    allowDrops: options.allowDrops ?? false,
    workloadPath: options.workloadPath,
    statsIntervalMs,
    watch: options.watch ?? [],
    workerPath: options.workerPath,
  };
}

/** The targets of `target` as origins (a list, or URLs separated by commas); problems to `errors`. */
export function parseTargets(target: string | readonly string[], errors: string[]): string[] {
  const list = (typeof target === 'string' ? target.split(',') : [...target]).map((t) => t.trim());
  const out: string[] = [];
  for (const t of list) {
    try {
      const url = new URL(t);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      if (out.includes(url.origin)) errors.push(`target ${url.origin} is given twice`);
      else out.push(url.origin);
    } catch {
      errors.push(`target must be an http(s) URL, got ${JSON.stringify(t)}`);
    }
  }
  if (list.length === 0) errors.push('target must name at least one engine');
  return out;
}
