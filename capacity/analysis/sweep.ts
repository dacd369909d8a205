/**
 * From a sweep of stepped ramps (one ramp per engine setting: verification threads × max batch)
 * to a capacity statement: the elbow of every ramp, a USL fit of elbow throughput against
 * threads for each batch size, and projections to a target rate and to the scenario's planned
 * peak. Also the `steps` entries of a capacity result.json and the printable summary. Pure.
 */
import {
  type ElbowCriteria,
  type ElbowResult,
  type FailedCriterion,
  findElbow,
  type StepRole,
} from './elbow.js';
import { fmtInt, fmtPct, fmtRate, fmtSig } from './format.js';
import {
  type CapacityProjection,
  E_CNY_DESIGN_TPS,
  type ProjectionAssumptions,
  projectCapacity,
} from './projection.js';
import {
  analyzeScaleOut,
  type ScaleOutAnalysis,
  type StepCpu,
  scaleOutLines,
} from './scale-out.js';
import type { StepSummary } from './steps.js';
import { fitUsl, type UslFit, type UslPoint } from './usl.js';

/** The engine setting one ramp ran with. */
export interface RampSetting {
  /** Verification worker threads of each engine (the USL's N on one engine). */
  readonly threads: number;
  /** Largest verification batch. */
  readonly maxBatch: number;
  /**
   * Engine nodes sharing one database (`--store postgres --nodes`): the scale-out's N. Absent:
   * one engine on the memory store.
   */
  readonly nodes?: number;
}

/** Verification threads of a setting over all its nodes. */
export function totalThreads(s: RampSetting): number {
  return s.threads * (s.nodes ?? 1);
}

/**
 * The settings to ramp: every thread count at the largest batch size, and every batch size at
 * the largest thread count (one ramp each, duplicates once), threads-sweep order first. Not the
 * full cross product: the USL needs threads at one batch size, the batch question needs batch
 * sizes at one thread count, and each ramp costs minutes on a small machine.
 */
export function sweepSettings(
  threadsSweep: readonly number[],
  batchSweep: readonly number[],
): RampSetting[] {
  if (threadsSweep.length === 0 || batchSweep.length === 0)
    throw new RangeError('both sweeps need at least one value');
  for (const v of [...threadsSweep, ...batchSweep]) {
    if (!(Number.isSafeInteger(v) && v >= 1))
      throw new RangeError(`sweep values must be integers >= 1, got ${v}`);
  }
  const maxBatch = Math.max(...batchSweep);
  const threads = Math.max(...threadsSweep);
  const out: RampSetting[] = [];
  const add = (s: RampSetting) => {
    if (!out.some((o) => o.threads === s.threads && o.maxBatch === s.maxBatch)) out.push(s);
  };
  for (const t of threadsSweep) add({ threads: t, maxBatch });
  for (const b of batchSweep) add({ threads, maxBatch: b });
  return out;
}

/**
 * The settings of a scale-out sweep (postgres store): one ramp per node count, ascending and
 * distinct, each node with `threadsPerNode` verification threads, or, by default, its share of
 * the machine's `cores` (at least 1: nodes beyond the cores share them).
 */
export function nodeSettings(
  nodesSweep: readonly number[],
  threadsPerNode: number | undefined,
  maxBatch: number,
  cores: number,
): RampSetting[] {
  if (nodesSweep.length === 0) throw new RangeError('the node sweep needs at least one value');
  for (const v of nodesSweep) {
    if (!(Number.isSafeInteger(v) && v >= 1 && v <= 64))
      throw new RangeError(`node counts must be integers in [1, 64], got ${v}`);
  }
  return [...new Set(nodesSweep)]
    .sort((a, b) => a - b)
    .map((nodes) => ({
      nodes,
      threads: threadsPerNode ?? Math.max(1, Math.floor(cores / nodes)),
      maxBatch,
    }));
}

/** A step of a ramp as run: its summary and where it sits on the run's time axis. */
export interface MeasuredRampStep extends StepSummary {
  /** First second of the step on the capacity run's combined time axis. */
  readonly tStart: number;
  /** Seconds of data the step produced (its schedule plus any drain). */
  readonly seconds: number;
  /**
   * Which resource bounded the step, from its resource series (saturation.ts): "bound by the
   * main thread (97%)", or the busiest resource when none saturated; absent without figures.
   */
  readonly bound?: string;
  /** CPU by party during the step, where the runner could read it (node ramps). */
  readonly cpu?: StepCpu;
}

/** One ramp: its setting, its steps in the order run, and why it ended. */
export interface RampRecord {
  readonly setting: RampSetting;
  readonly steps: readonly MeasuredRampStep[];
  /** e.g. "2 consecutive failing steps", "max steps reached", "workload exhausted". */
  readonly stopped: string;
}

/** Input of {@link analyzeCapacity}. */
export interface CapacityAnalysisInput {
  readonly ramps: readonly RampRecord[];
  /** Elbow criteria (SLO, keep-up ratio, error limit, sustained failures). */
  readonly criteria?: ElbowCriteria;
  /** Default {@link E_CNY_DESIGN_TPS}. */
  readonly targetTps?: number;
  /** The scenario's planned peak rate, tx/s, for a second projection; null or absent: none. */
  readonly peakPlannedTps?: number | null;
  /** Cores of the measured machine kind. */
  readonly coresPerMachine: number;
  /** Planned utilisation, (0, 1]. */
  readonly headroom: number;
  /** Suite, backend and further lines for the projection's assumption list. */
  readonly assumptions: Omit<ProjectionAssumptions, 'perCoreSource'>;
  /** How the machine is described in the per-core source line, e.g. "AMD EPYC, 2 cores". */
  readonly machine: string;
  /** Cores of the measured machine (for the scale-out's bound). Default coresPerMachine. */
  readonly machineCores?: number;
}

/** One ramp judged. */
export interface RampAnalysis {
  readonly setting: RampSetting;
  /** The ramp's steps as run (the elbow's `index` values point into this array). */
  readonly steps: readonly MeasuredRampStep[];
  readonly elbow: ElbowResult;
  /** The elbow step's summary, or null when the ramp has no elbow. */
  readonly elbowStep: MeasuredRampStep | null;
  readonly stopped: string;
}

/** The USL fit for one batch size (threads are the N). */
export interface UslAnalysis {
  readonly maxBatch: number;
  /** (threads, elbow settled tx/s) of every ramp of this batch size that has an elbow. */
  readonly points: readonly UslPoint[];
  /** Null when no ramp of this batch size has an elbow. */
  readonly fit: UslFit | null;
}

/** The setting the projection is based on. */
export interface BestSetting {
  readonly setting: RampSetting;
  readonly elbowSettledTps: number;
  /**
   * Engine cores busy at the elbow (measured process CPU, every engine thread), or null when the
   * engine's CPU was not reported.
   */
  readonly engineCores: number | null;
  /**
   * Elbow settled tx/s per engine core: ÷ `engineCores` when measured, else ÷ verification
   * threads (which leaves out the main thread's HTTP and registry work, so it overstates).
   */
  readonly perCoreTps: number;
  readonly perCoreBasis: 'engine-cpu' | 'verification-threads';
}

/**
 * The per-core rate of a ramp's elbow. Engine CPU is the honest divisor: under a cheap signature
 * suite the main thread (HTTP, decoding, registry) can bound the engine, so one verification
 * thread reaches the same elbow as two while the process keeps both cores busy; dividing by
 * threads would then halve the cores a plan needs.
 */
function perCore(setting: RampSetting, step: MeasuredRampStep): Omit<BestSetting, 'setting'> {
  // Steps read back from capacity.json files written before engine CPU was recorded lack it.
  const cores = step.engineCores ?? null;
  const measured = cores !== null && cores > 0.05;
  return {
    elbowSettledTps: step.settled,
    engineCores: measured ? cores : null,
    perCoreTps: step.settled / (measured ? cores : totalThreads(setting)),
    perCoreBasis: measured ? 'engine-cpu' : 'verification-threads',
  };
}

/** "1,974 settled TPS ÷ 1.83 engine cores busy (measured CPU)". */
function perCoreLabel(b: BestSetting): string {
  return b.perCoreBasis === 'engine-cpu'
    ? `${fmtRate(b.elbowSettledTps)} settled TPS ÷ ${b.engineCores!.toFixed(2)} engine cores busy (measured process CPU, all threads)`
    : `${fmtRate(b.elbowSettledTps)} settled TPS ÷ ${totalThreads(b.setting)} verification thread(s); engine CPU not reported, so the main thread's share is left out`;
}

/** Result of {@link analyzeCapacity}; plain data. */
export interface CapacityAnalysis {
  readonly ramps: readonly RampAnalysis[];
  readonly usl: readonly UslAnalysis[];
  /** The ramp with the highest elbow throughput, or null when no ramp has an elbow. */
  readonly best: BestSetting | null;
  /** Projection to the target rate (300,000 TPS by default); null without an elbow. */
  readonly target: CapacityProjection | null;
  /** Projection to the scenario's planned peak; null without an elbow or a peak. */
  readonly peak: CapacityProjection | null;
  /** Caveats worth printing (untrustworthy fit, unsaturated ramps, ...). */
  readonly notes: readonly string[];
  /** Ramps over engine node counts: the scale-out curve and its projections; else null. */
  readonly scaleOut: ScaleOutAnalysis | null;
}

/**
 * Judges every ramp with `findElbow`, fits the USL per batch size on (threads, elbow settled
 * tx/s), and projects from the best ramp: per-core rate = its elbow settled tx/s ÷ its threads,
 * scaling losses from the USL fit of its batch size.
 *
 * Settled rather than achieved tx/s is used for the fit and the projection because capacity is
 * about payments that went through; the elbow rule itself uses achieved (answers), since a
 * correct rejection is work done too.
 */
export function analyzeCapacity(input: CapacityAnalysisInput): CapacityAnalysis {
  const ramps: RampAnalysis[] = input.ramps.map((r) => {
    const elbow = findElbow(r.steps, input.criteria ?? {});
    return {
      setting: r.setting,
      steps: r.steps,
      elbow,
      elbowStep: elbow.index === null ? null : r.steps[elbow.index]!,
      stopped: r.stopped,
    };
  });
  const notes: string[] = [];
  for (const r of ramps) {
    if (r.elbow.kind === 'never-saturated') {
      notes.push(
        `${settingLabel(r.setting)}: never saturated, so its elbow is a lower bound; raise --start/--step or --max-steps.`,
      );
    } else if (r.elbow.kind === 'none') {
      notes.push(`${settingLabel(r.setting)}: no elbow (${r.elbow.reason}).`);
    }
  }

  // The USL over threads is one engine's: ramps over node counts have their own (scale-out).
  const single = ramps.filter((r) => r.setting.nodes === undefined);
  const batches = [...new Set(single.map((r) => r.setting.maxBatch))].sort((a, b) => a - b);
  const usl: UslAnalysis[] = batches.map((maxBatch) => {
    const points = single
      .filter((r) => r.setting.maxBatch === maxBatch && r.elbowStep !== null)
      .map((r) => ({ n: r.setting.threads, x: r.elbowStep!.settled }))
      .filter((p) => p.x > 0)
      .sort((a, b) => a.n - b.n);
    return { maxBatch, points, fit: points.length > 0 ? fitUsl(points) : null };
  });

  let best: BestSetting | null = null;
  for (const r of ramps) {
    if (r.elbowStep === null || !(r.elbowStep.settled > 0)) continue;
    if (best === null || r.elbowStep.settled > best.elbowSettledTps) {
      best = { setting: r.setting, ...perCore(r.setting, r.elbowStep) };
    }
  }
  const nodeRamps = ramps.filter((r) => r.setting.nodes !== undefined);
  const scaleOut =
    nodeRamps.length === 0
      ? null
      : analyzeScaleOut({
          points: nodeRamps.flatMap((r) =>
            r.elbowStep === null
              ? []
              : [
                  {
                    nodes: r.setting.nodes!,
                    elbowSettledTps: r.elbowStep.settled,
                    p99Ms: Number.isFinite(r.elbowStep.p99Ms) ? r.elbowStep.p99Ms : null,
                    cpu: r.elbowStep.cpu ?? null,
                  },
                ],
          ),
          targetTps: input.targetTps ?? E_CNY_DESIGN_TPS,
          headroom: input.headroom,
          coresPerMachine: input.coresPerMachine,
          machineCores: input.machineCores ?? input.coresPerMachine,
        });
  if (best === null) {
    return { ramps, usl, best, target: null, peak: null, notes, scaleOut };
  }
  const fit = usl.find((u) => u.maxBatch === best.setting.maxBatch)?.fit ?? null;
  if (fit !== null && !fit.trustworthy) {
    notes.push(
      `USL fit for max batch ${best.setting.maxBatch} is NOT trustworthy: ${fit.reason.replace(/\.$/, '')}. Its σ, κ and every USL-based number are indicative only.`,
    );
  }
  if (fit !== null && best.engineCores !== null && best.engineCores > best.setting.threads + 0.25) {
    notes.push(
      `The engine kept ${best.engineCores.toFixed(2)} cores busy at its elbow with ${best.setting.threads} verification thread(s): the USL's N counts verification threads only, so its per-shard figures leave out the main thread's cores and understate the cores a shard needs. The linear projection divides by the measured engine CPU.`,
    );
  }
  const sloMs = ramps[0]!.elbow.criteria.sloP99Ms;
  const project = (targetTps: number) =>
    projectCapacity({
      targetTps,
      perCoreTps: best.perCoreTps,
      ...(fit === null ? {} : { usl: fit }),
      coresPerMachine: input.coresPerMachine,
      headroom: input.headroom,
      sloMs,
      assumptions: {
        ...input.assumptions,
        perCoreSource: `the elbow of a stepped open-loop HTTP ramp (${settingLabel(best.setting)}: ${perCoreLabel(best)}) on ${input.machine}`,
      },
    });
  const target = project(input.targetTps ?? E_CNY_DESIGN_TPS);
  const peak =
    input.peakPlannedTps !== undefined && input.peakPlannedTps !== null && input.peakPlannedTps > 0
      ? project(input.peakPlannedTps)
      : null;
  return { ramps, usl, best, target, peak, notes, scaleOut };
}

/** "threads=2, max batch=256", or "nodes=2, threads=1, max batch=256" for a node ramp. */
export function settingLabel(s: RampSetting): string {
  const nodes = s.nodes === undefined ? '' : `nodes=${s.nodes}, `;
  return `${nodes}threads=${s.threads}, max batch=${s.maxBatch}`;
}

/**
 * A `steps` entry of kind "step" in a capacity result.json. (A type alias, not an interface, so
 * it fits the schema's `Record<string, unknown>` entries.)
 */
export type CapacityStepEntry = {
  readonly kind: 'step';
  readonly ramp: number;
  /** Engine nodes of the ramp (scale-out ramps only). */
  readonly nodes?: number;
  readonly threads: number;
  readonly maxBatch: number;
  readonly step: number;
  readonly offered: number;
  readonly achieved: number;
  readonly settled: number;
  readonly offeredMeasured: number;
  /** Null when nothing was answered (JSON has no NaN). */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly errorRate: number;
  readonly sent: number;
  readonly dropped: number;
  readonly errors: number;
  readonly shed: number;
  readonly measuredS: number;
  readonly warmupS: number;
  readonly latencyExact: boolean;
  readonly pass: boolean;
  readonly failed: readonly FailedCriterion[];
  readonly role: StepRole;
  readonly elbow: boolean;
  /** Seconds on the result's time axis: [tStart, tEnd) holds the step and its drain. */
  readonly tStart: number;
  readonly tEnd: number;
  /** Which resource bounded the step (MeasuredRampStep `bound`), or null without figures. */
  readonly bound: string | null;
};

/** A `steps` entry of kind "sweep-point": one ramp's elbow. */
export type CapacitySweepEntry = {
  readonly kind: 'sweep-point';
  readonly ramp: number;
  readonly nodes?: number;
  readonly threads: number;
  readonly maxBatch: number;
  readonly elbowKind: ElbowResult['kind'];
  readonly elbowOffered: number | null;
  readonly elbowAchieved: number | null;
  readonly elbowSettled: number | null;
  readonly elbowP99Ms: number | null;
  readonly limitedBy: readonly FailedCriterion[];
  readonly reason: string;
  readonly stopped: string;
  readonly steps: number;
};

/**
 * The `steps` entry of kind "scale-out" (one per capacity run over node counts): the points the
 * scale-out chart draws, the USL over nodes, and what bounds the curve on the machine.
 */
export type CapacityScaleOutEntry = {
  readonly kind: 'scale-out';
  readonly points: readonly {
    readonly nodes: number;
    readonly elbowSettled: number;
    readonly p99Ms: number | null;
    readonly cpu: StepCpu | null;
  }[];
  readonly fit: {
    readonly lambda: number;
    readonly sigma: number;
    readonly kappa: number;
    readonly rSquared: number;
    readonly trustworthy: boolean;
    readonly reason: string;
  } | null;
  readonly bound: string;
  readonly boundKind: string;
};

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * The `steps` array of a capacity result.json: every step of every ramp (kind "step", in the
 * order run), then one "sweep-point" per ramp with its elbow. JSON-safe (NaN becomes null), so
 * `report` and the capacity charts can re-derive everything from result.json alone.
 */
export function capacityStepEntries(
  analysis: CapacityAnalysis,
  ramps: readonly RampRecord[],
): (CapacityStepEntry | CapacitySweepEntry | CapacityScaleOutEntry)[] {
  const out: (CapacityStepEntry | CapacitySweepEntry | CapacityScaleOutEntry)[] = [];
  ramps.forEach((ramp, r) => {
    const judged = analysis.ramps[r]!.elbow;
    const verdictOf = new Map(judged.steps.map((v) => [v.index, v]));
    ramp.steps.forEach((s, k) => {
      const v = verdictOf.get(k)!;
      out.push({
        kind: 'step',
        ramp: r,
        ...(ramp.setting.nodes === undefined ? {} : { nodes: ramp.setting.nodes }),
        threads: ramp.setting.threads,
        maxBatch: ramp.setting.maxBatch,
        step: k,
        offered: s.offered,
        achieved: s.achieved,
        settled: s.settled,
        offeredMeasured: s.offeredMeasured,
        p50Ms: finiteOrNull(s.p50Ms),
        p99Ms: finiteOrNull(s.p99Ms),
        errorRate: s.errorRate,
        sent: s.sent,
        dropped: s.dropped,
        errors: s.errors,
        shed: s.shed,
        measuredS: s.measuredS,
        warmupS: s.warmupS,
        latencyExact: s.latencyExact,
        pass: v.pass,
        failed: v.failed,
        role: v.role,
        elbow: judged.index === k,
        tStart: s.tStart,
        tEnd: s.tStart + s.seconds,
        bound: s.bound ?? null,
      });
    });
  });
  analysis.ramps.forEach((a, r) => {
    const e = a.elbowStep;
    out.push({
      kind: 'sweep-point',
      ramp: r,
      ...(a.setting.nodes === undefined ? {} : { nodes: a.setting.nodes }),
      threads: a.setting.threads,
      maxBatch: a.setting.maxBatch,
      elbowKind: a.elbow.kind,
      elbowOffered: e?.offered ?? null,
      elbowAchieved: e?.achieved ?? null,
      elbowSettled: e?.settled ?? null,
      elbowP99Ms: e === null ? null : finiteOrNull(e.p99Ms),
      limitedBy: a.elbow.limitedBy,
      reason: a.elbow.reason,
      stopped: a.stopped,
      steps: ramps[r]!.steps.length,
    });
  });
  const so = analysis.scaleOut;
  if (so !== null) {
    out.push({
      kind: 'scale-out',
      points: so.points.map((p) => ({
        nodes: p.nodes,
        elbowSettled: p.elbowSettledTps,
        p99Ms: p.p99Ms,
        cpu: p.cpu,
      })),
      fit:
        so.fit === null
          ? null
          : {
              lambda: so.fit.lambda,
              sigma: so.fit.sigma,
              kappa: so.fit.kappa,
              rSquared: finiteOrNull(so.fit.rSquared) ?? 0,
              trustworthy: so.fit.trustworthy,
              reason: so.fit.reason,
            },
      bound: so.bound.text,
      boundKind: so.bound.kind,
    });
  }
  return out;
}

const ms = (v: number) => (Number.isFinite(v) ? `${fmtSig(v, 3)} ms` : 'n/a');

/** The printable summary: one table per ramp, the USL fits, the projections and every assumption. */
export function capacitySummaryLines(analysis: CapacityAnalysis): string[] {
  const lines: string[] = [];
  for (const r of analysis.ramps) {
    lines.push('', `Ramp ${settingLabel(r.setting)} (${r.stopped}):`);
    lines.push('  offered/s  achieved/s  settled/s      p99   errors  verdict');
    for (const v of r.elbow.steps) {
      const s = r.elbowStep !== null && v.index === r.elbow.index ? ' <- elbow' : '';
      const bound = r.steps[v.index]!.bound;
      lines.push(
        `  ${fmtInt(v.offered).padStart(9)}  ${fmtInt(v.achieved).padStart(10)}  ` +
          `${fmtInt(r.steps[v.index]!.settled).padStart(9)}  ${ms(v.p99Ms).padStart(9)}  ` +
          `${fmtPct(v.errorRate).padStart(6)}  ${v.pass ? 'pass' : `fail (${v.failed.join(', ')})`} [${v.role}]${s}` +
          (bound === undefined ? '' : `; ${bound}`),
      );
    }
    lines.push(`  ${r.elbow.kind}: ${r.elbow.reason}`);
    const past = pastElbow(r);
    if (past !== null) lines.push(`  past the elbow: ${past}`);
  }
  if (analysis.usl.length > 0)
    lines.push('', 'USL (elbow settled tx/s against verification threads):');
  for (const u of analysis.usl) {
    if (u.fit === null) {
      lines.push(`  max batch ${u.maxBatch}: no elbow, nothing to fit`);
      continue;
    }
    const f = u.fit;
    lines.push(
      `  max batch ${u.maxBatch}: points ${u.points.map((p) => `N=${p.n}: ${fmtRate(p.x)}`).join(', ')}`,
      `    λ = ${fmtRate(f.lambda)} TPS, σ = ${fmtSig(f.sigma)}, κ = ${fmtSig(f.kappa)}, R² = ${fmtSig(f.rSquared)}; ` +
        `${f.trustworthy ? 'trustworthy' : 'NOT trustworthy'}: ${f.reason}`,
    );
    for (const n of f.notes) lines.push(`    note: ${n}`);
  }
  if (analysis.best === null) {
    lines.push('', 'No ramp found an elbow: nothing to project. Start the ramp lower.');
  } else {
    const b = analysis.best;
    lines.push(
      '',
      `Best setting: ${settingLabel(b.setting)}, elbow ${perCoreLabel(b)}: ${fmtRate(b.perCoreTps)} per engine core.`,
    );
    for (const [title, p] of [
      ['Projection to the target', analysis.target],
      ["Projection to the scenario's planned peak", analysis.peak],
    ] as const) {
      if (p === null) continue;
      lines.push(
        '',
        `${title} (${fmtInt(p.targetTps)} TPS): linear ${fmtInt(p.linear.cores)} cores on ${fmtInt(p.linear.machines)} machine(s)`,
      );
      if (p.usl !== null) {
        const s = p.usl.sharded;
        lines.push(
          `  USL: ${p.usl.singleEngine.reason}; sharded: ${fmtInt(s.shards)} shard(s) of ${s.coresPerShard} cores, ${fmtInt(s.machines)} machine(s), ${fmtInt(s.totalCores)} cores`,
        );
      }
      lines.push(`  Recommendation: ${p.recommendation}.`, '  Assumptions:');
      for (const a of p.assumptions) lines.push(`    - ${a}`);
    }
  }
  if (analysis.scaleOut !== null) lines.push(...scaleOutLines(analysis.scaleOut));
  if (analysis.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const n of analysis.notes) lines.push(`  - ${n}`);
  }
  return lines;
}

/** One suite's capacity analysis, for {@link suiteProjectionLines}. */
export interface SuiteAnalysis {
  readonly suite: string;
  readonly analysis: CapacityAnalysis;
}

/**
 * The projection to the target rate per signature suite, side by side: elbow, per-core rate,
 * cores and machines (linear, and sharded under the USL where it was fitted), plus each suite's
 * cores relative to the first suite's. Every figure comes from that suite's own measured ramps.
 */
export function suiteProjectionLines(suites: readonly SuiteAnalysis[]): string[] {
  const target = suites.find((s) => s.analysis.target !== null)?.analysis.target?.targetTps;
  const lines = [
    '',
    `Projection to ${target === undefined ? 'the target' : `${fmtInt(target)} TPS`} per signature suite (each from its own measured ramps on this machine):`,
    '  suite     elbow settled TPS  per core  linear cores  machines  USL sharded cores  vs first',
  ];
  const base = suites[0]?.analysis.target?.linear.cores ?? null;
  for (const { suite, analysis } of suites) {
    const b = analysis.best;
    const t = analysis.target;
    if (b === null || t === null) {
      lines.push(`  ${suite.padEnd(8)}  no elbow: nothing to project`);
      continue;
    }
    const sharded = t.usl === null ? 'n/a' : fmtInt(t.usl.sharded.totalCores);
    const ratio = base === null ? 'n/a' : `${(t.linear.cores / base).toFixed(2)}x`;
    lines.push(
      `  ${suite.padEnd(8)}  ${fmtRate(b.elbowSettledTps).padStart(17)}  ${fmtRate(b.perCoreTps).padStart(8)}  ` +
        `${fmtInt(t.linear.cores).padStart(12)}  ${fmtInt(t.linear.machines).padStart(8)}  ${sharded.padStart(17)}  ${ratio.padStart(8)}`,
    );
  }
  return lines;
}

/**
 * What bounded a ramp at its elbow: the resource named for the first step past the elbow (where
 * the engine stopped keeping up), else for the elbow step itself; null without figures.
 */
export function pastElbow(r: Pick<RampAnalysis, 'steps' | 'elbow'>): string | null {
  const at = r.elbow.index;
  if (at === null) return null;
  return r.steps[at + 1]?.bound ?? r.steps[at]?.bound ?? null;
}
