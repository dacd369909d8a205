/**
 * The part of `GET /v1/stats` a load driver reads every second (docs/api.md): one shape, shared
 * by the engine that writes it (service.ts checks its document against it) and the driver that
 * reads it (load/engine-stats.ts). Latencies in ms.
 */
export interface StatsLatency {
  readonly p50: number;
  readonly p99: number;
}

export interface StatsContract {
  /** Signatures waiting for a verification worker, now. */
  readonly queueDepth: number;
  readonly pool: {
    /** Per item: enqueue -> dispatch to a worker. */
    readonly wait: StatsLatency;
    /** Per batch: verification inside the worker. */
    readonly verify: StatsLatency;
  };
  /**
   * The pool's wait and verify percentiles over the last whole second (what a chart per second
   * plots; `pool`'s cover the engine's lifetime); null in the engine's first second.
   */
  readonly poolLastSecond: {
    readonly seconds: number;
    readonly endedAt: string;
    readonly wait: StatsLatency;
    readonly verify: StatsLatency;
  } | null;
  readonly cpu: {
    /** Engine process CPU since the previous read, percent of one core. */
    readonly percentSinceLast: number;
  };
}
