/**
 * Which resource bounds a step: from the per-process resource series of the step's seconds, the
 * utilisation of each resource that can cap the engine's throughput, and the most used of those
 * at or above the saturation threshold. Pure.
 *
 * The candidates, each as a share of what it can give:
 * - the engine's main thread (HTTP, decode, registry, journal writes): its CPU over one core;
 * - the verification pool: the mean CPU of its worker threads over one core each;
 * - the machine's cores: every process's CPU over all cores (the engine competing with the load
 *   generators and anything else on the host);
 * - a load generator: its CPU over one core (the run then measured the driver, not the engine);
 * - PostgreSQL, when the run sampled a private cluster's processes: their CPU over all cores.
 * Without per-thread figures (not Linux), the main thread's event-loop utilisation stands in.
 * Several engine nodes ('engine-1', 'engine-2', ...) are each a candidate of their own, named by
 * node ("engine-2's main thread").
 */
import type { RunResources } from '../../result-format/index.js';

/** A resource at or above this share of its capacity counts as saturated. */
export const SATURATED = 0.85;

export interface ResourceUse {
  /** What it is, for people: "the main thread", "the verification pool", ... */
  readonly resource: string;
  /** Mean share of its capacity over the seconds looked at, 0..1 (may exceed 1 by rounding). */
  readonly utilization: number;
}

export interface Saturation {
  /** Every candidate measured, most used first. */
  readonly uses: readonly ResourceUse[];
  /**
   * The most used resource at or above `SATURATED` (PostgreSQL before the machine when it alone
   * holds that share of the cores: then the database is what fills them), or null when none was.
   */
  readonly bound: ResourceUse | null;
  /** Cores PostgreSQL used on average when the run sampled it (a private cluster), else null. */
  readonly databaseCores: number | null;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/** The resources' use over the seconds `keep` accepts (a step's measured seconds). */
export function findSaturation(
  resources: RunResources | undefined,
  keep: (t: number) => boolean,
): Saturation {
  const uses: ResourceUse[] = [];
  const add = (resource: string, utilization: number) => {
    if (Number.isFinite(utilization)) uses.push({ resource, utilization });
  };
  // One engine is 'engine'; the nodes of a scale-out run 'engine-1', 'engine-2', ...
  const engines = (resources?.processes ?? []).filter((p) => /^engine(-\d+)?$/.test(p.process));
  for (const engine of engines) {
    const whose = engines.length === 1 ? 'the' : `${engine.process}'s`;
    const kept = engine.samples.filter((s) => keep(s.t));
    const withThreads = kept.filter((s) => s.threads !== undefined);
    if (withThreads.length > 0) {
      const cpu = (t: { userPercent: number; systemPercent: number }) =>
        (t.userPercent + t.systemPercent) / 100;
      add(`${whose} main thread`, mean(withThreads.map((s) => cpu(s.threads!['main'] ?? zero))));
      const verify = withThreads.map((s) =>
        mean(
          Object.entries(s.threads!)
            .filter(([name]) => name.startsWith('verify-'))
            .map(([, t]) => cpu(t)),
        ),
      );
      add(`${whose} verification pool`, mean(verify.filter(Number.isFinite)));
    } else if (kept.length > 0) {
      add(`${whose} main thread`, mean(kept.map((s) => s.eventLoopUtilization ?? Number.NaN)));
    }
  }
  const machine = resources?.machine;
  if (machine !== undefined && machine.cores > 0) {
    const busy = machine.samples
      .filter((s) => keep(s.t))
      .map((s) => (s.cpuUserPercent + s.cpuSystemPercent) / (100 * machine.cores));
    add(`the machine's ${machine.cores} cores`, mean(busy));
  }
  for (const p of resources?.processes ?? []) {
    if (!p.process.startsWith('generator')) continue;
    const cpu = p.samples
      .filter((s) => keep(s.t))
      .map((s) => (s.cpuUserPercent + s.cpuSystemPercent) / 100);
    add(`load ${p.process}`, mean(cpu));
  }
  // PostgreSQL on this machine (a private cluster): all its processes over all the cores. The
  // machine's use always includes it, so it bounds only when it alone fills the machine.
  const database = resources?.processes.find((p) => p.process === 'postgres');
  let databaseCores: number | null = null;
  if (database !== undefined) {
    const cpu = database.samples
      .filter((s) => keep(s.t))
      .map((s) => (s.cpuUserPercent + s.cpuSystemPercent) / 100);
    const cores = mean(cpu);
    if (Number.isFinite(cores)) {
      databaseCores = cores;
      if (machine !== undefined && machine.cores > 0)
        add(`PostgreSQL (of the machine's ${machine.cores} cores)`, cores / machine.cores);
    }
  }
  uses.sort((a, b) => b.utilization - a.utilization);
  const saturated = uses.filter((u) => u.utilization >= SATURATED);
  const bound = saturated.find((u) => u.resource.startsWith('PostgreSQL')) ?? saturated[0] ?? null;
  return { uses, bound, databaseCores };
}

const zero = { userPercent: 0, systemPercent: 0 };

/**
 * One line: "bound by the main thread (97%)", or the busiest resource when none saturated; with
 * PostgreSQL sampled and not the bound, its share too ("...; PostgreSQL 0.62 cores").
 */
export function describeSaturation(s: Saturation): string {
  const pct = (u: ResourceUse) => `${Math.round(u.utilization * 100)}%`;
  const database =
    s.databaseCores === null || s.bound?.resource.startsWith('PostgreSQL')
      ? ''
      : `; PostgreSQL ${s.databaseCores.toFixed(2)} cores`;
  if (s.bound !== null) return `bound by ${s.bound.resource} (${pct(s.bound)})${database}`;
  const top = s.uses[0];
  return top === undefined
    ? 'no resource figures'
    : `no resource saturated (busiest: ${top.resource}, ${pct(top)})${database}`;
}
