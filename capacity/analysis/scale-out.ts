/**
 * Scale-out: one ramp per number of engine nodes (`capacity --store postgres --nodes 1,2,3`),
 * judged like any ramp, then read as a curve: elbow throughput and its p99 against nodes, a USL
 * fitted on the node counts, which resource bounds the curve on the measured machine, and two
 * projections to the target rate beside the per-core one: engine nodes from the measured
 * per-node figures (the USL over nodes), and the database tier from the measured PostgreSQL CPU
 * per settled payment. Pure: capacity/run.ts measures, this judges.
 */
import { fmtInt, fmtRate, fmtSig } from './format.js';
import { uslBestInteger, uslCoresFor } from './projection.js';
import { fitUsl, type UslFit, uslThroughput } from './usl.js';

/** CPU seconds spent during one step, by party (null: not measurable, e.g. an external database). */
export interface StepCpu {
  /** Every engine node's process tree. */
  readonly engineS: number;
  /** PostgreSQL's process tree (the postmaster and its backends); null for an external server. */
  readonly databaseS: number | null;
  /** The load-generator processes. */
  readonly loadS: number;
  /**
   * Every process on the machine (ours and any other job's); null when not readable. On a
   * shared machine the difference to the three above is what other work took.
   */
  readonly machineS?: number | null;
  /** Wall seconds the figures cover. */
  readonly wallS: number;
  /** Payments settled over those seconds. */
  readonly settled: number;
}

/** One node count's elbow. */
export interface ScaleOutPoint {
  readonly nodes: number;
  /** Settled tx/s at the elbow. */
  readonly elbowSettledTps: number;
  /** p99 of the elbow step, ms (null: nothing answered). */
  readonly p99Ms: number | null;
  /** CPU during the elbow step, if measured. */
  readonly cpu: StepCpu | null;
}

/** What bounds the curve on the measured machine, from the CPU at the elbows. */
export interface ScaleOutBound {
  /** `cpu`: the machine's cores were (nearly) all busy; `latency`: they were not. */
  readonly kind: 'cpu' | 'latency' | 'unknown';
  /** One printable sentence. */
  readonly text: string;
}

/** Engine nodes needed for a rate, from the USL fitted over node counts. */
export interface NodesProjection {
  readonly targetTps: number;
  readonly headroom: number;
  /** Settled tx/s of one node at its elbow (the fit's λ). */
  readonly perNodeTps: number;
  /** Linear scaling of the one-node figure. */
  readonly linearNodes: number;
  /** Smallest node count the USL fit says reaches the target with headroom; null: never. */
  readonly uslNodes: number | null;
  /** Most the fitted curve reaches at any node count; null when unbounded (σ = κ = 0). */
  readonly ceilingTps: number | null;
  readonly trustworthy: boolean;
  readonly recommendation: string;
}

/** The database tier needed for a rate, from the measured PostgreSQL CPU per settled payment. */
export interface DatabaseProjection {
  readonly targetTps: number;
  readonly headroom: number;
  /** PostgreSQL CPU per settled payment at the best elbow, microseconds. */
  readonly microsPerTx: number;
  /** Database cores: target × cost ÷ headroom. */
  readonly cores: number;
  /** Of `coresPerMachine` cores each, if one database could span them (a distributed one). */
  readonly machines: number;
  readonly recommendation: string;
}

export interface ScaleOutAnalysis {
  /** By node count, ascending; node counts whose ramp found no elbow are left out. */
  readonly points: readonly ScaleOutPoint[];
  /** The USL over (nodes, elbow settled tx/s); null with fewer than two node counts. */
  readonly fit: UslFit | null;
  readonly bound: ScaleOutBound;
  readonly nodes: NodesProjection | null;
  readonly database: DatabaseProjection | null;
  /** Assumptions and caveats, printable. */
  readonly notes: readonly string[];
}

export interface ScaleOutInput {
  readonly points: readonly ScaleOutPoint[];
  readonly targetTps: number;
  readonly headroom: number;
  readonly coresPerMachine: number;
  /** Cores of the measured machine (every node, the database and the load generator on it). */
  readonly machineCores: number;
}

/** Share of the machine's cores in use at which a curve counts as CPU-bound. */
export const CPU_BOUND_SHARE = 0.85;

function ceilTol(x: number): number {
  return Math.max(1, Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x))));
}

/** Cores busy on average during a step, by party. */
function coresBusy(cpu: StepCpu): {
  engine: number;
  database: number | null;
  load: number;
  machine: number | null;
} {
  const wall = Math.max(cpu.wallS, 1e-9);
  const machine = cpu.machineS ?? null;
  return {
    engine: cpu.engineS / wall,
    database: cpu.databaseS === null ? null : cpu.databaseS / wall,
    load: cpu.loadS / wall,
    machine: machine === null || !Number.isFinite(machine) ? null : machine / wall,
  };
}

/**
 * Which resource bounds the curve: the CPU at the elbow of the largest node count measured. The
 * machine's cores count as busy whoever used them (on a shared machine other jobs take some);
 * without a machine-wide reading, only the run's own processes count.
 */
export function scaleOutBound(
  points: readonly ScaleOutPoint[],
  machineCores: number,
): ScaleOutBound {
  const last = [...points].reverse().find((p) => p.cpu !== null);
  if (last === undefined || last.cpu === null)
    return { kind: 'unknown', text: 'bound not measured (no CPU figures for the elbows)' };
  const c = coresBusy(last.cpu);
  const ours = c.engine + (c.database ?? 0) + c.load;
  const total = Math.max(ours, c.machine ?? 0);
  const others =
    c.machine === null ? '' : `, other processes ${fmtSig(Math.max(0, c.machine - ours), 2)}`;
  const parts =
    `engine nodes ${fmtSig(c.engine, 2)}, PostgreSQL ${c.database === null ? 'not measured' : fmtSig(c.database, 2)}, ` +
    `load generator ${fmtSig(c.load, 2)}${others} cores`;
  if (total >= CPU_BOUND_SHARE * machineCores) {
    return {
      kind: 'cpu',
      text: `bounded by this machine's CPU: ${fmtSig(total, 2)} of ${machineCores} cores busy at the ${last.nodes}-node elbow (${parts})`,
    };
  }
  return {
    kind: 'latency',
    text: `not CPU-bound: ${fmtSig(total, 2)} of ${machineCores} cores busy at the ${last.nodes}-node elbow (${parts}); commit latency and lock waits set the pace`,
  };
}

/** The scale-out curve, its USL fit, its bound and the projections by nodes and by database cost. */
export function analyzeScaleOut(input: ScaleOutInput): ScaleOutAnalysis {
  const points = [...input.points]
    .filter((p) => p.elbowSettledTps > 0)
    .sort((a, b) => a.nodes - b.nodes);
  const notes: string[] = [];
  const distinct = new Set(points.map((p) => p.nodes)).size;
  const fit =
    distinct >= 2 ? fitUsl(points.map((p) => ({ n: p.nodes, x: p.elbowSettledTps }))) : null;
  if (fit !== null && !fit.trustworthy)
    notes.push(
      `USL over nodes NOT trustworthy: ${fit.reason.replace(/\.$/, '')}. The node projection is indicative only.`,
    );
  const bound = scaleOutBound(points, input.machineCores);
  if (bound.kind === 'cpu')
    notes.push(
      'Every node, PostgreSQL and the load generator share one machine here: the curve measures how the work divides over its cores, not what more machines would add.',
    );
  const nodes = fit === null ? null : projectNodes(fit, input);
  const database = projectDatabase(points, input);
  if (database === null && points.length > 0)
    notes.push(
      'Database tier not projected: PostgreSQL CPU was not measured (an external server).',
    );
  return { points, fit, bound, nodes, database, notes };
}

function projectNodes(fit: UslFit, input: ScaleOutInput): NodesProjection {
  const need = input.targetTps / input.headroom;
  const uslNodes = uslCoresFor(fit, need);
  const ceilingTps =
    fit.kappa > 0
      ? uslThroughput(fit, uslBestInteger(fit, Number.POSITIVE_INFINITY))
      : fit.sigma > 0
        ? fit.lambda / fit.sigma
        : null;
  const linearNodes = ceilTol(need / fit.lambda);
  const prefix = fit.trustworthy ? '' : 'Indicative only (USL over nodes not trustworthy): ';
  const recommendation =
    uslNodes === null
      ? `${prefix}engine nodes on one database top out at ${fmtInt(ceilingTps ?? 0)} TPS by the fitted curve, below ${fmtInt(input.targetTps)} TPS: the shared database (or this machine) caps them; linear scaling of one node would need ${fmtInt(linearNodes)}`
      : `${prefix}${fmtInt(uslNodes)} engine nodes of ${fmtRate(fit.lambda)} TPS each reach ${fmtInt(input.targetTps)} TPS with nodes at ${fmtSig(input.headroom * 100, 3)}% (linear: ${fmtInt(linearNodes)})`;
  return {
    targetTps: input.targetTps,
    headroom: input.headroom,
    perNodeTps: fit.lambda,
    linearNodes,
    uslNodes,
    ceilingTps,
    trustworthy: fit.trustworthy,
    recommendation,
  };
}

function projectDatabase(
  points: readonly ScaleOutPoint[],
  input: ScaleOutInput,
): DatabaseProjection | null {
  // The best elbow that has a database CPU figure: the cost per payment where batches are fullest.
  const measured = points.filter(
    (p) => p.cpu !== null && p.cpu.databaseS !== null && p.cpu.settled > 0,
  );
  if (measured.length === 0) return null;
  const best = measured.reduce((a, b) => (b.elbowSettledTps > a.elbowSettledTps ? b : a));
  const microsPerTx = (best.cpu!.databaseS! * 1e6) / best.cpu!.settled;
  const cores = ceilTol((input.targetTps * microsPerTx) / 1e6 / input.headroom);
  const machines = ceilTol(cores / input.coresPerMachine);
  return {
    targetTps: input.targetTps,
    headroom: input.headroom,
    microsPerTx,
    cores,
    machines,
    recommendation:
      `${fmtInt(cores)} database cores (${fmtInt(machines)} machine(s) of ${input.coresPerMachine} cores, one distributed database) at ` +
      `${fmtSig(microsPerTx, 3)} us of PostgreSQL CPU per settled payment (measured at the ${best.nodes}-node elbow), cores at ${fmtSig(input.headroom * 100, 3)}%`,
  };
}

/** The printable lines of a scale-out analysis. */
export function scaleOutLines(a: ScaleOutAnalysis): string[] {
  const lines = ['', 'Scale-out (elbow by engine nodes on one database):'];
  for (const p of a.points) {
    const c = p.cpu === null ? null : coresBusy(p.cpu);
    const db =
      p.cpu !== null && p.cpu.databaseS !== null && p.cpu.settled > 0
        ? `, PostgreSQL ${fmtSig((p.cpu.databaseS * 1e6) / p.cpu.settled, 3)} us CPU per payment`
        : '';
    lines.push(
      `  ${p.nodes} node(s): ${fmtRate(p.elbowSettledTps)} settled TPS, p99 ${p.p99Ms === null ? 'n/a' : fmtSig(p.p99Ms, 3)} ms` +
        (c === null
          ? ''
          : `; cores busy: engines ${fmtSig(c.engine, 2)}, PostgreSQL ${c.database === null ? 'n/a' : fmtSig(c.database, 2)}, load ${fmtSig(c.load, 2)}`) +
        db,
    );
  }
  if (a.fit !== null)
    lines.push(
      `  USL over nodes: lambda ${fmtRate(a.fit.lambda)} TPS, sigma ${fmtSig(a.fit.sigma)}, kappa ${fmtSig(a.fit.kappa)} (R^2 ${fmtSig(a.fit.rSquared, 3)}, ${a.fit.trustworthy ? 'trusted' : 'NOT trustworthy'})`,
    );
  lines.push(`  ${a.bound.text}`);
  if (a.nodes !== null) lines.push(`  Engine nodes: ${a.nodes.recommendation}.`);
  if (a.database !== null) lines.push(`  Database tier: ${a.database.recommendation}.`);
  for (const n of a.notes) lines.push(`  Note: ${n}`);
  return lines;
}
