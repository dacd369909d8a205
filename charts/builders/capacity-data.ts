/**
 * What the capacity charts read from a `kind: 'capacity'` result: its `steps` entries (one per
 * ramp step, one "sweep-point" per ramp; written by capacity/analysis/sweep.ts `capacityStepEntries`).
 * Entries are `Record<string, unknown>` in the schema and may come from an older or hand-edited
 * file, so every field is checked and anything malformed is skipped rather than drawn wrong.
 */
import type { RunResult } from '../../result-format/index.js';
import { runColour } from '../palette.js';
import type { ChartDatasetConfig, Point } from '../types.js';

/** One ramp step as the charts need it. */
export interface CapacityPoint {
  readonly ramp: number;
  /** Engine nodes of a scale-out ramp; null for one engine. */
  readonly nodes: number | null;
  readonly threads: number;
  readonly maxBatch: number;
  readonly offered: number;
  readonly achieved: number;
  readonly settled: number;
  /** Null when nothing was answered in the step. */
  readonly p99Ms: number | null;
  readonly pass: boolean;
  readonly elbow: boolean;
  /** Which resource bounded the step ("bound by the main thread (97%)"), null without figures. */
  readonly bound: string | null;
}

/** One ramp's elbow (a "sweep-point" entry). */
export interface SweepPoint {
  readonly ramp: number;
  /** Engine nodes of a scale-out ramp; null for one engine. */
  readonly nodes: number | null;
  readonly threads: number;
  readonly maxBatch: number;
  readonly elbowKind: string;
  /** Null when the ramp has no elbow. */
  readonly elbowSettled: number | null;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The "step" entries, in the order run. */
export function capacityPoints(result: RunResult): CapacityPoint[] {
  const out: CapacityPoint[] = [];
  for (const e of result.steps ?? []) {
    if (e['kind'] !== 'step') continue;
    const { ramp, threads, maxBatch, offered, achieved, settled, p99Ms } = e;
    if (!(num(ramp) && num(threads) && num(maxBatch) && num(offered) && num(achieved))) continue;
    out.push({
      ramp,
      nodes: num(e['nodes']) ? e['nodes'] : null,
      threads,
      maxBatch,
      offered,
      achieved,
      settled: num(settled) ? settled : achieved,
      p99Ms: num(p99Ms) && p99Ms >= 0 ? p99Ms : null,
      pass: e['pass'] === true,
      elbow: e['elbow'] === true,
      bound: typeof e['bound'] === 'string' ? e['bound'] : null,
    });
  }
  return out;
}

/** The "sweep-point" entries, one per ramp. */
export function sweepPoints(result: RunResult): SweepPoint[] {
  const out: SweepPoint[] = [];
  for (const e of result.steps ?? []) {
    if (e['kind'] !== 'sweep-point') continue;
    const { ramp, threads, maxBatch, elbowSettled, elbowKind } = e;
    if (!(num(ramp) && num(threads) && num(maxBatch))) continue;
    out.push({
      ramp,
      nodes: num(e['nodes']) ? e['nodes'] : null,
      threads,
      maxBatch,
      elbowKind: typeof elbowKind === 'string' ? elbowKind : 'none',
      elbowSettled: num(elbowSettled) && elbowSettled > 0 ? elbowSettled : null,
    });
  }
  return out;
}

/** Whether the capacity charts apply: a capacity run with ramp steps. */
export function hasCapacitySteps(result: RunResult): boolean {
  return result.kind === 'capacity' && capacityPoints(result).length > 0;
}

/** "threads=2, batch=256" (or "nodes=2, threads=1, batch=256"): the legend label of a ramp. */
export function rampLabel(threads: number, maxBatch: number, nodes: number | null = null): string {
  return `${nodes === null ? '' : `nodes=${nodes}, `}threads=${threads}, batch=${maxBatch}`;
}

/** The steps grouped by ramp, in ramp order. */
export function byRamp(points: readonly CapacityPoint[]): CapacityPoint[][] {
  const groups = new Map<number, CapacityPoint[]>();
  for (const p of points) {
    const g = groups.get(p.ramp) ?? [];
    g.push(p);
    groups.set(p.ramp, g);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/**
 * One line with markers per ramp (each ramp its colour, the same in every capacity chart), and
 * one "elbow" dataset on top: a large diamond at each ramp's elbow, in the ramp's colour with a
 * dark rim so it reads on the line.
 */
export function rampDatasets(
  ramps: readonly CapacityPoint[][],
  xy: (p: CapacityPoint) => Point,
): ChartDatasetConfig[] {
  const datasets: ChartDatasetConfig[] = ramps.map((steps, i) => ({
    type: 'line',
    label: rampLegend(steps),
    data: steps.map(xy),
    borderColor: runColour(i),
    backgroundColor: runColour(i),
    borderWidth: 2,
    pointStyle: 'circle',
    pointRadius: 3,
    pointHoverRadius: 4,
    fill: false,
    spanGaps: false,
    yAxisID: 'y',
  }));
  const elbows = ramps.flatMap((steps, i) =>
    steps.filter((p) => p.elbow).map((p) => ({ point: xy(p), colour: runColour(i) })),
  );
  if (elbows.length > 0) {
    datasets.push({
      type: 'line',
      label: 'elbow (diamond)',
      data: elbows.map((e) => e.point),
      showLine: false,
      borderColor: '#222222',
      backgroundColor: elbows.map((e) => e.colour),
      pointBackgroundColor: elbows.map((e) => e.colour),
      pointBorderColor: '#222222',
      pointBorderWidth: 1.5,
      pointStyle: 'rectRot',
      pointRadius: 8,
      pointHoverRadius: 9,
      borderWidth: 2,
      yAxisID: 'y',
    } as ChartDatasetConfig);
  }
  return datasets;
}

/**
 * A ramp's legend entry: its setting and, when the run measured resources, what bounded it just
 * past its elbow (the first step after it, else the elbow step itself).
 */
export function rampLegend(steps: readonly CapacityPoint[]): string {
  const label = rampLabel(steps[0]!.threads, steps[0]!.maxBatch, steps[0]!.nodes);
  const at = steps.findIndex((p) => p.elbow);
  if (at === -1) return label;
  const bound = steps[at + 1]?.bound ?? steps[at]!.bound;
  return bound === null ? label : `${label}: past the elbow, ${bound}`;
}

/** A numeric elbow criterion the capacity run recorded in `config.capacity.criteria`. */
export function capacityCriterion(result: RunResult, name: string, fallback: number): number {
  const capacity = result.config['capacity'];
  if (typeof capacity !== 'object' || capacity === null) return fallback;
  const criteria = (capacity as Record<string, unknown>)['criteria'];
  if (typeof criteria !== 'object' || criteria === null) return fallback;
  const v = (criteria as Record<string, unknown>)[name];
  return num(v) ? v : fallback;
}
