/**
 * The capacity runner (`ecny-bench capacity <scenario>`): stepped open-loop ramps against an embedded engine, one ramp
 * per engine setting (verification threads × max batch), each until the engine stops keeping up;
 * the elbow of every ramp, a USL fit over threads and projections to 300,000 TPS and to the
 * scenario's planned peak (./analysis, docs/capacity.md). Results are a normal run directory
 * (`kind: 'capacity'`, `steps` filled) plus capacity.json, so `report` and `compare` work.
 *
 * With the postgres store (`--store postgres --nodes 1,2,3`) a ramp is a number of engine nodes
 * sharing one ledger on a private cluster (or the user's server): genesis goes into a template
 * database once, each ramp starts from a copy of it (CREATE DATABASE ... TEMPLATE) with its
 * nodes, and the CPU of the nodes, PostgreSQL and the load generator is read around every step,
 * for the scale-out curve, what bounds it, and the database tier's cost per payment.
 *
 * How a ramp is run, and why:
 * - The workload is the scenario's own, at the smallest scale with enough operations for a full
 *   ramp (every step needs fresh operations: a coin is spent once). Its genesis goes to one
 *   engine once; that engine's journal is then copied for every ramp, so each ramp starts from
 *   the same post-genesis state, reuses the same operations, and no ramp pays for genesis again.
 * - Each step is one `runLoad` with a one-stage `steps` schedule over its own slice of the
 *   operations (op i of the slice at the schedule's i-th arrival), so the ramp can stop as soon
 *   as the rule says it collapsed (2 consecutive failing steps) instead of overloading the
 *   machine for the rest of a pre-planned schedule.
 * - Open loop, no retries (a retried 503 would be offered twice), drops allowed (a step the
 *   engine cannot keep up with is exactly what we are looking for); drops show as achieved <
 *   offered.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { SuiteName } from '../engine/crypto/index.js';
import { CodedError } from '../engine/domain/index.js';
import { abortable, InterruptedError } from '../lifecycle/index.js';
import { type ClientName, type LoadRun, type Progress, runLoad } from '../load/index.js';
import {
  buildRunResult,
  createHistogram,
  decodeHistogram,
  type MeasuredRun,
  mergeMeasured,
  percentiles,
  type RunHistograms,
  type RunResult,
  type SecondSample,
} from '../result-format/index.js';
import {
  connectionsFor,
  engineArgsFor,
  factsFor,
  getEngineJson,
  type StoreName,
  tiersNameOf,
  writeRunOutputs,
} from '../runner/index.js';
import type { Scale } from '../scenarios/model/index.js';
import {
  loadOrGenerateWorkload,
  type PlannedOps,
  resolveWorkloadScenario,
  type Workload,
} from '../scenarios/workload/index.js';
import {
  analyzeCapacity,
  type CapacityAnalysis,
  capacityStepEntries,
  checkRampPlanInput,
  DEFAULT_ELBOW_CRITERIA,
  describeSaturation,
  findElbow,
  findSaturation,
  type MeasuredRampStep,
  nodeSettings,
  planRamp,
  type RampPlan,
  type RampRecord,
  type RampSetting,
  type ResolvedElbowCriteria,
  type StepSecond,
  settingLabel,
  stepSchedule,
  summarizeStep,
  sweepSettings,
} from './analysis/index.js';
import {
  CapacityRunError,
  type Fleet,
  memoryFleet,
  postgresFleet,
  type RampEngines,
  stepCpu,
} from './fleet.js';

export { CapacityRunError } from './fleet.js';

/** The ramp asked for cannot run on this workload (exit 2: unusable input). */
export class CapacityPlanError extends CodedError {
  readonly code = 'CAPACITY_BAD_PLAN';
  readonly kind = 'input';
}

/** Everything a capacity run needs, flags resolved. */
export interface CapacityOptions {
  readonly scenario: string;
  readonly variant?: string;
  /** Undefined: the smallest scale whose workload covers the full ramp (city at most). */
  readonly scale?: Scale;
  readonly seed?: string;
  /** Signature suite of the workload and the engines. Default 'ed25519'. */
  readonly suite?: SuiteName;
  readonly start: number;
  readonly step: number;
  readonly stepDurationS: number;
  readonly warmupS: number;
  readonly maxSteps: number;
  readonly sloMs: number;
  readonly threadsSweep: readonly number[];
  readonly batchSweep: readonly number[];
  readonly targetTps: number;
  readonly headroom: number;
  readonly coresPerMachine: number;
  readonly backend: 'native' | 'noble';
  /**
   * Where the ledger lives: `memory` (default: one engine per ramp, the sweep over threads and
   * batch) or `postgres` (one ramp per `nodesSweep` value: that many engine nodes on one
   * database, each with `threadsSweep`'s largest value or its share of the cores).
   */
  readonly store?: StoreName;
  /** Postgres store: engine node counts, one ramp each. Default [1]. */
  readonly nodesSweep?: readonly number[];
  /** Postgres store: the user's server instead of a private cluster (a database per ramp). */
  readonly databaseUrl?: string;
  /** Verification threads per node (postgres store); default: the cores ÷ nodes. */
  readonly threadsPerNode?: number;
  readonly processes: number;
  /** HTTP connections per process; undefined: sized for the ramp's top step (connectionsFor). */
  readonly connections?: number;
  /** The load generator's HTTP client. Default lean. */
  readonly client?: ClientName;
  readonly outDir: string;
  readonly charts: boolean;
  readonly log: (line: string) => void;
  /** Live progress of each step's measured phase. */
  readonly onProgress?: (p: Progress) => void;
  /**
   * Aborting (Ctrl-C, SIGTERM) stops the step in progress, every engine and the temporary
   * journals, and writes the steps measured so far, marked incomplete.
   */
  readonly signal?: AbortSignal;
}

/**
 * The measured operations [first, first + count) as a workload of their own, no genesis. A
 * dependency on an operation before the slice becomes -1: it was sent (and answered) in an
 * earlier step. If it was dropped there, its dependant now gets a different answer than planned
 * (a mismatch counted in the results), which only happens at overload.
 */
export function sliceWorkload(workload: Workload, first: number, count: number): Workload {
  const ops = workload.ops;
  const end = first + count;
  if (!(first >= 0 && count >= 0 && end <= ops.bodies.length))
    throw new RangeError(`slice [${first}, ${end}) is outside the ${ops.bodies.length} ops`);
  const at0 = ops.at[first] ?? 0;
  const sliced: PlannedOps = {
    bodies: ops.bodies.slice(first, end),
    expected: ops.expected.slice(first, end),
    // The step's schedule overrides these; shifted to start at 0 so the slice is self-consistent.
    at: ops.at.slice(first, end).map((t) => t - at0),
    dependsOn: ops.dependsOn.slice(first, end).map((d) => (d >= first ? d - first : -1)),
    lane: ops.lane.slice(first, end),
    type: ops.type.slice(first, end),
  };
  const none: PlannedOps = { bodies: [], expected: [], at: [], dependsOn: [], lane: [], type: [] };
  return { meta: workload.meta, genesis: none, ops: sliced };
}

/** One second of a step's `runLoad` result, as the step summariser reads it. */
export function stepSecondOf(s: SecondSample): StepSecond {
  const code = s.rejectedByCode;
  return {
    t: s.t,
    offered: s.offered,
    sent: s.sent,
    achieved: s.achieved,
    settled: s.settled,
    dropped: s.dropped,
    errors: s.errors,
    shed: (code['OVERLOADED'] ?? 0) + (code['UNAVAILABLE'] ?? 0),
    latencyCount: s.latency.count,
    p99Ms: s.latency.p99,
    p50Ms: s.latency.p50,
    ...(s.engine === undefined ? {} : { engineCores: s.engine.cpuPercent / 100 }),
  };
}

/** Exact percentiles of the corrected latency over some seconds of a run (histograms added). */
export function mergedLatency(histograms: RunHistograms) {
  const byT = new Map(histograms.intervals.map((i) => [i.t, i.histograms.corrected]));
  return (kept: readonly number[]) => {
    const h = createHistogram();
    for (const t of kept) {
      const enc = byT.get(t);
      if (enc !== undefined) h.add(decodeHistogram(enc));
    }
    const p = percentiles(h);
    return { p50Ms: p.p50, p99Ms: p.p99, count: p.count };
  };
}

/** A step as run: its `runLoad` result, where its operations came from, and its place in time. */
export interface StepRun {
  readonly ramp: number;
  readonly setting: RampSetting;
  readonly rate: number;
  readonly firstOp: number;
  readonly load: LoadRun;
  /** First second of the step on the combined time axis. */
  readonly tStart: number;
}

/** Seconds a step occupies on the combined axis: its data, and at least its schedule. */
export function stepSeconds(load: LoadRun, durationS: number): number {
  const last = load.measured.timeseries.reduce((m, s) => Math.max(m, s.t), -1);
  return Math.max(durationS, last + 1);
}

/**
 * One measured run out of every step of every ramp: per-second counters and histograms moved to
 * the combined time axis (steps back to back, in the order run) and added exactly, so the usual
 * throughput and latency charts show the whole staircase and latency.hlog keeps every sample.
 * The same exact merge as shard runs (`mergeMeasured`), with each step offset in time and in
 * operation numbers (mismatch samples point into the workload, not the step's slice).
 */
export function combineSteps(
  runs: readonly StepRun[],
  durationS: number,
  processes: number,
): { measured: MeasuredRun; histograms: RunHistograms } {
  if (runs.length === 0) throw new RangeError('no steps were run');
  const first = runs[0]!.load;
  const last = runs.at(-1)!.load;
  return mergeMeasured(
    runs.map((r) => ({
      measured: r.load.measured,
      histograms: r.load.histograms,
      tOffset: r.tStart,
      opOffset: r.firstOp,
    })),
    {
      startAtMs: first.startAtMs,
      allowDrops: true,
      startedAt: first.measured.startedAt,
      endedAt: last.measured.endedAt,
      durationS: Math.max(...runs.map((r) => r.tStart + stepSeconds(r.load, durationS))),
      processes,
    },
  );
}

/** Steps whose verdicts collapsed: the ramp stops (the elbow rule's sustained failure run). */
function collapsed(steps: readonly MeasuredRampStep[], criteria: ResolvedElbowCriteria): boolean {
  return findElbow(steps, criteria).steps.some((s) => s.role === 'collapse');
}

/** Approximate measured operations of a scenario at a scale, without generating it. */
function opsAtScale(scenario: string, variant: string | undefined, scale: Scale): number {
  const r = resolveWorkloadScenario(scenario, { scale, ...(variant ? { variant } : {}) });
  return Math.floor(r.payments / (1 - r.invalidShare));
}

const f0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const fms = (v: number) =>
  Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : 'n/a';

/** What a capacity run produced. */
export interface CapacityReport {
  readonly result: RunResult;
  readonly analysis: CapacityAnalysis;
  readonly dir: string;
  readonly files: string[];
  readonly plan: RampPlan;
}

/** Runs the sweep and writes the results directory. */
export async function runCapacity(o: CapacityOptions): Promise<CapacityReport> {
  const planInput = {
    start: o.start,
    step: o.step,
    maxSteps: o.maxSteps,
    stepDurationS: o.stepDurationS,
    warmupS: o.warmupS,
  };
  checkRampPlanInput(planInput);
  const needed = planRamp(planInput, Number.POSITIVE_INFINITY).opsNeeded;
  // National takes minutes to generate and its genesis is 10x city's: only when asked for.
  const scale =
    o.scale ??
    (['small', 'city'] as const).find((s) => opsAtScale(o.scenario, o.variant, s) >= needed) ??
    'city';
  const { signal } = o;
  const loaded = await abortable(
    loadOrGenerateWorkload(o.scenario, {
      scale,
      ...(o.variant ? { variant: o.variant } : {}),
      ...(o.seed ? { seed: o.seed } : {}),
      ...(o.suite ? { suite: o.suite } : {}),
    }),
    signal,
  );
  const workload = loaded.workload;
  const meta = workload.meta;
  const plan = planRamp(planInput, workload.ops.bodies.length);
  const peakPlannedTps = Math.max(0, ...meta.plannedRate);
  o.log(
    `workload ${meta.scenario}${meta.variant ? `/${meta.variant}` : ''} at scale ${scale}: ` +
      `${f0(workload.genesis.bodies.length)} genesis + ${f0(workload.ops.bodies.length)} measured ops ` +
      `(${loaded.cached ? 'cached' : 'generated'} in ${(loaded.ms / 1000).toFixed(1)} s); ` +
      `planned peak ${f0(peakPlannedTps)} tx/s`,
  );
  o.log(
    `ramp: ${plan.steps.map((s) => f0(s.rate)).join(', ')} tx/s, ${o.stepDurationS} s each ` +
      `(first ${o.warmupS} s trimmed); needs ${f0(plan.opsUsed)} ops` +
      (plan.truncated > 0
        ? `; ${plan.truncated} more step(s) would need ${f0(plan.opsNeeded)} ops, more than this scale has (--scale or a smaller --step)`
        : ''),
  );
  if (plan.steps.length === 0)
    throw new CapacityPlanError(
      `the workload's ${workload.ops.bodies.length} ops do not cover one step of ${o.start} tx/s for ${o.stepDurationS} s`,
    );
  const connections =
    o.connections ??
    connectionsFor(
      plan.steps.map((s) => s.rate),
      o.sloMs,
      o.processes,
    );
  if (o.connections === undefined)
    o.log(`load: ${o.processes} process(es) x ${connections} connections (sized for the top step)`);
  const criteria: ResolvedElbowCriteria = { ...DEFAULT_ELBOW_CRITERIA, sloP99Ms: o.sloMs };
  const store = o.store ?? 'memory';
  const settings =
    store === 'postgres'
      ? nodeSettings(
          o.nodesSweep ?? [1],
          o.threadsPerNode,
          Math.max(...o.batchSweep),
          availableParallelism(),
        )
      : sweepSettings(o.threadsSweep, o.batchSweep);

  const baseArgs = [...engineArgsFor(meta), '--backend', o.backend];
  const runs: StepRun[] = [];
  const ramps: RampRecord[] = [];
  const engineStats: unknown[] = [];
  let offset = 0;
  const fleetOptions = {
    log: o.log,
    ...(signal === undefined ? {} : { signal }),
    ...(o.databaseUrl === undefined ? {} : { databaseUrl: o.databaseUrl }),
  };
  const fleet: Fleet =
    store === 'postgres'
      ? await postgresFleet(fleetOptions, workload, settings, baseArgs)
      : await memoryFleet(fleetOptions, workload, settings, baseArgs);
  try {
    for (const [r, setting] of settings.entries()) {
      if (signal?.aborted) break;
      let engines: RampEngines | null = null;
      const steps: MeasuredRampStep[] = [];
      let stopped = `max steps reached (${plan.steps.length})`;
      let stats: unknown = null;
      try {
        engines = await fleet.ramp(r);
        o.log(
          `\nramp ${r + 1}/${settings.length}: ${settingLabel(setting)} (engine pid${engines.pids.length > 1 ? 's' : ''} ${engines.pids.join(', ')})`,
        );
        // Each generator process sends to one node: a multiple of the nodes.
        const n = engines.urls.length;
        const processes = Math.ceil(Math.max(o.processes, n) / n) * n;
        for (const planned of plan.steps) {
          if (signal?.aborted) {
            stopped = `interrupted by ${(signal.reason as InterruptedError).signal ?? 'a signal'}`;
            break;
          }
          const cpu0 = fleet.cpu(engines);
          const load = await runLoad(sliceWorkload(workload, planned.firstOp, planned.ops), {
            target: engines.urls,
            processes,
            connections,
            watch: fleet.watch,
            client: o.client ?? 'lean',
            allowDrops: true,
            maxRetries: 0,
            graceMs: 2000,
            sendGenesis: false,
            startLeadMs: 300,
            schedule: stepSchedule(planned.rate, o.stepDurationS),
            ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
            ...(signal === undefined ? {} : { signal }),
          });
          const cpu = stepCpu(cpu0, fleet.cpu(engines), load);
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          const summary = summarizeStep(
            load.measured.timeseries.map(stepSecondOf),
            { offered: planned.rate, durationS: o.stepDurationS, warmupS: o.warmupS },
            mergedLatency(load.histograms),
          );
          const seconds = stepSeconds(load, o.stepDurationS);
          const saturation = findSaturation(
            load.measured.resources,
            (t) => t >= o.warmupS && t < o.stepDurationS,
          );
          const bound = saturation.uses.length > 0 ? describeSaturation(saturation) : undefined;
          steps.push({
            ...summary,
            tStart: offset,
            seconds,
            ...(bound === undefined ? {} : { bound }),
            ...(cpu === null ? {} : { cpu }),
          });
          runs.push({
            ramp: r,
            setting,
            rate: planned.rate,
            firstOp: planned.firstOp,
            load,
            tStart: offset,
          });
          offset += seconds;
          const verdict = findElbow(steps, criteria).steps.find(
            (v) => v.index === steps.length - 1,
          )!;
          o.log(
            `  step ${planned.index + 1}: offered ${f0(planned.rate)}/s  achieved ${f0(summary.achieved)}/s  ` +
              `settled ${f0(summary.settled)}/s  p99 ${fms(summary.p99Ms)} ms  errors ${(summary.errorRate * 100).toFixed(1)}%  ` +
              `dropped ${f0(summary.dropped)}  -> ${verdict.pass ? 'pass' : `fail (${verdict.failed.join(', ')})`}` +
              (bound === undefined ? '' : `; ${bound}`),
          );
          if (collapsed(steps, criteria)) {
            stopped = `${criteria.sustainedFailures} consecutive failing steps`;
            break;
          }
        }
        const docs = await Promise.all(engines.urls.map((u) => getEngineJson(`${u}/v1/stats`)));
        stats = docs.length === 1 ? (docs[0] ?? null) : { targets: engines.urls, nodes: docs };
      } catch (error) {
        stopped = signal?.aborted
          ? `interrupted by ${(signal.reason as InterruptedError).signal ?? 'a signal'}`
          : `stopped by an error: ${(error as Error).message}`;
        o.log(`  ${stopped}`);
      } finally {
        if (engines) {
          const codes = await engines.stop(signal?.aborted ? 5_000 : undefined);
          if (codes.some((c) => c !== 0)) o.log(`  engine exited with code ${codes.join(', ')}`);
        }
      }
      ramps.push({ setting, steps, stopped });
      engineStats.push(stats);
    }
  } finally {
    await fleet.close(signal?.aborted ? 5_000 : undefined);
  }
  if (runs.length === 0) {
    if (signal?.aborted) throw signal.reason;
    throw new CapacityRunError('no ramp step ran; see the messages above');
  }
  const interrupted = signal?.aborted ? (signal.reason as InterruptedError) : undefined;

  const env = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const analysis = analyzeCapacity({
    ramps,
    criteria,
    targetTps: o.targetTps,
    peakPlannedTps,
    coresPerMachine: o.coresPerMachine,
    headroom: o.headroom,
    machine:
      store === 'postgres'
        ? `${env}, ${availableParallelism()} cores shared by the engine nodes, PostgreSQL and the load generator`
        : `${env}, ${availableParallelism()} cores shared by the engine, its HTTP server and the load generator`,
    machineCores: availableParallelism(),
    assumptions: {
      signatureSuite:
        (meta.suite ?? 'ed25519') === 'sm2'
          ? 'SM2 (GB/T 32918.2, recommended curve, ID 1234567812345678) over SM3 transaction ids, one signature per payment'
          : 'Ed25519 (RFC 8032, cofactored strict rule), one signature per payment',
      backend: o.backend === 'native' ? 'node:crypto (OpenSSL)' : '@noble/curves',
      extra: [
        `Workload: ${meta.scenario}${meta.variant ? `/${meta.variant}` : ''} at scale ${scale} (its own mix of payments and planted invalid operations), offered open-loop at each step's constant rate.`,
        `Elbow: highest step before ${criteria.sustainedFailures} consecutive failures of achieved >= ${criteria.minAchievedRatio * 100}% of offered, p99 <= ${criteria.sloP99Ms} ms, errors <= ${criteria.maxErrorRate * 100}%; ${o.warmupS} s warm-up trimmed from each ${o.stepDurationS} s step.`,
        'Client side: latency is measured from the intended send time (no coordinated omission); the load generator ran on the same machine and took CPU the engine would otherwise have had.',
      ],
    },
  });

  const combined = combineSteps(runs, o.stepDurationS, o.processes);
  const built = buildRunResult({
    kind: 'capacity',
    meta,
    facts: factsFor(meta.scenario, meta.variant, tiersNameOf(meta.params)),
    scale,
    config: {
      target: 'embedded',
      processes: o.processes,
      connections,
      client: o.client ?? 'lean',
      pipelining: 1,
      maxRetries: 0,
      allowDrops: true,
      backend: o.backend,
      sloMs: o.sloMs,
      suite: meta.suite ?? 'ed25519',
      engine: {
        embedded: true,
        args: ['--suite', meta.suite ?? 'ed25519', '--backend', o.backend],
        store,
        ...(store === 'postgres'
          ? { database: o.databaseUrl === undefined ? 'private cluster' : 'external' }
          : {}),
      },
      schedule: {
        type: 'steps',
        steps: plan.steps.map((s) => ({ rate: s.rate, durationMs: o.stepDurationS * 1000 })),
      },
      capacity: {
        scale,
        start: o.start,
        step: o.step,
        stepDurationS: o.stepDurationS,
        warmupS: o.warmupS,
        maxSteps: o.maxSteps,
        threadsSweep: o.threadsSweep,
        batchSweep: o.batchSweep,
        ...(store === 'postgres' ? { nodesSweep: settings.map((x) => x.nodes ?? 1) } : {}),
        targetTps: o.targetTps,
        peakPlannedTps,
        headroom: o.headroom,
        coresPerMachine: o.coresPerMachine,
        criteria,
        workloadOps: workload.ops.bodies.length,
        opsNeeded: plan.opsNeeded,
        stepsPlanned: plan.steps.length,
        stepsTruncated: plan.truncated,
      },
    },
    measured: combined.measured,
  });
  const measuredS = runs.reduce((n, r) => n + r.load.measured.durationS, 0);
  const result: RunResult = {
    ...built,
    steps: capacityStepEntries(analysis, ramps),
    ...(interrupted instanceof InterruptedError
      ? {
          incomplete: {
            cause: 'signal' as const,
            by: interrupted.signal,
            afterS: Math.round(measuredS * 10) / 10,
            reason: `interrupted by ${interrupted.signal} after ${runs.length} step(s) (${Math.round(measuredS)} s measured); later steps and ramps did not run`,
          },
        }
      : {}),
  };
  const dir = join(o.outDir, result.runId);
  const files = await writeRunOutputs(dir, result, combined.histograms, o.charts);
  const capacityFile = join(dir, 'capacity.json');
  await writeFile(
    capacityFile,
    `${JSON.stringify(
      {
        kind: 'ecny-bench/capacity',
        version: 1,
        runId: result.runId,
        workload: {
          scenario: meta.scenario,
          variant: meta.variant ?? null,
          suite: meta.suite ?? 'ed25519',
          scale,
          ops: workload.ops.bodies.length,
          genesis: workload.genesis.bodies.length,
          peakPlannedTps,
        },
        plan,
        ramps: ramps.map((r, i) => ({ ...r, engineStats: engineStats[i] ?? null })),
        analysis,
      },
      null,
      2,
    )}\n`,
  );
  files.push(capacityFile);
  return { result, analysis, dir, files, plan };
}
