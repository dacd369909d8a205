/**
 * Engine stats polling: GET /v1/stats once per second during the run, to put the engine's view
 * (queue depth, pool wait, verify time, CPU) beside the load side's figures. Absence is fine:
 * an engine without the endpoint, or not reachable, just leaves `SecondSample.engine` unset.
 * Several engine nodes are polled alike and their second merged (`mergeEngineSamples`).
 */
import { request } from 'undici';
import { STAGES, type ThreadCpu } from '../engine/metrics/index.js';
import type { StatsContract } from '../engine/service/index.js';
import type { EngineSample } from '../result-format/index.js';
import {
  MachineTrack,
  OsProcessTrack,
  type ResourceReading,
  ResourceTrack,
  type WatchedProcess,
} from './resources.js';

/** Polls until stopped; keeps the reading of each second of the measured phase. */
export class StatsPoller {
  readonly #urls: readonly string[];
  readonly #startAtMs: number;
  readonly #intervalMs: number;
  readonly #seconds = new Map<number, EngineSample>();
  /** Each engine node's own resources (in target order), and the machine's CPU, on one beat. */
  readonly engineResources: readonly ResourceTrack[];
  readonly machine = new MachineTrack();
  /** The watched processes (PostgreSQL), read from /proc on the same beat. */
  readonly watched: ReadonlyArray<readonly [WatchedProcess, OsProcessTrack]>;
  /** Each node's previous document, for the stage means between two readings. */
  readonly #previous: (Record<string, unknown> | undefined)[];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(
    target: string | readonly string[],
    startAtMs: number,
    intervalMs: number,
    watch: readonly WatchedProcess[] = [],
  ) {
    this.watched = watch.map((w) => [w, new OsProcessTrack()] as const);
    const targets = typeof target === 'string' ? [target] : target;
    this.#urls = targets.map((t) => new URL('/v1/stats', t).toString());
    this.engineResources = targets.map(() => new ResourceTrack());
    this.#previous = targets.map(() => undefined);
    this.#startAtMs = startAtMs;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#intervalMs <= 0) return;
    // Aligned to the middle of each second of the measured phase.
    const delay = Math.max(0, this.#startAtMs + this.#intervalMs / 2 - Date.now());
    this.#timer = setTimeout(() => this.#tick(), delay);
  }

  async stop(): Promise<ReadonlyMap<number, EngineSample>> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    return this.#seconds;
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#tick(), this.#intervalMs);
    if (this.#inFlight !== undefined) return; // the previous poll is still out: skip a beat
    const t = Math.floor((Date.now() - this.#startAtMs) / 1000);
    this.machine.sample(t);
    for (const [process, track] of this.watched) {
      const reading = process.read();
      if (reading !== null) track.add(t, Date.now(), reading);
    }
    this.#inFlight = Promise.all(this.#urls.map((url) => fetchStats(url, this.#intervalMs)))
      .then((docs) => {
        const atMs = Date.now();
        const samples = docs.map((raw, i) => {
          if (raw === undefined) return undefined;
          const sample = engineSample(raw, this.#previous[i]);
          this.#previous[i] = raw;
          const reading = resourceReading(raw);
          if (reading !== undefined) this.engineResources[i]!.add(t, atMs, reading);
          return sample;
        });
        const sample = mergeEngineSamples(samples);
        if (sample !== undefined && t >= 0) this.#seconds.set(t, sample);
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
  }
}

/** GET /v1/stats as JSON, or undefined when the engine does not answer 200 in time. */
export async function fetchStats(
  target: string,
  timeoutMs = 1000,
): Promise<Record<string, unknown> | undefined> {
  try {
    const url = target.endsWith('/v1/stats') ? target : new URL('/v1/stats', target).toString();
    const res = await request(url, {
      method: 'GET',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return undefined;
    }
    const parsed: unknown = await res.body.json();
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One second of several engine nodes as one sample: queue depths and CPU added up, the pool
 * percentiles and the stage means the worst node's (a percentile cannot be merged from
 * percentiles, and a mean of means would weigh an idle node like a busy one; the worst is what a
 * chart should not hide). Undefined when no node answered; `poolWindow` is 'second' only if
 * every answering node's is.
 */
export function mergeEngineSamples(
  samples: readonly (EngineSample | undefined)[],
): EngineSample | undefined {
  const got = samples.filter((s): s is EngineSample => s !== undefined);
  if (got.length <= 1) return got[0];
  return {
    queueDepth: got.reduce((a, s) => a + s.queueDepth, 0),
    poolWaitP50: Math.max(...got.map((s) => s.poolWaitP50)),
    poolWaitP99: Math.max(...got.map((s) => s.poolWaitP99)),
    verifyP50: Math.max(...got.map((s) => s.verifyP50)),
    verifyP99: Math.max(...got.map((s) => s.verifyP99)),
    cpuPercent: got.reduce((a, s) => a + s.cpuPercent, 0),
    poolWindow: got.every((s) => s.poolWindow === 'second') ? 'second' : 'lifetime',
    ...worstStages(got),
  };
}

/** Each stage's largest mean over the nodes that timed their stages; nothing when none did. */
function worstStages(
  samples: readonly EngineSample[],
): Pick<EngineSample, 'stagesMs' | 'engineMs'> {
  const timed = samples.filter((s) => s.stagesMs !== undefined);
  if (timed.length === 0) return {};
  const stagesMs: Record<string, number> = {};
  for (const s of timed) {
    for (const [stage, ms] of Object.entries(s.stagesMs!)) {
      stagesMs[stage] = Math.max(stagesMs[stage] ?? 0, ms);
    }
  }
  return { stagesMs, engineMs: Math.max(...timed.map((s) => s.engineMs ?? 0)) };
}

/**
 * The final stats of every target: one target's document as it is, several as
 * `{ targets, nodes }` (each node's document, in target order; null where one did not answer).
 * Undefined when none answered.
 */
export async function fetchStatsOf(
  targets: readonly string[],
  timeoutMs = 1000,
): Promise<Record<string, unknown> | undefined> {
  const docs = await Promise.all(targets.map((t) => fetchStats(t, timeoutMs)));
  if (docs.length === 1) return docs[0];
  if (docs.every((d) => d === undefined)) return undefined;
  return { targets: [...targets], nodes: docs.map((d) => d ?? null) };
}

/**
 * The per-second figures of a stats document, read by the engine's contract (StatsContract,
 * engine/service/stats-contract.ts). The document comes off the network, so every figure is
 * checked; one that is missing counts 0, and a document with none of them gives undefined.
 *
 * Pool percentiles come from `poolLastSecond` (the engine's last whole second) when the document
 * has it, and the sample says so (`poolWindow: 'second'`); otherwise from the pool's lifetime
 * figures (`'lifetime'`), so a chart can say which it plots.
 */
export function engineSample(
  stats: Record<string, unknown>,
  previous?: Record<string, unknown>,
): EngineSample | undefined {
  // Optional chaining is safe on any JSON value (a property of a string or number is undefined).
  const doc = stats as DeepPartial<StatsContract>;
  const windowed = isRecord(stats['poolLastSecond']);
  const pool = (windowed ? doc.poolLastSecond : doc.pool) as
    | DeepPartial<StatsContract['pool']>
    | undefined;
  const figures: Record<
    Exclude<keyof EngineSample, 'poolWindow' | 'stagesMs' | 'engineMs'>,
    unknown
  > = {
    queueDepth: doc.queueDepth,
    poolWaitP50: pool?.wait?.p50,
    poolWaitP99: pool?.wait?.p99,
    verifyP50: pool?.verify?.p50,
    verifyP99: pool?.verify?.p99,
    cpuPercent: doc.cpu?.percentSinceLast,
  };
  let any = false;
  const sample = {} as Record<keyof typeof figures, number>;
  for (const name of Object.keys(figures) as (keyof typeof figures)[]) {
    const value = finite(figures[name]);
    any ||= value !== undefined;
    sample[name] = value ?? 0;
  }
  if (!any) return undefined;
  const timing = previous === undefined ? undefined : stageMeans(stats, previous);
  return { ...sample, poolWindow: windowed ? 'second' : 'lifetime', ...timing };
}

interface SumCountDoc {
  readonly count?: unknown;
  readonly seconds?: unknown;
}

/**
 * Mean ms per transaction in each stage between two stats documents (their `timing` totals are
 * cumulative), and inside the engine end to end; undefined for engines without stage timing.
 */
function stageMeans(
  now: Record<string, unknown>,
  before: Record<string, unknown>,
): Pick<EngineSample, 'stagesMs' | 'engineMs'> | undefined {
  type Timing = { stages?: Record<string, SumCountDoc>; settlement?: Record<string, SumCountDoc> };
  const a = before['timing'] as Timing | undefined;
  const b = now['timing'] as Timing | undefined;
  if (!isRecord(a?.stages) || !isRecord(b?.stages)) return undefined;
  const mean = (x: SumCountDoc | undefined, y: SumCountDoc | undefined) => {
    const n = (finite(y?.count) ?? 0) - (finite(x?.count) ?? 0);
    const s = (finite(y?.seconds) ?? 0) - (finite(x?.seconds) ?? 0);
    return { n, s };
  };
  const stagesMs: Record<string, number> = {};
  for (const stage of STAGES) {
    const { n, s } = mean(a.stages[stage], b.stages[stage]);
    stagesMs[stage] = n > 0 ? round3((1000 * s) / n) : 0;
  }
  let n = 0;
  let sum = 0;
  for (const outcome of Object.keys(b.settlement ?? {})) {
    const d = mean(a.settlement?.[outcome], b.settlement?.[outcome]);
    n += d.n;
    sum += d.s;
  }
  return { stagesMs, engineMs: n > 0 ? round3((1000 * sum) / n) : 0 };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The engine's cumulative resource figures in a stats document, when it has them. */
function resourceReading(stats: Record<string, unknown>): ResourceReading | undefined {
  const runtime = stats['runtime'] as Partial<ResourceReading['runtime']> | undefined;
  if (
    !isRecord(runtime) ||
    !isRecord(runtime.cpu) ||
    !isRecord(runtime.gc) ||
    !isRecord(runtime.eventLoopDelayMs) ||
    finite(runtime.rssBytes) === undefined
  ) {
    return undefined;
  }
  const threads = stats['threads'];
  return isRecord(threads)
    ? { runtime: runtime as ResourceReading['runtime'], threads: threads as unknown as ThreadCpu }
    : { runtime: runtime as ResourceReading['runtime'] };
}

/** A document off the network: any field may be missing or of another type. */
type DeepPartial<T> = {
  readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : unknown;
};

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
