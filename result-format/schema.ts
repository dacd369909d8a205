/**
 * result.json, versioned. Everything a chart, a report, a comparison or a gate needs is here,
 * so `ecny-bench report <dir>` can re-render from the result files alone.
 * Latencies are milliseconds (floating); rates are per second; times are ISO-8601 UTC.
 */
export const RESULT_SCHEMA = 'ecny-bench/result/v1';

/** Percentile snapshots are the project's one HDR summary shape (engine/metrics), in ms here. */
import type { Percentiles } from '../engine/metrics/index.js';

export type { Percentiles };

/** The HDR percentile spectrum: (percentile, value ms) points for the distribution chart. */
export interface SpectrumPoint {
  readonly percentile: number;
  readonly valueMs: number;
}

export interface Environment {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly gitCommit: string | null;
  readonly hostname: string;
}

/** One second of the measured phase. */
export interface SecondSample {
  /** Seconds since the start of the measured phase. */
  readonly t: number;
  /** Planned sends whose intended time fell in this second. */
  readonly offered: number;
  readonly sent: number;
  /** Answers received this second (settled + rejected). */
  readonly achieved: number;
  readonly settled: number;
  readonly rejectedByCode: Readonly<Record<string, number>>;
  /** Sends that could not go out within the lateness bound (k6's dropped_iterations). */
  readonly dropped: number;
  readonly errors: number;
  /**
   * Corrected latency (from intended send time; for an op that waited for its dependency, from
   * that dependency's answer) of answers received this second.
   */
  readonly latency: Percentiles;
  /** Service time (from the actual send) of answers received this second. */
  readonly uncorrected: Percentiles;
  /**
   * Runs with offline payments only: answers to offline payments received this second, and the
   * offline backlog at its end (payments made on devices so far, per the scenario's model of
   * tap times, minus those answered so far: measured).
   */
  readonly synced?: number;
  readonly backlog?: number;
  /** Engine-side figures polled from GET /v1/stats, when the engine is reachable. */
  readonly engine?: {
    readonly queueDepth: number;
    readonly poolWaitP50: number;
    readonly poolWaitP99: number;
    readonly verifyP50: number;
    readonly verifyP99: number;
    readonly cpuPercent: number;
    /**
     * What the pool percentiles cover: `second`, the engine's last whole second; `lifetime`,
     * everything since the engine started (engines without per-second figures, and results
     * written before they existed, which lack this field).
     */
    readonly poolWindow?: 'second' | 'lifetime';
    /**
     * Where the engine's time went this second: the mean ms a transaction spent in each stage
     * (docs/api.md, "Where a transaction's time goes"), over the transactions that passed it this
     * second; absent from engines without stage timing.
     */
    readonly stagesMs?: Readonly<Record<string, number>>;
    /** Mean ms inside the engine, arrival to answer written, of transactions answered this second. */
    readonly engineMs?: number;
  };
  /** The load generators' send lag this second (actual send minus intended), p99 ms. */
  readonly sendLagP99?: number;
}

/** One process over one second of the measured phase. CPU in percent of one core. */
export interface ResourceSample {
  readonly t: number;
  readonly cpuUserPercent: number;
  readonly cpuSystemPercent: number;
  /** Resident memory; for PostgreSQL the proportional set size of all its processes (PSS). */
  readonly rssMiB: number;
  /** The fields below are a Node.js process's (engine, generators); absent for PostgreSQL. */
  readonly heapUsedMiB?: number;
  /** Garbage-collection pause time within the second, ms. */
  readonly gcPauseMs?: number;
  /** How late the process's event loop ran its timers, p99 over the second. */
  readonly eventLoopDelayP99Ms?: number;
  /** Share of the second the main thread was busy, 0..1. */
  readonly eventLoopUtilization?: number;
  /** The engine (Linux): CPU by thread (`main`, `verify-1`, ..., `other`), percent of one core. */
  readonly threads?: Readonly<
    Record<string, { readonly userPercent: number; readonly systemPercent: number }>
  >;
}

/**
 * One process's resource series over the run (`engine` or `engine-1`, `engine-2`, ...;
 * `generator-1`, ...; `postgres`: a private cluster's whole process tree).
 */
export interface ProcessResources {
  readonly process: string;
  readonly samples: readonly ResourceSample[];
}

/** Resources sampled during the run, each second, per process (docs/charts.md). */
export interface RunResources {
  readonly processes: readonly ProcessResources[];
  /** The whole machine the coordinator runs on (Linux): every process's CPU, percent of one core. */
  readonly machine?: {
    readonly cores: number;
    readonly samples: ReadonlyArray<{
      readonly t: number;
      readonly cpuUserPercent: number;
      readonly cpuSystemPercent: number;
    }>;
  };
}

/** Comparison operators of a threshold. */
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** The unit a threshold's metric is judged in: ms, a ratio in [0, 1], a count or a rate. */
export type ThresholdUnit = 'ms' | 'ratio' | 'count' | 'per-second';

/**
 * One threshold (an SLO: `--threshold 'p99<50ms'` or a scenario default) as judged over the
 * measured phase: what was asked, what was measured, and the verdict.
 */
export interface ThresholdOutcome {
  /** As given, whitespace removed: `p99<50ms`. */
  readonly expression: string;
  /** Canonical metric name (`p99`, `service.p99`, `dropped`, `rejected.OVERLOADED`). */
  readonly metric: string;
  readonly op: ThresholdOp;
  /** The limit in `unit` (50 for 50ms, 0.99 for 99%). */
  readonly limit: number;
  readonly unit: ThresholdUnit;
  /** The measured value in `unit`; null when this run cannot measure the metric (`note` says why). */
  readonly value: number | null;
  /** The value satisfies the comparison; false when the value is null. */
  readonly passed: boolean;
  /** Where it came from: a flag or the scenario's defaults. */
  readonly source: 'flag' | 'scenario';
  /** Stop the run as soon as it is crossed, once `delayS` seconds have been measured (k6's abortOnFail). */
  readonly abortOnFail?: { readonly delayS: number };
  /** This threshold stopped the run early. */
  readonly abortedRun?: boolean;
  readonly note?: string;
}

/** Why a run's results cover less than its plan: interrupted, or stopped by a threshold. */
export interface IncompleteRun {
  readonly cause: 'signal' | 'threshold';
  /** SIGINT or SIGTERM when `cause` is a signal; the threshold expression otherwise. */
  readonly by: string;
  /** Seconds of the measured phase that ran before the stop. */
  readonly afterS: number;
  /** One line for the reader. */
  readonly reason: string;
}

/** One shard of a coordinated run: how its start was placed and how its results came in. */
export interface CoordinatedShard {
  /** `i/N`. */
  readonly shard: string;
  readonly host: string;
  /**
   * Its clock minus the coordinator's (ms), from its quickest exchange with the coordinator,
   * within +-`clockRttMs`/2.
   */
  readonly clockOffsetMs: number;
  readonly clockRttMs: number;
  /** Round trip of the exchange its start was placed by; the start is within +-startBoundMs. */
  readonly startRttMs: number;
  readonly startBoundMs: number;
  /** Its start of the measured phase on its own clock, epoch ms. */
  readonly startAtMs: number;
  /** From its ready report to its hearing of the release (ms, its clock). */
  readonly waitedMs: number;
  /** From the release to its hearing of it (ms, the coordinator's clock): under the lead. */
  readonly noticedMs: number;
  /** Bytes of result files it uploaded, and ms from their first byte to their acceptance. */
  readonly uploadBytes: number;
  readonly uploadMs: number;
}

/** A run whose shards a coordinator released together and collected (docs/distributed.md). */
export interface CoordinatedRun {
  readonly coordinatorHost: string;
  readonly shards: readonly CoordinatedShard[];
  /** From the release to the start (ms). */
  readonly leadMs: number;
  /** Largest round trip a start may be placed by. */
  readonly maxRttMs: number;
  /** Period of the beats of a shard waiting for the release (ms). */
  readonly pollMs: number;
  /** From the coordinator's start to the release: the wait for the slowest shard (ms). */
  readonly gatheredMs: number;
  /** The longest a shard took to hear of the release (ms): what the lead must cover. */
  readonly slowestNoticeMs: number;
  /**
   * Bound on the spread of the shards' starts (max minus min) that the barrier guarantees: the
   * two largest start bounds added (+-1 ms of clock resolution each included).
   */
  readonly startSpreadBoundMs: number;
  /** Largest clock offset of any shard from the coordinator, absolute (ms). */
  readonly worstClockOffsetMs: number;
  /** Largest difference between two shards' clock offsets (ms). */
  readonly worstClockSkewMs: number;
  /** From the planned end of the run to the last shard's results accepted (ms). */
  readonly collectMs: number;
  /** The merge of every shard's results (ms). */
  readonly mergeMs: number;
}

/** A public page a figure was read on (scenarios/model/facts.ts). */
export interface ResultSource {
  readonly publisher: string;
  readonly date: string;
  readonly title: string;
  readonly url: string;
  readonly note?: string;
}

/** A figure of the scenario with its source, or `modelled` with why (one of the two). */
export interface ResultFact {
  readonly figure: string;
  readonly value: string;
  readonly source?: ResultSource;
  readonly modelled?: string;
  readonly uses: readonly string[];
}

/** One class of ops (an operation type or a payment channel): its counts, rates and latency. */
export interface ClassSummary {
  readonly planned: number;
  readonly answered: number;
  readonly settled: number;
  readonly rejected: number;
  readonly errors: number;
  readonly dropped: number;
  /** Settled over the measured duration. */
  readonly settledPerSecond: number;
  /** Answers in the busiest second. */
  readonly peakPerSecond: number;
  /** Corrected latency (from the intended send time), ms. */
  readonly latency: Percentiles;
  /** Answers per second of the measured phase. */
  readonly perSecond: readonly number[];
  /** The latency histogram (µs, compressed base64), so shard results merge exactly. */
  readonly histogram: string;
}

export interface RunResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly runId: string;
  readonly kind: 'run' | 'saturate' | 'capacity';
  readonly scenario: {
    readonly name: string;
    readonly variant?: string;
    readonly scale: string;
    readonly seed: string;
    readonly params: Readonly<Record<string, unknown>>;
    /** Count of each expected outcome over the whole workload (SETTLED, BAD_SIGNATURE, ...). */
    readonly expectedCounts?: Readonly<Record<string, number>>;
    /** Where each figure of the scenario comes from, as the catalog said at run time. */
    readonly facts?: readonly ResultFact[];
  };
  /** Driver and engine configuration: processes, connections, pipelining, backend, ... */
  readonly config: Readonly<Record<string, unknown>> & { readonly sloMs: number };
  readonly environment: Environment;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationS: number;
  readonly totals: {
    readonly planned: number;
    readonly sent: number;
    readonly dropped: number;
    readonly settled: number;
    readonly rejected: number;
    readonly errors: number;
    readonly matched: number;
    readonly mismatched: number;
    readonly lost: number;
    readonly achievedPerSecond: number;
    readonly settledPerSecond: number;
    /** Re-sends after 503 OVERLOADED or a connection error (not counted in `sent`). */
    readonly retried?: number;
    /** Ops of this run's share (its shard) that the workload expects to settle. */
    readonly expectedSettled?: number;
  };
  readonly outcome: {
    readonly passed: boolean;
    /** Why the run failed, one line per cause ("3 mismatched", ...); empty when passed. */
    readonly reasons?: readonly string[];
    /** A few mismatches, for the reader: op index, expected, got. */
    readonly samples: ReadonlyArray<{
      readonly op: number;
      readonly expected: string;
      readonly got: string;
    }>;
  };
  /**
   * The engine's books at the end (GET /v1/reconcile, fen). With an embedded engine and every
   * answer as expected, `expected` holds the workload's books and `matchesWorkload` whether the
   * engine's totals (issued, issuance vault, bank vaults, wallets) equal them.
   */
  readonly reconciliation?: {
    readonly ok: boolean;
    readonly matchesWorkload?: boolean;
    readonly expected?: Readonly<Record<string, number>>;
  } & Readonly<Record<string, unknown>>;
  readonly rejectionsByCode: Readonly<Record<string, number>>;
  readonly latency: {
    readonly corrected: Percentiles;
    readonly uncorrected: Percentiles;
    readonly spectrum: readonly SpectrumPoint[];
    readonly uncorrectedSpectrum: readonly SpectrumPoint[];
    /** Send lag: actual send minus the time the op became sendable (the generator's lateness). */
    readonly sendLag?: Percentiles;
  };
  readonly dependencies: {
    readonly waited: number;
    readonly waitP50: number;
    readonly waitP99: number;
  };
  readonly timeseries: readonly SecondSample[];
  /**
   * Per operation type (the workload's report label: transfer, offline-transfer, open, claim,
   * top-up, redeem, sweep, expiry, return, allocate) and per payment channel (scan, tap,
   * online). Absent in results written before they were counted.
   */
  readonly byType?: Readonly<Record<string, ClassSummary>>;
  readonly byChannel?: Readonly<Record<string, ClassSummary>>;
  /** The load generators themselves: how many processes and the CPU they used. */
  readonly generator?: { readonly processes: number; readonly cpuSeconds: number };
  /** Engine summary at the end of the run (GET /v1/stats). */
  readonly engine?: Readonly<Record<string, unknown>>;
  /** Per-process resources sampled each second (absent in results from before they existed). */
  readonly resources?: RunResources;
  /** Capacity runs: one entry per step / sweep point. */
  readonly steps?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** Every threshold of the run with its measured value and verdict (absent: none were set). */
  readonly thresholds?: readonly ThresholdOutcome[];
  /**
   * Present when the measured phase was cut short (Ctrl-C, SIGTERM, an abortOnFail threshold):
   * the figures cover only `afterS` seconds and the outcome check did not see every answer.
   */
  readonly incomplete?: IncompleteRun;
  /** A merged run whose shards a coordinator released together and collected. */
  readonly coordinated?: CoordinatedRun;
}
