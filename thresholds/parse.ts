/**
 * Threshold expressions, k6 style: `p99<50ms`, `p99.9 < 0.2s`, `settled_rate>=0.99`,
 * `dropped==0`, `rejected.OVERLOADED<=10`, `p99<50ms abortOnFail=10s`. Parsing collects every
 * problem of every expression before anything starts, each with a stable reason code.
 */
import { CodedError } from '../engine/domain/index.js';
import type { ThresholdOp, ThresholdUnit } from '../result-format/index.js';
import { canonicalMetric, METRICS, metricSpec } from './metrics.js';

/** A parsed threshold, ready to be judged. */
export interface ThresholdSpec {
  readonly expression: string;
  readonly metric: string;
  readonly op: ThresholdOp;
  /** In the metric's unit: ms, a ratio in [0, 1], a count, per second. */
  readonly limit: number;
  readonly unit: ThresholdUnit;
  readonly source: 'flag' | 'scenario';
  readonly abortOnFail?: { readonly delayS: number };
}

/** Why an expression was refused. */
export type ThresholdProblemCode =
  | 'THRESHOLD_SYNTAX'
  | 'THRESHOLD_UNKNOWN_METRIC'
  | 'THRESHOLD_BAD_VALUE'
  | 'THRESHOLD_BAD_UNIT'
  | 'THRESHOLD_BAD_OPTION';

export interface ThresholdProblem {
  readonly expression: string;
  readonly code: ThresholdProblemCode;
  readonly message: string;
}

/** One or more expressions could not be used; `problems` lists each (exit 2 in the CLI). */
export class ThresholdError extends CodedError {
  readonly code = 'BAD_THRESHOLD';
  readonly kind = 'input';
  readonly problems: readonly ThresholdProblem[];
  constructor(problems: readonly ThresholdProblem[]) {
    super(
      problems.length === 1
        ? problems[0]!.message
        : `${problems.length} unusable thresholds:\n  ${problems.map((p) => p.message).join('\n  ')}`,
    );
    this.problems = problems;
  }
}

/**
 * metric, operator, number, a unit attached to the number (`50ms`) or a known unit after a
 * space (`50 ms`), then options.
 */
const SHAPE =
  /^([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)([a-zµ%/]*)(?:\s+(ms|s|us|µs|%|\/s)(?=[\s,]|$))?\s*(.*)$/i;

/** Units accepted per metric unit, and the factor to the metric's own unit. */
const UNITS: Readonly<Record<ThresholdUnit, Readonly<Record<string, number>>>> = {
  ms: { '': 1, ms: 1, s: 1000, us: 0.001, µs: 0.001 },
  ratio: { '': 1, '%': 0.01 },
  count: { '': 1 },
  'per-second': { '': 1, '/s': 1 },
};

const UNIT_HINT: Readonly<Record<ThresholdUnit, string>> = {
  ms: 'a duration: 50ms, 0.2s, 500us (a bare number is ms)',
  ratio: 'a ratio: 0.99 or 99%',
  count: 'a whole number: 0, 10',
  'per-second': 'a rate: 1000 or 1000/s',
};

/** A duration option value: `10s`, `500ms`, `2m`, or bare seconds. */
function durationSeconds(text: string): number | null {
  const m = /^([0-9]*\.?[0-9]+)(ms|s|m)?$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : v;
}

/** Parses one expression; the problems go to `problems` (returns null then). */
function parseOne(
  raw: string,
  source: ThresholdSpec['source'],
  problems: ThresholdProblem[],
): ThresholdSpec | null {
  const text = raw.trim();
  const problem = (code: ThresholdProblemCode, message: string) => {
    problems.push({ expression: text, code, message: `threshold "${text}": ${message}` });
    return null;
  };
  const m = SHAPE.exec(text);
  if (!m)
    return problem(
      'THRESHOLD_SYNTAX',
      'expected <metric><op><value>[unit], e.g. p99<50ms, settled_rate>=0.99, dropped==0',
    );
  const [, name, op, valueText, attached, spaced, rest] = m as unknown as [
    string,
    string,
    ThresholdOp,
    string,
    string,
    string | undefined,
    string,
  ];
  const unitText = attached !== '' ? attached : (spaced ?? '');
  const metric = canonicalMetric(name);
  const spec = metricSpec(metric);
  if (spec === undefined)
    return problem(
      'THRESHOLD_UNKNOWN_METRIC',
      `unknown metric "${name}" (known: ${[...METRICS.keys()].filter((k) => !k.includes('.')).join(', ')}, service.<p>, send_lag.<p>, rejected.<CODE>, rejected_rate.<CODE>)`,
    );
  const factor = UNITS[spec.unit][unitText];
  if (factor === undefined)
    return problem(
      'THRESHOLD_BAD_UNIT',
      `"${unitText}" is not a unit of ${metric}: give ${UNIT_HINT[spec.unit]}`,
    );
  const limit = Number(valueText) * factor;
  if (!Number.isFinite(limit) || limit < 0)
    return problem('THRESHOLD_BAD_VALUE', `the limit must be a number >= 0, got "${valueText}"`);
  if (spec.unit === 'ratio' && limit > 1)
    return problem(
      'THRESHOLD_BAD_VALUE',
      `${metric} is a ratio between 0 and 1: write ${valueText}% or ${Number(valueText) / 100}`,
    );
  if (spec.unit === 'count' && !Number.isInteger(limit))
    return problem('THRESHOLD_BAD_VALUE', `${metric} is a count: the limit must be a whole number`);
  let abortOnFail: ThresholdSpec['abortOnFail'];
  for (const option of rest.split(/[\s,]+/).filter((o) => o !== '')) {
    const [key, value] = option.split('=', 2) as [string, string | undefined];
    if (key.toLowerCase() !== 'abortonfail')
      return problem(
        'THRESHOLD_BAD_OPTION',
        `unknown option "${option}" (the one option is abortOnFail or abortOnFail=<delay>, e.g. abortOnFail=10s)`,
      );
    const delayS = value === undefined ? 0 : durationSeconds(value);
    if (delayS === null)
      return problem(
        'THRESHOLD_BAD_OPTION',
        `abortOnFail's delay must be a duration such as 10s or 500ms, got "${value}"`,
      );
    abortOnFail = { delayS };
  }
  return {
    expression: `${metric}${op}${valueText}${unitText}`,
    metric,
    op,
    limit,
    unit: spec.unit,
    source,
    ...(abortOnFail === undefined ? {} : { abortOnFail }),
  };
}

/**
 * Parses every expression; throws one ThresholdError listing every problem. The same metric may
 * appear more than once (`p99<50ms` and `p99<100ms abortOnFail`).
 */
export function parseThresholds(
  expressions: readonly string[],
  source: ThresholdSpec['source'] = 'flag',
): ThresholdSpec[] {
  const problems: ThresholdProblem[] = [];
  const specs: ThresholdSpec[] = [];
  for (const text of expressions) {
    const spec = parseOne(text, source, problems);
    if (spec !== null) specs.push(spec);
  }
  if (problems.length > 0) throw new ThresholdError(problems);
  return specs;
}
