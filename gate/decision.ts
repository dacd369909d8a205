/**
 * The CI performance gate's decision: compare repeated trials of the current build with a stored
 * baseline and decide pass / regression / unusable.
 *
 * CI machines differ between runs and are noisy, so raw tx/s cannot be compared across runs. The
 * gate compares machine-independent ratios measured in the same run as their own calibration
 * (see {@link gateRatios}): a slower machine slows the engine and the calibration alike.
 *
 * Decision per metric (docs/gate.md has the measured error rates):
 *  - unusable (exit 2) if either side has fewer than `minTrials` (>= 3) trials or a trial lacks
 *    the metric or has a non-positive / non-finite value;
 *  - regression (exit 1) if BOTH the Hodges–Lehmann shift (median of all current/baseline ratios)
 *    is worse than the threshold (default 15%) AND a one-sided exact Mann–Whitney test says the
 *    current trials sit below (or above, for lower-better) the baseline's at p <= alpha (0.05).
 *    The threshold keeps statistically real but small changes from failing a build; the rank test
 *    keeps one noisy run with a large median shift from failing it.
 *  - pass (exit 0) otherwise.
 */
import { fmtPct, fmtSig } from '../capacity/analysis/index.js';
import { hodgesLehmannRatio, mannWhitney, median } from './stats.js';

/** Which way is better for a metric. */
export type Direction = 'higher-better' | 'lower-better';

/** One trial: named ratio metrics, all positive. */
export interface Trial {
  readonly metrics: Readonly<Record<string, number>>;
  /** Optional free-form label (trial number, timestamp, ...). */
  readonly label?: string;
}

/** How to judge one metric. */
export interface GateMetricSpec {
  readonly direction: Direction;
  /** Relative worsening that counts as a regression; defaults to the gate-wide threshold. */
  readonly threshold?: number;
}

/** Options for {@link judgeGate}. */
export interface GateOptions {
  /** Metrics to judge, with their direction. Metrics not listed here are ignored. */
  readonly metrics: Readonly<Record<string, GateMetricSpec>>;
  /** Default relative threshold, 0.15 = 15% worse. */
  readonly threshold?: number;
  /** One-sided significance level of the rank test. Default 0.05. */
  readonly alpha?: number;
  /** Trials required on each side; at least 3 (the default). */
  readonly minTrials?: number;
}

/** The metrics the engine gate judges by default (see {@link gateRatios}). */
export const DEFAULT_GATE_METRICS: Readonly<Record<string, GateMetricSpec>> = Object.freeze({
  efficiency: { direction: 'higher-better' },
  cpuRatio: { direction: 'lower-better' },
});

/** Verdict of one metric or of the whole gate. */
export type GateVerdict = 'pass' | 'regression' | 'unusable';

/** One row of the gate report. */
export interface GateRow {
  readonly metric: string;
  readonly direction: Direction;
  readonly baselineTrials: number;
  readonly currentTrials: number;
  readonly baselineMedian: number | null;
  readonly currentMedian: number | null;
  /** currentMedian / baselineMedian − 1 (signed; whether + is good depends on `direction`). */
  readonly change: number | null;
  /** Hodges–Lehmann shift: median of current/baseline pairwise ratios − 1 (signed). */
  readonly shift: number | null;
  /** Shift oriented so that positive is worse: what is compared with the threshold. */
  readonly worsening: number | null;
  /** One-sided Mann–Whitney p-value in the "worse" direction. */
  readonly pValue: number | null;
  readonly spread: {
    readonly baselineMin: number;
    readonly baselineMax: number;
    readonly currentMin: number;
    readonly currentMax: number;
  } | null;
  readonly threshold: number;
  readonly verdict: GateVerdict;
  readonly improved: boolean;
  readonly reason: string;
}

/** Result of {@link judgeGate}; plain data, JSON round-trips unchanged. */
export interface GateResult {
  readonly kind: 'ecny-bench/gate-result';
  readonly version: 1;
  readonly verdict: GateVerdict;
  /** 0 pass, 1 regression, 2 unusable input. */
  readonly exitCode: 0 | 1 | 2;
  readonly threshold: number;
  readonly alpha: number;
  readonly minTrials: number;
  readonly rows: readonly GateRow[];
  /** Metrics present in the trials that the options do not list (not judged). */
  readonly ignoredMetrics: readonly string[];
  /** One printable sentence. */
  readonly summary: string;
}

interface Resolved {
  threshold: number;
  alpha: number;
  minTrials: number;
}

function resolve(options: GateOptions): Resolved {
  const threshold = options.threshold ?? 0.15;
  const alpha = options.alpha ?? 0.05;
  const minTrials = options.minTrials ?? 3;
  if (!(threshold > 0 && threshold < 1))
    throw new RangeError(`threshold must be in (0, 1), got ${threshold}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(minTrials) && minTrials >= 3)) {
    throw new RangeError(`minTrials must be an integer >= 3, got ${minTrials}`);
  }
  for (const [name, spec] of Object.entries(options.metrics)) {
    if (spec.direction !== 'higher-better' && spec.direction !== 'lower-better') {
      throw new RangeError(`metric ${name}: direction must be higher-better or lower-better`);
    }
    if (spec.threshold !== undefined && !(spec.threshold > 0 && spec.threshold < 1)) {
      throw new RangeError(`metric ${name}: threshold must be in (0, 1)`);
    }
  }
  return { threshold, alpha, minTrials };
}

/** Values of one metric across trials, or the reason they cannot be used. */
function collect(trials: readonly Trial[], metric: string, side: string): number[] | string {
  const values: number[] = [];
  for (const [i, t] of trials.entries()) {
    const v = Object.hasOwn(t.metrics, metric) ? t.metrics[metric] : undefined;
    if (v === undefined) return `${side} trial ${i} has no ${metric}`;
    if (!(Number.isFinite(v) && v > 0))
      return `${side} trial ${i}: ${metric} = ${v} is not a positive number`;
    values.push(v);
  }
  return values;
}

function unusableRow(
  metric: string,
  spec: GateMetricSpec,
  threshold: number,
  b: number,
  c: number,
  reason: string,
): GateRow {
  return {
    metric,
    direction: spec.direction,
    baselineTrials: b,
    currentTrials: c,
    baselineMedian: null,
    currentMedian: null,
    change: null,
    shift: null,
    worsening: null,
    pValue: null,
    spread: null,
    threshold,
    verdict: 'unusable',
    improved: false,
    reason,
  };
}

function judgeMetric(
  metric: string,
  spec: GateMetricSpec,
  baseline: readonly Trial[],
  current: readonly Trial[],
  r: Resolved,
): GateRow {
  const threshold = spec.threshold ?? r.threshold;
  const nb = baseline.length;
  const nc = current.length;
  if (nb < r.minTrials || nc < r.minTrials) {
    return unusableRow(
      metric,
      spec,
      threshold,
      nb,
      nc,
      `need at least ${r.minTrials} trials on each side, got ${nb} baseline and ${nc} current`,
    );
  }
  const b = collect(baseline, metric, 'baseline');
  if (typeof b === 'string') return unusableRow(metric, spec, threshold, nb, nc, b);
  const c = collect(current, metric, 'current');
  if (typeof c === 'string') return unusableRow(metric, spec, threshold, nb, nc, c);

  const higher = spec.direction === 'higher-better';
  const baselineMedian = median(b);
  const currentMedian = median(c);
  const change = currentMedian / baselineMedian - 1;
  const shift = hodgesLehmannRatio(b, c) - 1;
  // `|| 0` turns −0 into 0 so that a JSON round trip gives back the same object.
  const worsening = (higher ? -shift : shift) || 0;
  const mw = mannWhitney(b, c);
  const pWorse = higher ? mw.pLess : mw.pGreater;
  const pBetter = higher ? mw.pGreater : mw.pLess;
  const regression = worsening > threshold && pWorse <= r.alpha;
  const improved = -worsening > threshold && pBetter <= r.alpha;

  const shiftText = `shift ${fmtPct(shift)} (${higher ? 'higher' : 'lower'} is better), p = ${fmtSig(pWorse, 2)}`;
  let reason: string;
  if (regression) {
    reason = `${shiftText}: worse than ${fmtPct(threshold).replace('+', '')} and outside the baseline's spread`;
  } else if (improved) {
    reason = `${shiftText}: improved beyond the threshold; consider --update-baseline`;
  } else if (worsening > threshold) {
    reason = `${shiftText}: worse than ${fmtPct(threshold).replace('+', '')} but within the baseline's noise (p > ${r.alpha})`;
  } else {
    reason = `${shiftText}: within ${fmtPct(threshold).replace('+', '')}`;
  }
  return {
    metric,
    direction: spec.direction,
    baselineTrials: nb,
    currentTrials: nc,
    baselineMedian,
    currentMedian,
    change,
    shift,
    worsening,
    pValue: pWorse,
    spread: {
      baselineMin: Math.min(...b),
      baselineMax: Math.max(...b),
      currentMin: Math.min(...c),
      currentMax: Math.max(...c),
    },
    threshold,
    verdict: regression ? 'regression' : 'pass',
    improved,
    reason,
  };
}

/**
 * Judge the current trials against the baseline trials, metric by metric.
 * Exit code: 2 if any metric is unusable (broken input must be fixed before anything can be
 * concluded), else 1 if any metric regressed, else 0.
 *
 * @throws RangeError on invalid options (thresholds, alpha, minTrials < 3, directions).
 */
export function judgeGate(
  baseline: readonly Trial[],
  current: readonly Trial[],
  options: GateOptions,
): GateResult {
  const r = resolve(options);
  const names = Object.keys(options.metrics);
  const rows = names.map((m) => judgeMetric(m, options.metrics[m]!, baseline, current, r));
  const seen = new Set<string>();
  for (const t of [...baseline, ...current]) for (const k of Object.keys(t.metrics)) seen.add(k);
  const ignoredMetrics = [...seen].filter((k) => !Object.hasOwn(options.metrics, k)).sort();

  let verdict: GateVerdict;
  let summary: string;
  const bad = rows.filter((row) => row.verdict === 'unusable');
  const regressed = rows.filter((row) => row.verdict === 'regression');
  if (rows.length === 0) {
    verdict = 'unusable';
    summary = 'no metrics to judge';
  } else if (bad.length > 0) {
    verdict = 'unusable';
    summary = `unusable input: ${bad.map((row) => `${row.metric} (${row.reason})`).join('; ')}`;
  } else if (regressed.length > 0) {
    verdict = 'regression';
    summary = `regression in ${regressed.map((row) => `${row.metric} (${fmtPct(row.shift ?? 0)})`).join(', ')}`;
  } else {
    verdict = 'pass';
    summary = `no metric worse than its threshold and outside the baseline's spread (${rows.length} judged)`;
  }
  const exitCode = verdict === 'pass' ? 0 : verdict === 'regression' ? 1 : 2;
  return {
    kind: 'ecny-bench/gate-result',
    version: 1,
    verdict,
    exitCode,
    threshold: r.threshold,
    alpha: r.alpha,
    minTrials: r.minTrials,
    rows,
    ignoredMetrics,
    summary,
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const num = (v: number | null) => (v === null ? '–' : fmtSig(v));
const pct = (v: number | null) => (v === null ? '–' : fmtPct(v));

/** A Markdown report fit for `$GITHUB_STEP_SUMMARY`: a headline and one table row per metric. */
export function renderGateMarkdown(result: GateResult): string {
  const icon = result.verdict === 'pass' ? '✅' : result.verdict === 'regression' ? '❌' : '⚠️';
  const lines = [
    `### ${icon} Performance gate: ${result.verdict} (exit ${result.exitCode})`,
    '',
    cell(result.summary),
    '',
    '| Metric | Better | Baseline median | Current median | Change | Shift (HL) | p | Baseline range | Verdict | Reason |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
  ];
  for (const row of result.rows) {
    const range =
      row.spread === null
        ? '–'
        : `${fmtSig(row.spread.baselineMin)} – ${fmtSig(row.spread.baselineMax)}`;
    const verdict =
      row.verdict === 'regression'
        ? '**regression**'
        : row.improved
          ? 'pass (improved)'
          : row.verdict;
    lines.push(
      `| ${cell(row.metric)} | ${row.direction === 'higher-better' ? 'higher' : 'lower'} | ${num(row.baselineMedian)} | ` +
        `${num(row.currentMedian)} | ${pct(row.change)} | ${pct(row.shift)} | ${row.pValue === null ? '–' : fmtSig(row.pValue, 2)} | ` +
        `${range} | ${verdict} | ${cell(row.reason)} |`,
    );
  }
  lines.push(
    '',
    `Trials: ${result.rows[0]?.baselineTrials ?? 0} baseline, ${result.rows[0]?.currentTrials ?? 0} current. ` +
      `Rule: regression when the Hodges–Lehmann shift is worse than the metric's threshold (${fmtPct(result.threshold).replace('+', '')} unless set per metric) ` +
      `and a one-sided Mann–Whitney test gives p <= ${result.alpha}.`,
  );
  if (result.ignoredMetrics.length > 0)
    lines.push('', `Not judged: ${result.ignoredMetrics.map(cell).join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** Same-run calibration inputs for {@link gateRatios}. */
export interface RatioInputs {
  /** Settled transactions per second of the engine under test. */
  readonly settledPerSecond: number;
  /** Pure signature verifications per second of ONE core, measured in the same run. */
  readonly verifyPerSecondPerCore: number;
  /** Cores the engine used. */
  readonly cores: number;
  /** Engine process CPU time per settled transaction (any unit, same as below). */
  readonly cpuPerTx: number;
  /** CPU time per pure verification, same unit, same run. */
  readonly cpuPerVerify: number;
}

/**
 * The default machine-independent gate metrics:
 * `efficiency = settled tx/s ÷ (verifications/s per core × cores)` (higher is better; ~1 means
 * the engine costs little beyond signature verification) and
 * `cpuRatio = CPU per settled tx ÷ CPU per verification` (lower is better).
 */
export function gateRatios(x: RatioInputs): { efficiency: number; cpuRatio: number } {
  for (const [k, v] of Object.entries(x)) {
    if (!(Number.isFinite(v) && v > 0))
      throw new RangeError(`${k} must be a positive number, got ${v}`);
  }
  return {
    efficiency: x.settledPerSecond / (x.verifyPerSecondPerCore * x.cores),
    cpuRatio: x.cpuPerTx / x.cpuPerVerify,
  };
}

/** Where and on what the baseline was measured; free-form beyond the required keys. */
export interface GateEnvironment {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly [extra: string]: string | number | boolean;
}

/** What `--update-baseline` writes: versioned JSON with the trials, the machine and the date. */
export interface GateBaseline {
  readonly kind: 'ecny-bench/gate-baseline';
  readonly version: 1;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly environment: GateEnvironment;
  readonly trials: readonly Trial[];
}

/** Current baseline file version. */
export const GATE_BASELINE_VERSION = 1;

function copyTrial(t: Trial): Trial {
  return t.label === undefined
    ? { metrics: { ...t.metrics } }
    : { metrics: { ...t.metrics }, label: t.label };
}

/**
 * Build the baseline document `--update-baseline` writes. `createdAt` defaults to now (the only
 * impure default; pass it for reproducible output).
 *
 * @throws RangeError with fewer than 3 trials (such a baseline could never be judged against)
 *   or a non-positive / non-finite metric value.
 */
export function makeBaseline(
  trials: readonly Trial[],
  environment: GateEnvironment,
  createdAt: Date = new Date(),
): GateBaseline {
  if (trials.length < 3)
    throw new RangeError(`a baseline needs at least 3 trials, got ${trials.length}`);
  for (const [i, t] of trials.entries()) {
    for (const [k, v] of Object.entries(t.metrics)) {
      if (!(Number.isFinite(v) && v > 0))
        throw new RangeError(`trial ${i}: ${k} = ${v} is not a positive number`);
    }
  }
  return {
    kind: 'ecny-bench/gate-baseline',
    version: 1,
    createdAt: createdAt.toISOString(),
    environment: { ...environment },
    trials: trials.map(copyTrial),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validate a parsed baseline file (e.g. `JSON.parse` output).
 *
 * @throws TypeError naming the first problem: wrong kind, unsupported version, malformed trials.
 */
export function parseBaseline(value: unknown): GateBaseline {
  const fail = (what: string) => new TypeError(`invalid gate baseline: ${what}`);
  if (!isRecord(value)) throw fail('not an object');
  if (value['kind'] !== 'ecny-bench/gate-baseline')
    throw fail(`kind is ${JSON.stringify(value['kind'])}`);
  if (value['version'] !== GATE_BASELINE_VERSION) {
    throw fail(
      `unsupported version ${JSON.stringify(value['version'])} (this build reads ${GATE_BASELINE_VERSION})`,
    );
  }
  const createdAt = value['createdAt'];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
    throw fail('createdAt is not a date');
  const env = value['environment'];
  if (!isRecord(env)) throw fail('environment is not an object');
  for (const [k, v] of Object.entries(env)) {
    if (!['string', 'number', 'boolean'].includes(typeof v))
      throw fail(`environment.${k} is not a scalar`);
  }
  for (const [k, type] of [
    ['cpuModel', 'string'],
    ['cores', 'number'],
    ['node', 'string'],
    ['platform', 'string'],
  ] as const) {
    if (typeof env[k] !== type) throw fail(`environment.${k} is not a ${type}`);
  }
  const trials = value['trials'];
  if (!Array.isArray(trials)) throw fail('trials is not an array');
  const parsed: Trial[] = trials.map((t: unknown, i) => {
    if (!isRecord(t) || !isRecord(t['metrics'])) throw fail(`trial ${i} has no metrics object`);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(t['metrics'])) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw fail(`trial ${i}: ${k} is not a finite number`);
      metrics[k] = v;
    }
    const label = t['label'];
    if (label !== undefined && typeof label !== 'string')
      throw fail(`trial ${i}: label is not a string`);
    return label === undefined ? { metrics } : { metrics, label };
  });
  return {
    kind: 'ecny-bench/gate-baseline',
    version: 1,
    createdAt,
    environment: env as GateEnvironment,
    trials: parsed,
  };
}
