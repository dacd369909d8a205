/**
 * Door of charts/: run charts as pure Chart.js configurations, PNG rendering, the self-contained
 * HTML report, comparisons, and the registry new chart kinds plug into.
 */

export { compareCharts, distinguishingKeys, runAspects, runLabels } from './compare.js';
export { FORMATTERS, hydrateChartConfig } from './formatters.js';
export * as palette from './palette.js';
export { percentileToX } from './percentile.js';
export { buildRunCharts, chartRegistry, registerChart } from './registry.js';
export {
  DEFAULT_RENDER_SIZE,
  type RenderSize,
  renderChart,
  renderComparison,
  renderRunCharts,
} from './render.js';
export {
  escapeHtml,
  reportHtml,
  writeChartPage,
  writeComparisonReport,
  writeReport,
} from './report.js';
export * as theme from './theme.js';
export type {
  BuiltChart,
  ChartBuilder,
  ChartConfig,
  ChartDefinition,
  FormatterName,
  Point,
  ScaleHooks,
} from './types.js';
