/**
 * The shapes every chart module shares.
 *
 * A builder returns a Chart.js configuration that is plain data (JSON round-trips it unchanged),
 * because the same object is rendered to PNG in Node and inlined into report.html for the
 * browser. Anything Chart.js would want a callback for (tick labels, fixed tick positions,
 * tooltip text) is requested by name through the `ecny` hooks declared below and turned into
 * functions by `hydrateChartConfig` (charts/formatters.ts) on both sides.
 */
import type { ChartConfiguration } from 'chart.js';
import type { RunResult } from '../result-format/index.js';

/** Names of the tick/tooltip formatters in charts/formatters.ts (implemented once, used twice). */
export type FormatterName = 'number' | 'compact' | 'percentile';

/** Per-scale hooks, resolved by `hydrateChartConfig`. */
export interface ScaleHooks {
  /** Formatter for tick labels and for values of this axis in tooltips. */
  readonly format?: FormatterName;
  /** Exact tick positions (Chart.js picks its own otherwise; log axes need them chosen). */
  readonly ticks?: readonly number[];
  /** Unit shown after values of this axis in tooltips ("ms", "tx/s"). */
  readonly unit?: string;
}

declare module 'chart.js' {
  interface CoreScaleOptions {
    /** ecny-bench named hooks (see charts/types.ts); Chart.js itself ignores this key. */
    ecny: ScaleHooks;
  }
}

/** One data point; `y: null` leaves a gap (no answers that second, or no engine figures). */
export interface Point {
  readonly x: number;
  readonly y: number | null;
}

/** What every builder returns: a line chart, possibly with bar datasets, over {x, y} points. */
export type ChartConfig = ChartConfiguration<'line' | 'bar', Point[]>;

/** A dataset of a `ChartConfig`. */
export type ChartDatasetConfig = ChartConfig['data']['datasets'][number];

/** A pure builder: result in, configuration out. No I/O, no clock, no randomness. */
export type ChartBuilder = (result: RunResult) => ChartConfig;

/**
 * One chart kind in the registry (charts/registry.ts). The id is also the PNG file stem and the
 * report anchor, so keep it stable and file-name safe ([a-z0-9-]).
 */
export interface ChartDefinition {
  readonly id: string;
  /** Heading in the report. */
  readonly title: string;
  /** Plain text shown under the chart in the report: what to look at and what it means. */
  readonly howToRead: string;
  /** Whether the result has the data this chart needs (e.g. backlog only for offline bursts). */
  applies(result: RunResult): boolean;
  readonly build: ChartBuilder;
}

/** A chart built for one result: its definition's metadata plus the configuration. */
export interface BuiltChart {
  readonly id: string;
  readonly title: string;
  readonly howToRead: string;
  readonly config: ChartConfig;
}
