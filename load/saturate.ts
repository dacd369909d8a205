/**
 * Saturation mode: closed-loop maximum throughput with autocannon. Each connection sends its own
 * round-robin slice of the workload's valid, dependency-free ops (pre-signed bodies, prebuilt
 * requests) back to back, so every body is sent at most once.
 *
 * Latency here is service time from the actual send (autocannon's only clock; in a closed loop
 * there is no intended send time), recorded at µs resolution from autocannon's per-response
 * `responseTime`. autocannon's own summary is kept too; see docs/driver.md for why its latency
 * histogram (integer ms) and its coordinated-omission "correction" are not used.
 */
import type autocannon from 'autocannon';
import {
  createHistogram,
  emptyCounters,
  type Histogram,
  MAX_MISMATCH_SAMPLES,
  type MeasuredRun,
  type MismatchSample,
  type Percentiles,
  percentiles,
  type RunHistograms,
  recordMicros,
  type SecondCounters,
  SecondsAccumulator,
  summarizeRun,
} from '../result-format/index.js';
import type { Workload } from '../scenarios/workload/index.js';
import { classifyAnswer } from './answer.js';
import { DriverError } from './errors.js';

export interface SaturateOptions {
  /** Engine base URL. */
  readonly target: string;
  /** Default `/v1/tx`. */
  readonly path?: string;
  /** Default 16 (capped at the number of usable ops). */
  readonly connections?: number;
  /** Default 1. Above 1, the last pipelined answers of a connection whose slice ran out are cut. */
  readonly pipelining?: number;
  /** Default 10. The run ends earlier if every connection runs out of ops. */
  readonly durationS?: number;
  /** Per-request timeout in seconds. Default 10. */
  readonly timeoutS?: number;
}

export interface SaturationResult {
  /** Measured part of result.json (kind "saturate"): corrected = uncorrected in a closed loop. */
  readonly measured: MeasuredRun;
  readonly histograms: RunHistograms;
  readonly config: Readonly<Record<string, unknown>>;
  /** Answers (settled + rejected) per second over autocannon's measured duration. */
  readonly maxThroughput: number;
  readonly settledPerSecond: number;
  /** Service time (from the actual send), µs resolution, in ms. */
  readonly latency: Percentiles;
  /** Answered 503 OVERLOADED (load shedding; not retried in a closed loop). */
  readonly overloaded: number;
  /** autocannon's own summary, for comparison (its latency is whole milliseconds). */
  readonly autocannon: {
    readonly durationS: number;
    readonly requestsPerSecond: number;
    readonly sent: number;
    readonly latencyP50Ms: number;
    readonly latencyP99Ms: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
  };
}

/** Runs autocannon against the engine with the workload's valid, independent ops. */
export async function saturate(
  workload: Workload,
  options: SaturateOptions,
): Promise<SaturationResult> {
  const path = options.path ?? '/v1/tx';
  const durationS = options.durationS ?? 10;
  const pipelining = options.pipelining ?? 1;
  const ops = workload.ops;
  const usable: number[] = [];
  for (let i = 0; i < ops.bodies.length; i++) {
    if (ops.expected[i] === 'SETTLED' && ops.dependsOn[i] === -1) usable.push(i);
  }
  const connections = Math.min(options.connections ?? 16, usable.length);
  if (connections < 1) {
    throw new DriverError(
      'DRIVER_BAD_WORKLOAD',
      'saturate needs ops expected SETTLED with no dependency',
    );
  }
  if (!(durationS > 0) || !Number.isSafeInteger(pipelining) || pipelining < 1) {
    throw new DriverError(
      'DRIVER_BAD_OPTIONS',
      `saturate: durationS must be > 0 and pipelining an integer >= 1`,
    );
  }

  const startPerf = performance.now();
  const startAtMs = performance.timeOrigin + startPerf;
  const second = (): number => Math.max(0, Math.floor((performance.now() - startPerf) / 1000));
  const seconds = new Map<number, { counters: SecondCounters; latency: Histogram }>();
  const slot = (t: number) => {
    let s = seconds.get(t);
    if (s === undefined) {
      s = { counters: emptyCounters(), latency: createHistogram() };
      seconds.set(t, s);
    }
    return s;
  };
  let matched = 0;
  let mismatched = 0;
  let overloaded = 0;
  const samples: MismatchSample[] = [];

  const requestFor = (i: number): autocannon.Request => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: ops.bodies[i]!,
    onResponse: (status, body, _context, headers) => {
      const c = slot(second()).counters;
      const answer = classifyAnswer(status, body, headers['retry-after']);
      let got: string;
      if (answer.kind === 'settled') {
        c.achieved++;
        c.settled++;
        got = 'SETTLED';
      } else if (answer.kind === 'rejected') {
        c.achieved++;
        c.rejectedByCode[answer.code] = (c.rejectedByCode[answer.code] ?? 0) + 1;
        got = answer.code;
      } else {
        c.errors++;
        if (answer.kind === 'overloaded') overloaded++;
        return; // shed or failed, not an outcome of the transaction
      }
      if (got === 'SETTLED') matched++;
      else {
        mismatched++;
        if (samples.length < MAX_MISMATCH_SAMPLES)
          samples.push({ op: i, expected: 'SETTLED', got });
      }
    },
  });

  // Loaded here, not at the top: every generator process imports this door and has no use for
  // autocannon (whose import compiles and inflates its WebAssembly histograms).
  const { default: run } = await import('autocannon');
  let nextConnection = 0;
  const instance = run({
    url: new URL(path, options.target).toString(),
    connections,
    pipelining,
    duration: durationS,
    timeout: options.timeoutS ?? 10,
    setupClient: (client) => {
      const c = nextConnection++;
      const mine: autocannon.Request[] = [];
      for (let j = c; j < usable.length; j += connections) mine.push(requestFor(usable[j]!));
      client.setRequests(mine);
      // Stop this connection when its slice is used up instead of re-sending duplicates.
      client.responseMax = mine.length;
      client.on('request', () => {
        slot(second()).counters.sent++;
      });
    },
  });
  instance.on(
    'response',
    (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      recordMicros(slot(second()).latency, responseTime * 1000);
    },
  );
  const result = await instance;

  const acc = new SecondsAccumulator();
  for (const [t, s] of seconds) {
    acc.addCounters(t, s.counters);
    acc.addHistogram(t, 'corrected', s.latency);
    acc.addHistogram(t, 'uncorrected', s.latency);
  }
  const accumulated = acc.finish(startAtMs);
  const measured = summarizeRun({
    accumulated,
    tally: {
      planned: usable.length,
      matched,
      mismatched,
      lost: 0,
      retried: 0,
      samples,
    },
    allowDrops: true,
    startedAt: new Date(startAtMs).toISOString(),
    endedAt: new Date().toISOString(),
    durationS: result.duration,
  });
  const duration = result.duration > 0 ? result.duration : durationS;
  return {
    measured,
    histograms: accumulated.histograms,
    config: {
      target: options.target,
      path,
      connections,
      pipelining,
      durationS,
      tool: 'autocannon',
    },
    maxThroughput: (measured.totals.settled + measured.totals.rejected) / duration,
    settledPerSecond: measured.totals.settled / duration,
    latency: percentiles(accumulated.overall.uncorrected),
    overloaded,
    autocannon: {
      durationS: result.duration,
      requestsPerSecond: result.requests.average,
      sent: result.requests.sent,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
    },
  };
}
