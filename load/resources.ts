/**
 * Per-process resources over a run: each process reports cumulative counters (CPU, GC pause time)
 * and its last whole second (event-loop delay and utilization, memory) once a second; this turns
 * them into per-second samples by differences (result-format `ProcessResources`). The engine
 * reports through GET /v1/stats (its `runtime` and `threads`), each generator in its interval
 * messages, and the machine as a whole through Linux /proc/stat.
 */
import { readFileSync } from 'node:fs';
import type { RuntimeSnapshot, ThreadCpu } from '../engine/metrics/index.js';
import type { ProcessResources, ResourceSample } from '../result-format/index.js';

/** One cumulative reading of a process: what /v1/stats `runtime` and a generator's report carry. */
export interface ResourceReading {
  readonly runtime: RuntimeSnapshot;
  /** Engine only (Linux): CPU by thread role. */
  readonly threads?: ThreadCpu | null;
}

const MIB = 1024 * 1024;

/** Collects one process's readings by second and turns them into samples. */
export class ResourceTrack {
  readonly #readings = new Map<number, { atMs: number; reading: ResourceReading }>();

  /** The reading taken at `atMs` (epoch ms) for second `t` of the measured phase. */
  add(t: number, atMs: number, reading: ResourceReading): void {
    if (t >= 0) this.#readings.set(t, { atMs, reading });
  }

  /** Per-second samples: differences between consecutive readings, rates over their interval. */
  samples(): ResourceSample[] {
    const entries = [...this.#readings.entries()].sort((a, b) => a[0] - b[0]);
    const out: ResourceSample[] = [];
    for (let i = 1; i < entries.length; i++) {
      const [t, now] = entries[i]!;
      const prev = entries[i - 1]![1];
      const wallMs = now.atMs - prev.atMs;
      if (wallMs <= 0) continue;
      const a = prev.reading.runtime;
      const b = now.reading.runtime;
      const percent = (ms: number) => round((100 * Math.max(0, ms)) / wallMs);
      const threads = threadPercents(prev.reading.threads, now.reading.threads, percent);
      out.push({
        t,
        cpuUserPercent: percent(b.cpu.userMs - a.cpu.userMs),
        cpuSystemPercent: percent(b.cpu.systemMs - a.cpu.systemMs),
        rssMiB: round(b.rssBytes / MIB),
        heapUsedMiB: round(b.heapUsedBytes / MIB),
        gcPauseMs: round(Math.max(0, b.gc.pauseMs - a.gc.pauseMs)),
        eventLoopDelayP99Ms: round(b.eventLoopDelayMs.p99),
        eventLoopUtilization: round(b.eventLoopUtilization),
        ...(threads === undefined ? {} : { threads }),
      });
    }
    return out;
  }
}

function threadPercents(
  a: ThreadCpu | null | undefined,
  b: ThreadCpu | null | undefined,
  percent: (ms: number) => number,
): ResourceSample['threads'] {
  if (!a || !b) return undefined;
  const out: Record<string, { userPercent: number; systemPercent: number }> = {};
  const add = (name: string, x: ThreadCpu['main'], y: ThreadCpu['main']) => {
    out[name] = {
      userPercent: percent(y.userMs - x.userMs),
      systemPercent: percent(y.systemMs - x.systemMs),
    };
  };
  add('main', a.main, b.main);
  // Workers in the order of their thread ids: stable names across seconds.
  const before = new Map(a.verify.map((v) => [v.tid, v]));
  const workers = [...b.verify].sort((x, y) => x.tid - y.tid);
  workers.forEach((v, i) => {
    const prev = before.get(v.tid);
    if (prev !== undefined) add(`verify-${i + 1}`, prev, v);
  });
  add('other', a.other, b.other);
  return out;
}

/** The whole machine's CPU, cumulative, ms of CPU time (Linux /proc/stat; null elsewhere). */
export function machineCpu(): { userMs: number; systemMs: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user + nice, and system + irq + softirq, in USER_HZ ticks (10 ms).
    return {
      userMs: (ticks[0]! + ticks[1]!) * 10,
      systemMs: (ticks[2]! + ticks[5]! + ticks[6]!) * 10,
    };
  } catch {
    return null;
  }
}

/** The machine as a series: CPU of every process on it, percent of one core, per second. */
export class MachineTrack {
  readonly #readings = new Map<
    number,
    { atMs: number; cpu: { userMs: number; systemMs: number } }
  >();

  sample(t: number): void {
    const cpu = machineCpu();
    if (cpu !== null && t >= 0) this.#readings.set(t, { atMs: Date.now(), cpu });
  }

  samples(): Array<{ t: number; cpuUserPercent: number; cpuSystemPercent: number }> {
    const entries = [...this.#readings.entries()].sort((a, b) => a[0] - b[0]);
    const out: Array<{ t: number; cpuUserPercent: number; cpuSystemPercent: number }> = [];
    for (let i = 1; i < entries.length; i++) {
      const [t, now] = entries[i]!;
      const prev = entries[i - 1]![1];
      const wallMs = now.atMs - prev.atMs;
      if (wallMs <= 0) continue;
      out.push({
        t,
        cpuUserPercent: round((100 * (now.cpu.userMs - prev.cpu.userMs)) / wallMs),
        cpuSystemPercent: round((100 * (now.cpu.systemMs - prev.cpu.systemMs)) / wallMs),
      });
    }
    return out;
  }
}

/**
 * What the OS says of a process that is not one of the run's Node.js processes (PostgreSQL: its
 * whole process tree), read cumulatively like the others.
 */
export interface OsProcessReading {
  readonly userMs: number;
  readonly systemMs: number;
  readonly rssBytes: number;
}

/**
 * A process the run samples on the engine-stats beat besides the engines and generators: its
 * series is named `name` in resources.csv and result.json. `read` is synchronous and cheap
 * (/proc), and null when the process cannot be read (then that second has no sample).
 */
export interface WatchedProcess {
  readonly name: string;
  read(): OsProcessReading | null;
}

/** A watched process's readings by second, as samples of CPU and memory only. */
export class OsProcessTrack {
  readonly #readings = new Map<number, { atMs: number; reading: OsProcessReading }>();

  add(t: number, atMs: number, reading: OsProcessReading): void {
    if (t >= 0) this.#readings.set(t, { atMs, reading });
  }

  samples(): ResourceSample[] {
    const entries = [...this.#readings.entries()].sort((a, b) => a[0] - b[0]);
    const out: ResourceSample[] = [];
    for (let i = 1; i < entries.length; i++) {
      const [t, now] = entries[i]!;
      const prev = entries[i - 1]![1];
      const wallMs = now.atMs - prev.atMs;
      if (wallMs <= 0) continue;
      // A tree's CPU can step back when a child exits before its parent reaps it: never below 0.
      const percent = (ms: number) => round((100 * Math.max(0, ms)) / wallMs);
      out.push({
        t,
        cpuUserPercent: percent(now.reading.userMs - prev.reading.userMs),
        cpuSystemPercent: percent(now.reading.systemMs - prev.reading.systemMs),
        rssMiB: round(now.reading.rssBytes / MIB),
      });
    }
    return out;
  }
}

/** Assembles the run's resources: the engines, the generators, then watched processes. */
export function processResources(
  tracks: ReadonlyArray<readonly [name: string, track: { samples(): ResourceSample[] }]>,
): ProcessResources[] {
  return tracks
    .map(([process, track]) => ({ process, samples: track.samples() }))
    .filter((p) => p.samples.length > 0);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
