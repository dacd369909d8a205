/**
 * The named formatters and the hydration step that turns `ecny` hooks into Chart.js callbacks.
 *
 * Builders must return plain data (the report inlines configurations as JSON), yet log axes need
 * chosen tick positions and the percentile axis needs "99.9%" labels, which Chart.js only takes
 * as functions. So a configuration names what it wants (`scales.x.ecny.format = 'percentile'`) and
 * `hydrateChartConfig` attaches the functions: in Node before rendering a PNG, and in the browser
 * before `new Chart`. The page gets the very same code: `formatterSource()` serialises these
 * functions with `Function.prototype.toString`, so each function below must stay self-contained
 * (no imports, no module-level names, nothing but its parameters and globals).
 */
import type { FormatterName, ScaleHooks } from './types.js';

/** Up to three significant digits, thousands separated: 0.123, 4.5, 12, 1,250. */
export function formatNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** Short rates for axis ticks: 950, 2.5k, 12k, 1.2M. */
export function formatCompact(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const scaled = (v: number, suffix: string) => Number(v.toPrecision(3)).toString() + suffix;
  if (abs >= 1e6) return scaled(value / 1e6, 'M');
  if (abs >= 1e3) return scaled(value / 1e3, 'k');
  return Number(value.toPrecision(3)).toString();
}

/**
 * The percentile at x = 1/(1-p), as a label: 1 -> "0%", 2 -> "50%", 10 -> "90%", 100 -> "99%",
 * 1000 -> "99.9%", 10000 -> "99.99%". Decimals grow with the number of nines so neighbouring
 * ticks never collapse to the same text.
 */
export function formatPercentile(x: number): string {
  if (typeof x !== 'number' || !(x >= 1) || !Number.isFinite(x)) return '';
  const percent = 100 * (1 - 1 / x);
  const digits = Math.max(0, Math.min(6, Math.ceil(Math.log10(x) - 1e-9) - 2));
  const text = percent.toFixed(digits);
  return (digits > 0 ? text.replace(/0+$/, '').replace(/\.$/, '') : text) + '%';
}

/** The formatter table, by the names configurations use. */
export const FORMATTERS: Readonly<Record<FormatterName, (value: number) => string>> = {
  number: formatNumber,
  compact: formatCompact,
  percentile: formatPercentile,
};

/** The minimum of a Chart.js configuration that hydration reads and writes. */
interface HydratableAxis {
  min: number;
  max: number;
  ticks: { value: number }[];
}
interface HydratableScale {
  ecny?: ScaleHooks;
  ticks?: Record<string, unknown>;
  afterBuildTicks?: (axis: HydratableAxis) => void;
}
interface TooltipItem {
  parsed: { x: number; y: number };
  dataset: { label?: string; yAxisID?: string };
}
interface LegendItem {
  datasetIndex?: number;
  pointStyle?: string;
  lineDash?: number[];
  lineWidth?: number;
  strokeStyle?: unknown;
}
interface LegendChart {
  constructor: {
    defaults: { plugins: { legend: { labels: { generateLabels(chart: unknown): LegendItem[] } } } };
  };
  data: {
    datasets: {
      type?: string;
      showLine?: boolean;
      pointStyle?: string;
      borderDash?: number[];
      borderWidth?: number;
      borderColor?: unknown;
    }[];
  };
}
interface HydratableConfig {
  options?: {
    scales?: Record<string, HydratableScale>;
    plugins?: {
      tooltip?: { callbacks?: Record<string, unknown> };
      legend?: { labels?: Record<string, unknown> };
    };
  };
}

/**
 * Attaches the callbacks the configuration's `ecny` hooks ask for, in place, and returns it:
 * tick labels, fixed tick positions, and tooltips that show values with their axis's formatter
 * and unit. Pass a copy if the original must stay plain data. Self-contained: it is also inlined
 * into report.html (see `formatterSource`).
 */
export function hydrateChartConfig<T>(
  config: T,
  formatters: Readonly<Record<string, (value: number) => string>>,
): T {
  const c = config as unknown as HydratableConfig;
  const options = c.options ?? {};
  c.options = options;
  const scales = options.scales ?? {};
  const pick = (name: string | undefined) =>
    formatters[name ?? 'number'] ?? formatters['number'] ?? String;
  for (const scale of Object.values(scales)) {
    const hooks = scale.ecny;
    if (!hooks) continue;
    if (hooks.format !== undefined) {
      const format = pick(hooks.format);
      scale.ticks = { ...scale.ticks, callback: (value: number | string) => format(Number(value)) };
    }
    if (hooks.ticks !== undefined) {
      const values = hooks.ticks.slice();
      // Replaces Chart.js's own choice; only the ones inside the axis range are kept.
      scale.afterBuildTicks = (axis) => {
        axis.ticks = values
          .filter((v) => v >= axis.min && v <= axis.max)
          .map((value) => ({ value }));
      };
    }
  }
  const valueText = (scaleId: string, value: number) => {
    const hooks = scales[scaleId]?.ecny ?? {};
    const text = pick(hooks.format)(value);
    return hooks.unit ? text + ' ' + hooks.unit : text;
  };
  const plugins = options.plugins ?? {};
  options.plugins = plugins;
  const tooltip = plugins.tooltip ?? {};
  plugins.tooltip = tooltip;
  tooltip.callbacks = {
    ...tooltip.callbacks,
    title: (items: TooltipItem[]) => (items[0] ? valueText('x', items[0].parsed.x) : ''),
    label: (item: TooltipItem) =>
      (item.dataset.label ?? '') + ': ' + valueText(item.dataset.yAxisID ?? 'y', item.parsed.y),
  };
  // Legend entries drawn like the marks: Chart.js's point-style legend takes the style of a
  // line's first *point* (no dash, no width), so dashed series would show solid. Lines get a
  // segment with the dataset's own dash and width; bars a filled square.
  const legend = plugins.legend ?? {};
  plugins.legend = legend;
  legend.labels = {
    ...legend.labels,
    generateLabels: (chart: LegendChart) =>
      chart.constructor.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
        const dataset = chart.data.datasets[item.datasetIndex ?? -1];
        if (!dataset) return item;
        if (dataset.type === 'bar') return { ...item, pointStyle: 'rect' };
        // Markers only (no line): the legend shows the marker.
        if (dataset.showLine === false) return { ...item, pointStyle: dataset.pointStyle };
        return {
          ...item,
          pointStyle: 'line',
          lineDash: dataset.borderDash ?? [],
          lineWidth: dataset.borderWidth ?? 2,
          strokeStyle: dataset.borderColor,
        };
      }),
  };
  return config;
}

/**
 * JavaScript source defining `ecnyFormatters` and `ecnyHydrate` for the report page: the same
 * functions as above, serialised, so Node and the browser cannot drift apart.
 */
export function formatterSource(): string {
  const entries = Object.entries(FORMATTERS).map(
    ([name, fn]) => `${JSON.stringify(name)}: ${fn.toString()}`,
  );
  return [
    `const ecnyFormatters = {\n${entries.join(',\n')}\n};`,
    `const ecnyHydrate = ${hydrateChartConfig.toString()};`,
  ].join('\n');
}
