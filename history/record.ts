/**
 * One line of the results history: the key figures of a run or a gate, keyed by commit,
 * scenario (runs), machine kind and date. Plain JSON, so a history is a JSON Lines file that any
 * tool can read, a CI cache or artifact can carry, and two histories merge by concatenation.
 */
import { createHash } from 'node:crypto';
import type { GateResult, GateRunReport } from '../gate/index.js';
import type { RunResult, ThresholdOutcome } from '../result-format/index.js';

export const HISTORY_SCHEMA = 'ecny-bench/history/v1';

/**
 * The machine kind: CPU model and core count. Not the host name: CI runners of one kind have a
 * new name every run, and their figures belong on one line.
 */
export interface MachineKind {
  readonly fingerprint: string;
  readonly cpuModel: string;
  readonly cores: number;
}

interface RecordBase {
  readonly schema: typeof HISTORY_SCHEMA;
  /** When the figures were measured (ISO-8601 UTC). */
  readonly date: string;
  /** The commit measured; null outside git. */
  readonly commit: string | null;
  readonly machine: MachineKind;
  readonly node: string;
}

/** The figures of one run that trends are drawn from. */
export interface RunFigures {
  /** Latency from the intended send, ms. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Service time p99, ms. */
  readonly serviceP99: number;
  /** Answers per second over the measured phase. */
  readonly throughput: number;
  readonly settledPerSecond: number;
  /** The planned rate over the measured phase (planned ops / duration). */
  readonly plannedPerSecond: number;
  readonly planned: number;
  readonly sent: number;
  readonly dropped: number;
  readonly errors: number;
  readonly mismatched: number;
  readonly lost: number;
  readonly durationS: number;
}

export interface RunRecord extends RecordBase {
  readonly kind: 'run';
  readonly runId: string;
  /** `name` or `name/variant`. */
  readonly scenario: string;
  readonly scale: string;
  /** The run's verdict (runner/ RunVerdict). */
  readonly verdict: 'pass' | 'failed' | 'thresholds' | 'incomplete';
  readonly sloMs: number;
  readonly figures: RunFigures;
  readonly thresholds: readonly Pick<
    ThresholdOutcome,
    'expression' | 'metric' | 'op' | 'limit' | 'unit' | 'value' | 'passed'
  >[];
  /** What tells runs of one scenario apart: engine, client, generators. */
  readonly setup: Readonly<Record<string, string | number | boolean>>;
}

/** One gate metric at one commit. */
export interface GateMetricFigures {
  readonly direction: 'higher-better' | 'lower-better';
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The baseline's median it was judged against; null for a baseline itself. */
  readonly baselineMedian: number | null;
  /** The tolerated worsening (0.15 = 15%). */
  readonly threshold: number;
  readonly verdict: 'pass' | 'regression' | 'unusable' | 'baseline';
  readonly improved: boolean;
  readonly worsening: number | null;
  readonly pValue: number | null;
}

export interface GateRecord extends RecordBase {
  readonly kind: 'gate';
  /** `baseline`: a baseline's own trials (committed, or written by --update-baseline). */
  readonly verdict: 'pass' | 'regression' | 'unusable' | 'baseline';
  readonly trials: number;
  readonly metrics: Readonly<Record<string, GateMetricFigures>>;
  /** Where a baseline record came from (`results/baselines/gate.json@<commit>`). */
  readonly source?: string;
}

export type HistoryRecord = RunRecord | GateRecord;

/** The machine kind of a CPU model and core count. */
export function machineKind(cpuModel: string, cores: number): MachineKind {
  const model = cpuModel.trim() || 'unknown';
  const fingerprint = createHash('sha256').update(`${model}\0${cores}`).digest('hex').slice(0, 10);
  return { fingerprint, cpuModel: model, cores };
}

/** What tells runs of one scenario apart, kept small and scalar. */
function setupOf(result: RunResult): Record<string, string | number | boolean> {
  const c = result.config;
  const engine = c['engine'] as
    | { embedded?: boolean; args?: unknown; target?: unknown }
    | undefined;
  const out: Record<string, string | number | boolean> = {
    engine: engine?.embedded === true ? 'embedded' : 'external',
  };
  const args = Array.isArray(engine?.args) ? (engine.args as unknown[]).map(String) : [];
  for (let i = 0; i + 1 < args.length; i++) {
    const flag = args[i]!;
    if (flag.startsWith('--')) out[flag.slice(2)] = args[i + 1]!;
  }
  for (const key of ['client', 'processes', 'connections', 'pipelining']) {
    const v = c[key];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

/** The history line of a finished run. */
export function runRecord(result: RunResult, verdict: RunRecord['verdict']): RunRecord {
  const t = result.totals;
  const c = result.latency.corrected;
  const duration = result.durationS > 0 ? result.durationS : 1;
  return {
    schema: HISTORY_SCHEMA,
    kind: 'run',
    date: result.startedAt,
    commit: result.environment.gitCommit,
    machine: machineKind(result.environment.cpuModel, result.environment.cores),
    node: result.environment.node,
    runId: result.runId,
    scenario: result.scenario.variant
      ? `${result.scenario.name}/${result.scenario.variant}`
      : result.scenario.name,
    scale: result.scenario.scale,
    verdict,
    sloMs: result.config.sloMs,
    figures: {
      p50: c.p50,
      p90: c.p90,
      p99: c.p99,
      p999: c.p999,
      max: c.max,
      serviceP99: result.latency.uncorrected.p99,
      throughput: t.achievedPerSecond,
      settledPerSecond: t.settledPerSecond,
      plannedPerSecond: t.planned / duration,
      planned: t.planned,
      sent: t.sent,
      dropped: t.dropped,
      errors: t.errors,
      mismatched: t.mismatched,
      lost: t.lost,
      durationS: result.durationS,
    },
    thresholds: (result.thresholds ?? []).map((o) => ({
      expression: o.expression,
      metric: o.metric,
      op: o.op,
      limit: o.limit,
      unit: o.unit,
      value: o.value,
      passed: o.passed,
    })),
    setup: setupOf(result),
  };
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Gate metric figures from trials alone (a baseline, judged against nothing). */
function baselineFigures(
  trials: readonly { readonly metrics: Readonly<Record<string, number>> }[],
  directions: Readonly<Record<string, { direction: 'higher-better' | 'lower-better' }>>,
  threshold: number,
): Record<string, GateMetricFigures> {
  const out: Record<string, GateMetricFigures> = {};
  for (const [metric, spec] of Object.entries(directions)) {
    const values = trials.map((t) => t.metrics[metric]).filter((v) => typeof v === 'number');
    if (values.length === 0) continue;
    out[metric] = {
      direction: spec.direction,
      median: medianOf(values),
      min: Math.min(...values),
      max: Math.max(...values),
      baselineMedian: null,
      threshold,
      verdict: 'baseline',
      improved: false,
      worsening: null,
      pValue: null,
    };
  }
  return out;
}

/** Gate metric figures of a judged run: one per row of its result. */
function judgedFigures(result: GateResult): Record<string, GateMetricFigures> {
  const out: Record<string, GateMetricFigures> = {};
  for (const row of result.rows) {
    if (row.currentMedian === null || row.spread === null) continue;
    out[row.metric] = {
      direction: row.direction,
      median: row.currentMedian,
      min: row.spread.currentMin,
      max: row.spread.currentMax,
      baselineMedian: row.baselineMedian,
      threshold: row.threshold,
      verdict: row.verdict,
      improved: row.improved,
      worsening: row.worsening,
      pValue: row.pValue,
    };
  }
  return out;
}

/**
 * The history line of a gate run (`--json`'s report): judged metrics, or the baseline's own
 * figures when it wrote one. Null when the gate measured nothing (unusable input).
 */
export function gateRecord(
  report: GateRunReport,
  directions: Readonly<Record<string, { direction: 'higher-better' | 'lower-better' }>>,
  threshold: number,
): GateRecord | null {
  if (report.trials.length === 0) return null;
  const env = report.environment;
  const commit = typeof env['commit'] === 'string' ? (env['commit'] as string) : null;
  return {
    schema: HISTORY_SCHEMA,
    kind: 'gate',
    date: report.createdAt,
    commit,
    machine: machineKind(env.cpuModel, env.cores),
    node: env.node,
    verdict: report.result === null ? 'baseline' : report.result.verdict,
    trials: report.trials.length,
    metrics:
      report.result === null
        ? baselineFigures(report.trials, directions, threshold)
        : judgedFigures(report.result),
  };
}

/** The history line of a committed baseline file (seeding the history). */
export function baselineRecord(
  baseline: {
    readonly createdAt: string;
    readonly environment: Readonly<Record<string, unknown>> & {
      readonly cpuModel: string;
      readonly cores: number;
      readonly node: string;
    };
    readonly trials: readonly { readonly metrics: Readonly<Record<string, number>> }[];
  },
  directions: Readonly<Record<string, { direction: 'higher-better' | 'lower-better' }>>,
  threshold: number,
  source: string,
  fileCommit: string | null,
): GateRecord {
  const env = baseline.environment;
  return {
    schema: HISTORY_SCHEMA,
    kind: 'gate',
    date: baseline.createdAt,
    commit: typeof env['commit'] === 'string' ? (env['commit'] as string) : fileCommit,
    machine: machineKind(env.cpuModel, env.cores),
    node: env.node,
    verdict: 'baseline',
    trials: baseline.trials.length,
    metrics: baselineFigures(baseline.trials, directions, threshold),
    source,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a parsed line is not a history record, or null when it is one. */
export function recordProblem(value: unknown): string | null {
  if (!isObj(value)) return 'not a JSON object';
  if (value['schema'] !== HISTORY_SCHEMA) return `schema is not ${HISTORY_SCHEMA}`;
  if (value['kind'] !== 'run' && value['kind'] !== 'gate') return 'kind is neither run nor gate';
  if (typeof value['date'] !== 'string' || Number.isNaN(Date.parse(value['date'])))
    return 'date is not an ISO time';
  if (value['commit'] !== null && typeof value['commit'] !== 'string')
    return 'commit is not a string';
  const machine = value['machine'];
  if (!isObj(machine) || typeof machine['fingerprint'] !== 'string') return 'machine is missing';
  if (value['kind'] === 'run') {
    if (typeof value['scenario'] !== 'string') return 'scenario is missing';
    const f = value['figures'];
    if (!isObj(f) || typeof f['p99'] !== 'number' || typeof f['throughput'] !== 'number')
      return 'figures are missing';
    if (!Array.isArray(value['thresholds'])) return 'thresholds is not a list';
  } else if (!isObj(value['metrics'])) return 'metrics are missing';
  return null;
}
