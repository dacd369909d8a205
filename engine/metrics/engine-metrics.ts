/**
 * The engine's metrics: every name, label and bucket layout in this one file (docs/api.md,
 * "Metrics"). The stages share one clock (performance.now) and are contiguous, so for a settled
 * transaction admission + verify_wait + verify + commit + durability + respond is its
 * ecny_settlement_seconds: the mean of each per second is where the time goes.
 */
import {
  type HistogramSeries,
  type MetricFamily,
  MetricsRegistry,
  type Sample,
} from './prometheus.js';

/**
 * Seconds, 25 µs to 10 s. The engine's stages span four decades: a registry commit is 5-50 µs, a
 * verification batch 0.1-20 ms, an fdatasync 0.5-10 ms, an answer 1-100 ms around a 50 ms p99
 * objective, and admission refuses work past 500 ms of queue (the default), so overload shows as
 * seconds. Roughly 1-2.5-5 per decade: enough to read a p99 to within a bucket around any of them.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

/** Counts (records per group commit, signatures per batch): powers of two, 1 to 16,384. */
export const COUNT_BUCKETS: readonly number[] = Array.from({ length: 15 }, (_, i) => 2 ** i);

/**
 * A transaction's way through the engine, in order; each ends where the next begins:
 * - admission: request arrival (headers read) -> handed to the pipeline (body read, JSON parse,
 *   structural decode, transaction id hash);
 * - verify_wait: queued for verification -> its batch sent to a worker;
 * - verify: batch sent -> verdicts released in order (worker time, messaging, earlier batches);
 * - commit: verdicts released -> registry applied and journal record staged (the single writer:
 *   includes waiting behind the earlier transactions of the release);
 * - durability: staged -> its group commit durable (or, for a rejection resting on state, everything
 *   before it durable);
 * - respond: answer ready -> answer written to the socket (a batch: the whole batch answered).
 */
export const STAGES = [
  'admission',
  'verify_wait',
  'verify',
  'commit',
  'durability',
  'respond',
] as const;
export type Stage = (typeof STAGES)[number];

/** How a transaction admitted or refused by the engine ended (the pipeline's Outcome status). */
export const OUTCOMES = ['settled', 'rejected', 'overloaded', 'unavailable'] as const;
export type OutcomeLabel = (typeof OUTCOMES)[number];

/** The routes, as labels: a bounded set, whatever paths clients send. */
export const ROUTES = [
  '/v1/tx',
  '/v1/tx/batch',
  '/v1/coins/:id',
  '/v1/wallets/:id',
  '/v1/stats',
  '/v1/reconcile',
  '/metrics',
  '/healthz',
  /** A path the engine does not have (404). */
  'unknown',
  /** Refused by node:http before any route was read (400, 408, 431). */
  'none',
] as const;
export type RouteLabel = (typeof ROUTES)[number];

/** Metric names, one constant each. */
export const METRIC = {
  settlement: 'ecny_settlement_seconds',
  stage: 'ecny_stage_seconds',
  journalCommit: 'ecny_journal_commit_seconds',
  journalGroup: 'ecny_journal_group_records',
  verifyBatch: 'ecny_verify_batch_seconds',
  verifyBatchSize: 'ecny_verify_batch_items',
  requests: 'ecny_http_requests_total',
  read: 'ecny_http_read_seconds',
  answers: 'ecny_answers_total',
  gcPause: 'ecny_gc_pause_seconds',
} as const;

/** What `observeJournal` needs of a journal. */
export interface ObservedLog {
  onCommit: ((records: number, bytes: number, ms: number) => void) | null;
  readonly pendingBytes: number;
}

/** Cumulative seconds and count of one histogram, for JSON readers (/v1/stats). */
export interface SumCount {
  readonly count: number;
  readonly seconds: number;
}

/**
 * The histograms and counters the engine records into on its hot path, as handles resolved once,
 * plus the registry that renders them with the gauges the engine's parts register.
 */
export class EngineMetrics {
  readonly registry = new MetricsRegistry();
  readonly stage: Readonly<Record<Stage, HistogramSeries>>;
  readonly settlement: Readonly<Record<OutcomeLabel, HistogramSeries>>;
  /** One group commit: its write and fdatasync. */
  readonly journalCommit: HistogramSeries;
  /** Records made durable by one group commit. */
  readonly journalGroup: HistogramSeries;
  /** One batch inside a worker (successful attempt). */
  readonly verifyBatch: HistogramSeries;
  readonly verifyBatchSize: HistogramSeries;
  readonly gcPause: (kind: string) => HistogramSeries;
  readonly #requests: MetricFamily<Sample>;
  readonly #requestSeries = new Map<number, Sample>();
  readonly #answers: MetricFamily<Sample>;
  readonly #answerSeries = new Map<string, Sample>();
  readonly #read: MetricFamily<HistogramSeries>;
  readonly #readSeries = new Map<RouteLabel, HistogramSeries>();

  constructor() {
    const r = this.registry;
    const settlement = r.histogram(
      METRIC.settlement,
      'One transaction inside the engine, from its request arriving to its answer written, by outcome.',
      LATENCY_BUCKETS_SECONDS,
      ['outcome'],
    );
    this.settlement = Object.fromEntries(OUTCOMES.map((o) => [o, settlement.series(o)])) as Record<
      OutcomeLabel,
      HistogramSeries
    >;
    const stage = r.histogram(
      METRIC.stage,
      'Time one transaction spent in each stage of the engine (admission, verify_wait, verify, commit, durability, respond).',
      LATENCY_BUCKETS_SECONDS,
      ['stage'],
    );
    this.stage = Object.fromEntries(STAGES.map((s) => [s, stage.series(s)])) as Record<
      Stage,
      HistogramSeries
    >;
    this.journalCommit = r
      .histogram(
        METRIC.journalCommit,
        'One journal group commit: its write and fdatasync.',
        LATENCY_BUCKETS_SECONDS,
      )
      .series();
    this.journalGroup = r
      .histogram(METRIC.journalGroup, 'Records made durable by one group commit.', COUNT_BUCKETS)
      .series();
    this.verifyBatch = r
      .histogram(
        METRIC.verifyBatch,
        'Verification of one batch inside a worker thread.',
        LATENCY_BUCKETS_SECONDS,
      )
      .series();
    this.verifyBatchSize = r
      .histogram(METRIC.verifyBatchSize, 'Signatures per verification batch.', COUNT_BUCKETS)
      .series();
    const gc = r.histogram(
      METRIC.gcPause,
      'Garbage collection pauses of the main thread, by kind.',
      LATENCY_BUCKETS_SECONDS,
      ['kind'],
    );
    this.gcPause = (kind) => gc.series(kind);
    this.#requests = r.counter(METRIC.requests, 'HTTP requests answered, by route and status.', [
      'route',
      'status',
    ]);
    this.#read = r.histogram(
      METRIC.read,
      'Time to answer one read request (GET or HEAD), from arrival to written; answered synchronously, so this is main-thread time (a scrape of /metrics included).',
      LATENCY_BUCKETS_SECONDS,
      ['route'],
    );
    this.#answers = r.counter(
      METRIC.answers,
      'Transactions answered, by code (SETTLED, a rejection code, OVERLOADED, UNAVAILABLE, or a request error).',
      ['code'],
    );
  }

  /**
   * Records a durable log's group commits and registers its backlog gauge (the journal sets
   * `onCommit` once per group made durable).
   */
  observeJournal(log: ObservedLog): void {
    log.onCommit = (records, _bytes, ms) => {
      this.journalCommit.observeMs(ms);
      this.journalGroup.observe(records);
    };
    this.registry.collected(
      'ecny_journal_pending_bytes',
      'gauge',
      'Journal bytes accepted and waiting for the disk.',
      () => [['', log.pendingBytes]],
    );
  }

  /** Counts one HTTP answer. */
  request(route: RouteLabel, status: number): void {
    const key = ROUTES.indexOf(route) * 1000 + status;
    let sample = this.#requestSeries.get(key);
    if (sample === undefined) {
      sample = this.#requests.series(route, String(status));
      this.#requestSeries.set(key, sample);
    }
    sample.value++;
  }

  /** Times one read request (its route's handling on the main thread). */
  read(route: RouteLabel, ms: number): void {
    let series = this.#readSeries.get(route);
    if (series === undefined) {
      series = this.#read.series(route);
      this.#readSeries.set(route, series);
    }
    series.observeMs(ms);
  }

  /** Counts `n` transaction answers with one code. */
  answer(code: string, n = 1): void {
    let sample = this.#answerSeries.get(code);
    if (sample === undefined) {
      sample = this.#answers.series(code);
      this.#answerSeries.set(code, sample);
    }
    sample.value += n;
  }

  /** Cumulative seconds and counts per stage and per outcome, for /v1/stats. */
  totals(): {
    readonly stages: Readonly<Record<Stage, SumCount>>;
    readonly settlement: Readonly<Record<OutcomeLabel, SumCount>>;
  } {
    const sumCount = (h: HistogramSeries): SumCount => ({ count: h.count, seconds: h.sum });
    return {
      stages: Object.fromEntries(STAGES.map((s) => [s, sumCount(this.stage[s])])) as Record<
        Stage,
        SumCount
      >,
      settlement: Object.fromEntries(
        OUTCOMES.map((o) => [o, sumCount(this.settlement[o])]),
      ) as Record<OutcomeLabel, SumCount>,
    };
  }
}
