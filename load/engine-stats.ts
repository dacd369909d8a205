/**
 * Engine stats polling: GET /v1/stats once per second during the run, to put the engine's view
 * (queue depth, pool wait, verify time, CPU) beside the load side's figures. Absence is fine:
 * an engine without the endpoint, or not reachable, just leaves `SecondSample.engine` unset.
 */
import { request } from 'undici';
import { STAGES, type ThreadCpu } from '../engine/metrics/index.js';
import type { StatsContract } from '../engine/service/index.js';
import type { EngineSample } from '../result-format/index.js';
import { MachineTrack, type ResourceReading, ResourceTrack } from './resources.js';

/** Polls until stopped; keeps the reading of each second of the measured phase. */
export class StatsPoller {
  readonly #url: string;
  readonly #startAtMs: number;
  readonly #intervalMs: number;
  readonly #seconds = new Map<number, EngineSample>();
  /** The engine's own resources, and the machine's CPU, read on the same beat. */
  readonly engineResources = new ResourceTrack();
  readonly machine = new MachineTrack();
  #previous: Record<string, unknown> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(target: string, startAtMs: number, intervalMs: number) {
    this.#url = new URL('/v1/stats', target).toString();
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
    this.#inFlight = fetchStats(this.#url, this.#intervalMs)
      .then((raw) => {
        if (raw === undefined) return;
        const sample = engineSample(raw, this.#previous);
        this.#previous = raw;
        if (sample !== undefined && t >= 0) this.#seconds.set(t, sample);
        const reading = resourceReading(raw);
        if (reading !== undefined) this.engineResources.add(t, Date.now(), reading);
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
