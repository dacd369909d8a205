/**
 * Engine stats polling: GET /v1/stats once per second during the run, to put the engine's view
 * (queue depth, pool wait, verify time, CPU) beside the load side's figures. Absence is fine:
 * an engine without the endpoint, or not reachable, just leaves `SecondSample.engine` unset.
 */
import { request } from 'undici';
import type { EngineSample } from '../result-format/index.js';

/** Polls until stopped; keeps the reading of each second of the measured phase. */
export class StatsPoller {
  readonly #url: string;
  readonly #startAtMs: number;
  readonly #intervalMs: number;
  readonly #seconds = new Map<number, EngineSample>();
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
    this.#inFlight = fetchStats(this.#url, this.#intervalMs)
      .then((raw) => {
        const sample = raw === undefined ? undefined : engineSample(raw);
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
 * Picks the per-second figures out of a stats document. Accepts the engine's nested shape
 * (`queueDepth`, `pool.wait.p50`, `pool.verify.p99`, `cpu.percentSinceLast`) and flat names
 * (`poolWaitP50`, `verifyP99`, `cpuPercent`); ms throughout. Undefined when none is present.
 */
export function engineSample(stats: Record<string, unknown>): EngineSample | undefined {
  const queueDepth = num(stats, ['queueDepth'], ['queue', 'depth']);
  const poolWaitP50 = num(stats, ['poolWaitP50'], ['pool', 'wait', 'p50'], ['poolWait', 'p50']);
  const poolWaitP99 = num(stats, ['poolWaitP99'], ['pool', 'wait', 'p99'], ['poolWait', 'p99']);
  const verifyP50 = num(stats, ['verifyP50'], ['pool', 'verify', 'p50'], ['verify', 'p50']);
  const verifyP99 = num(stats, ['verifyP99'], ['pool', 'verify', 'p99'], ['verify', 'p99']);
  const cpuPercent = num(stats, ['cpuPercent'], ['cpu', 'percentSinceLast'], ['cpu', 'percent']);
  const found = [queueDepth, poolWaitP50, poolWaitP99, verifyP50, verifyP99, cpuPercent];
  if (found.every((v) => v === undefined)) return undefined;
  return {
    queueDepth: queueDepth ?? 0,
    poolWaitP50: poolWaitP50 ?? 0,
    poolWaitP99: poolWaitP99 ?? 0,
    verifyP50: verifyP50 ?? 0,
    verifyP99: verifyP99 ?? 0,
    cpuPercent: cpuPercent ?? 0,
  };
}

function num(root: Record<string, unknown>, ...paths: string[][]): number | undefined {
  for (const path of paths) {
    let v: unknown = root;
    for (const key of path) v = isRecord(v) ? v[key] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
