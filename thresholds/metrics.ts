/**
 * The metrics a threshold can name, in one table: name, unit, what it means, and how to read it
 * from a run's figures. The same figures come from a finished result.json or from the measured
 * phase so far (abortOnFail), so a threshold means the same thing in both.
 */
import type { Percentiles, ThresholdUnit } from '../result-format/index.js';

/** What a threshold is judged on: the measured phase, whole or so far. */
export interface Figures {
  /** Latency from the intended send time (coordinated omission corrected), ms. */
  readonly latency: Percentiles;
  /** Service time (from the actual send), ms. */
  readonly service: Percentiles;
  /** Generator lateness: actual send minus the time the op became sendable, ms. */
  readonly sendLag?: Percentiles;
  /** Ops this run was to send in total (its share of the workload). */
  readonly planned: number;
  /** Ops whose intended send time has passed (equals `planned` at the end). */
  readonly offered: number;
  readonly sent: number;
  /** Answers received (settled + rejected). */
  readonly answered: number;
  readonly settled: number;
  readonly dropped: number;
  readonly errors: number;
  readonly rejectedByCode: Readonly<Record<string, number>>;
  /** Seconds of the measured phase covered, the denominator of the rates. */
  readonly seconds: number;
  /** Ops of this run the workload expects to settle; undefined when unknown (cut short, a slice). */
  readonly expectedSettled?: number;
}

/** How a metric reads its value; a string is the reason it cannot be measured here. */
type Reader = (f: Figures) => number | string;

export interface MetricSpec {
  readonly unit: ThresholdUnit;
  readonly description: string;
  readonly read: Reader;
}

/** Percentile names as users write them, and the Percentiles field each one reads. */
const PERCENTILES: ReadonlyArray<readonly [string, keyof Percentiles]> = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p99.9', 'p999'],
  ['p99.99', 'p9999'],
  ['max', 'max'],
  ['mean', 'mean'],
  ['min', 'min'],
];

const ratio = (n: number, d: number, what: string): number | string =>
  d > 0 ? n / d : `no ${what} yet`;

const percentile =
  (pick: (f: Figures) => Percentiles | undefined, key: keyof Percentiles, what: string): Reader =>
  (f) => {
    const p = pick(f);
    if (p === undefined) return `this run did not record ${what}`;
    return p.count > 0 ? p[key] : `no ${what} recorded`;
  };

function buildCatalogue(): Map<string, MetricSpec> {
  const m = new Map<string, MetricSpec>();
  for (const [name, key] of PERCENTILES) {
    m.set(name, {
      unit: 'ms',
      description: `${name} latency from the intended send time (what a user waited)`,
      read: percentile((f) => f.latency, key, 'answers'),
    });
    m.set(`service.${name}`, {
      unit: 'ms',
      description: `${name} service time, from the actual send`,
      read: percentile((f) => f.service, key, 'answers'),
    });
    m.set(`send_lag.${name}`, {
      unit: 'ms',
      description: `${name} generator lateness (actual send minus when the op became sendable)`,
      read: percentile((f) => f.sendLag, key, 'send lag'),
    });
  }
  m.set('throughput', {
    unit: 'per-second',
    description: 'answers (settled + rejected) per second over the measured phase',
    read: (f) => ratio(f.answered, f.seconds, 'measured seconds'),
  });
  m.set('settled_per_s', {
    unit: 'per-second',
    description: 'settlements per second over the measured phase',
    read: (f) => ratio(f.settled, f.seconds, 'measured seconds'),
  });
  m.set('achieved_ratio', {
    unit: 'ratio',
    description: 'answers received / sends planned so far (achieved vs planned rate)',
    read: (f) => ratio(f.answered, f.offered, 'planned sends'),
  });
  m.set('settled_rate', {
    unit: 'ratio',
    description: 'settlements / ops the workload expects to settle',
    read: (f) =>
      f.expectedSettled === undefined
        ? 'the expected settlements are unknown for this run (cut short, or not the whole workload)'
        : ratio(f.settled, f.expectedSettled, 'expected settlements'),
  });
  m.set('dropped', {
    unit: 'count',
    description: 'sends that could not go out within the lateness bound',
    read: (f) => f.dropped,
  });
  m.set('dropped_rate', {
    unit: 'ratio',
    description: 'dropped / planned so far',
    read: (f) => ratio(f.dropped, f.offered, 'planned sends'),
  });
  m.set('errors', {
    unit: 'count',
    description: 'transport errors and unexpected HTTP statuses',
    read: (f) => f.errors,
  });
  m.set('error_rate', {
    unit: 'ratio',
    description: 'errors / sent',
    read: (f) => ratio(f.errors, f.sent, 'sends'),
  });
  m.set('rejected', {
    unit: 'count',
    description: 'rejections of every code',
    read: (f) => sumOf(f.rejectedByCode),
  });
  m.set('rejected_rate', {
    unit: 'ratio',
    description: 'rejections of every code / answers',
    read: (f) => ratio(sumOf(f.rejectedByCode), f.answered, 'answers'),
  });
  return m;
}

function sumOf(counts: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}

/** Every fixed metric name; `rejected.<CODE>` and `rejected_rate.<CODE>` come on top. */
export const METRICS: ReadonlyMap<string, MetricSpec> = buildCatalogue();

/** Rejection codes are upper-case words (docs/api.md): OVERLOADED, TIER_LIMIT. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The metric called `name` (spelled canonically), or undefined when there is none. */
export function metricSpec(name: string): MetricSpec | undefined {
  const fixed = METRICS.get(name);
  if (fixed !== undefined) return fixed;
  const dot = name.indexOf('.');
  if (dot === -1) return undefined;
  const family = name.slice(0, dot);
  const code = name.slice(dot + 1);
  if (!CODE.test(code)) return undefined;
  if (family === 'rejected')
    return {
      unit: 'count',
      description: `rejections with code ${code}`,
      read: (f) => f.rejectedByCode[code] ?? 0,
    };
  if (family === 'rejected_rate')
    return {
      unit: 'ratio',
      description: `rejections with code ${code} / answers`,
      read: (f) => ratio(f.rejectedByCode[code] ?? 0, f.answered, 'answers'),
    };
  return undefined;
}

/** Spellings users bring, mapped to the canonical name (`p999` -> `p99.9`, `latency.p99` -> `p99`). */
export function canonicalMetric(name: string): string {
  let n = name.trim();
  if (n.startsWith('latency.')) n = n.slice('latency.'.length);
  n = n.replace(/(^|\.)p999$/, '$1p99.9').replace(/(^|\.)p9999$/, '$1p99.99');
  if (n.startsWith('service_time.')) n = `service.${n.slice('service_time.'.length)}`;
  if (n.startsWith('rejections.')) n = `rejected.${n.slice('rejections.'.length)}`;
  return n;
}
