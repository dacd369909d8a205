/**
 * A lean Prometheus registry and its text exposition (format 0.0.4), made for the engine's hot
 * path: recording a sample is a few additions on preallocated arrays, with no label hashing, no
 * allocation and no string work; a series is looked up once, when the code that records into it
 * is built, and kept as a handle. Everything text-shaped happens at scrape time.
 *
 * Why not prom-client: `npm run bench:metrics` measures both on the same observations; prom-client
 * hashes the label object and allocates on every `observe`, about an order of magnitude more CPU per
 * sample than a handle here (docs/api.md, "Metrics").
 */

/** One metric family: a name, a type, a help line, and its samples rendered at scrape time. */
interface Family {
  readonly name: string;
  render(out: string[]): void;
}

/** Label values are escaped as the format asks: backslash, double quote, newline. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** `{a="x",b="y"}` from parallel name and value lists; '' when there are none. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let text = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += ',';
    text += `${names[i]}="${escapeLabel(values[i] ?? '')}"`;
  }
  return `${text}}`;
}

/** A sample value as the format spells it (Go's ParseFloat reads JavaScript's number text). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new TypeError(`invalid metric name ${name}`);
  for (const label of labelNames) {
    if (!LABEL.test(label) || label.startsWith('__') || label === 'le') {
      throw new TypeError(`invalid label name ${label} on ${name}`);
    }
  }
}

/** A counter or gauge series: the caller adds to or sets `value` directly. */
export class Sample {
  value = 0;
}

/**
 * One histogram series: cumulative from the engine's start, as Prometheus expects (rates come from
 * the differences between scrapes). `observe` takes seconds; a negative value (a clock step) counts
 * as 0 and a non-finite one is dropped, so a measurement never takes the measured code down.
 */
export class HistogramSeries {
  readonly #bounds: Float64Array;
  /** Per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: Float64Array) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    if (!(seconds >= 0)) {
      if (!(seconds < 0)) return; // NaN
      seconds = 0;
    }
    if (seconds === Number.POSITIVE_INFINITY) return;
    const bounds = this.#bounds;
    let i = 0;
    // Linear: most samples land in the first few buckets, and 20 compares cost less than a search.
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** `observe(ms / 1000)`: the engine's clocks read milliseconds. */
  observeMs(ms: number): void {
    this.observe(ms / 1000);
  }
}

/** A family of series told apart by label values; `series()` hands out a series' handle. */
export class MetricFamily<S> implements Family {
  readonly name: string;
  readonly #help: string;
  readonly #type: string;
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, { readonly labels: string; readonly series: S }>();
  readonly #make: () => S;
  readonly #write: (out: string[], name: string, labels: string, series: S) => void;

  constructor(
    name: string,
    type: string,
    help: string,
    labelNames: readonly string[],
    make: () => S,
    write: (out: string[], name: string, labels: string, series: S) => void,
  ) {
    checkNames(name, labelNames);
    this.name = name;
    this.#type = type;
    this.#help = help;
    this.#labelNames = labelNames;
    this.#make = make;
    this.#write = write;
  }

  /** The series of these label values, created (at zero) on first use. Keep the handle. */
  series(...labelValues: string[]): S {
    if (labelValues.length !== this.#labelNames.length) {
      throw new TypeError(`${this.name} takes labels ${this.#labelNames.join(', ') || '(none)'}`);
    }
    const key = labelValues.join('\u0000');
    let entry = this.#series.get(key);
    if (entry === undefined) {
      entry = { labels: labelText(this.#labelNames, labelValues), series: this.#make() };
      this.#series.set(key, entry);
    }
    return entry.series;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.#help}`, `# TYPE ${this.name} ${this.#type}`);
    for (const { labels, series } of this.#series.values()) {
      this.#write(out, this.name, labels, series);
    }
  }
}

/** Samples read when scraped (values the engine already counts, gauges of state). */
export type Collect = () => Iterable<readonly [labels: string, value: number]>;

class CollectedFamily implements Family {
  readonly name: string;
  readonly #head: string;
  readonly #collect: Collect;

  constructor(name: string, type: 'counter' | 'gauge', help: string, collect: Collect) {
    checkNames(name, []);
    this.name = name;
    this.#head = `# HELP ${name} ${help}\n# TYPE ${name} ${type}`;
    this.#collect = collect;
  }

  render(out: string[]): void {
    out.push(this.#head);
    for (const [labels, value] of this.#collect())
      out.push(`${this.name}${labels} ${valueText(value)}`);
  }
}

/** Histogram bucket upper bounds, strictly increasing and finite (+Inf is implicit). */
function checkBounds(name: string, bounds: readonly number[]): Float64Array {
  if (bounds.length === 0) throw new RangeError(`${name}: a histogram needs at least one bucket`);
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (!Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!)) {
      throw new RangeError(`${name}: bucket bounds must be finite and strictly increasing`);
    }
  }
  return Float64Array.from(bounds);
}

/**
 * The metric families of one process, rendered in registration order. Names are checked when a
 * family is registered (and must be unique), so a bad name fails at start, not at the first scrape.
 */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  #add<F extends Family>(family: F): F {
    if (this.#families.has(family.name)) {
      throw new TypeError(`metric ${family.name} is registered twice`);
    }
    this.#families.set(family.name, family);
    return family;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []) {
    return this.#add(
      new MetricFamily(name, 'counter', help, labelNames, newSample, (out, n, labels, s) =>
        out.push(`${n}${labels} ${valueText(s.value)}`),
      ),
    );
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []) {
    return this.#add(
      new MetricFamily(name, 'gauge', help, labelNames, newSample, (out, n, labels, s) =>
        out.push(`${n}${labels} ${valueText(s.value)}`),
      ),
    );
  }

  histogram(
    name: string,
    help: string,
    bounds: readonly number[],
    labelNames: readonly string[] = [],
  ) {
    const checked = checkBounds(name, bounds);
    // `le` text once per bound, not per scrape.
    const les = [...bounds.map((b) => valueText(b)), '+Inf'];
    const lineHeads = new WeakMap<HistogramSeries, string[]>();
    return this.#add(
      new MetricFamily(
        name,
        'histogram',
        help,
        labelNames,
        () => new HistogramSeries(checked),
        (out, n, labels, h) => {
          // Every line's text up to its value, made at the series' first scrape and kept.
          let heads = lineHeads.get(h);
          if (heads === undefined) {
            // The series' labels plus `le`: `{a="x"}` becomes `{a="x",le="..."}`.
            const open = labels === '' ? '{' : `${labels.slice(0, -1)},`;
            heads = [
              ...les.map((le) => `${n}_bucket${open}le="${le}"} `),
              `${n}_sum${labels} `,
              `${n}_count${labels} `,
            ];
            lineHeads.set(h, heads);
          }
          let cumulative = 0;
          for (let i = 0; i < les.length; i++) {
            cumulative += h.counts[i]!;
            out.push(heads[i] + cumulative);
          }
          out.push(heads[les.length] + valueText(h.sum), heads[les.length + 1] + h.count);
        },
      ),
    );
  }

  /** A counter or gauge whose samples `collect` reads at scrape time. */
  collected(name: string, type: 'counter' | 'gauge', help: string, collect: Collect): void {
    this.#add(new CollectedFamily(name, type, help, collect));
  }

  /** The text exposition of every family (ends with a newline). */
  render(): string {
    const out: string[] = [];
    for (const family of this.#families.values()) family.render(out);
    out.push('');
    return out.join('\n');
  }
}

function newSample(): Sample {
  return new Sample();
}

/** The content type of `MetricsRegistry.render()` text. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
