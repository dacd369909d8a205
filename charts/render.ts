/**
 * PNG rendering: Chart.js drawing on @napi-rs/canvas (Skia), no browser.
 *
 * Configurations are cloned and hydrated (named formatters -> callbacks) here, so builders stay
 * pure data. Figures are laid out at 800 x 450 CSS px and rasterised at 2x: crisp in a paper or
 * on a high-DPI screen, and the text sizes in charts/theme.ts are meant for that layout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Chart, type ChartItem, LogarithmicScale, registerables } from 'chart.js';
import type { RunResult } from '../result-format/index.js';
import { compareCharts } from './compare.js';
import { FORMATTERS, hydrateChartConfig } from './formatters.js';
import { buildRunCharts } from './registry.js';
import { FIGURE } from './theme.js';
import type { BuiltChart, ChartConfig } from './types.js';

// Explicit registration: Chart.js's tree-shakeable build draws nothing it was not given. The
// percentile axis is logarithmic on x, so say so even though `registerables` includes it.
Chart.register(...registerables, LogarithmicScale);

import { whiteBackground } from './background.js';

export { whiteBackground };

/** Figure size in CSS px and the pixel ratio; the PNG is (width x scale) by (height x scale). */
export interface RenderSize {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
}

/** The default: 800 x 450 at 2x, a 1600 x 900 PNG. */
export const DEFAULT_RENDER_SIZE: RenderSize = { ...FIGURE, scale: 2 };

/** Renders one configuration to PNG bytes. The configuration itself is not modified. */
export async function renderChart(
  config: ChartConfig,
  size: RenderSize = DEFAULT_RENDER_SIZE,
): Promise<Buffer> {
  const canvas = createCanvas(size.width, size.height);
  const copy = hydrateChartConfig(structuredClone(config), FORMATTERS);
  copy.options = {
    ...copy.options,
    devicePixelRatio: size.scale,
    responsive: false,
    animation: false,
  };
  copy.plugins = [...(copy.plugins ?? []), whiteBackground];
  // Chart.js's item type names DOM canvases; a Skia context implements the same drawing API.
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, copy);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

async function writeCharts(charts: readonly BuiltChart[], dir: string, prefix: string) {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const chart of charts) {
    const file = join(dir, `${prefix}${chart.id}.png`);
    await writeFile(file, await renderChart(chart.config));
    files.push(file);
  }
  return files;
}

/**
 * Renders every registered chart that applies to the result into `dir` (the run's results
 * directory): throughput.png, latency-over-time.png, latency-distribution.png, pool.png (when
 * the engine reported stats) and backlog.png (when the run has a backlog). Returns the paths
 * written, in report order.
 */
export async function renderRunCharts(result: RunResult, dir: string): Promise<string[]> {
  return writeCharts(buildRunCharts(result), dir, '');
}

/**
 * Renders the comparison charts of several runs into `outDir` as compare-<id>.png
 * (compare-latency-distribution.png, compare-throughput.png). Returns the paths written.
 */
export async function renderComparison(
  results: readonly RunResult[],
  outDir: string,
  labels?: readonly string[],
): Promise<string[]> {
  return writeCharts(compareCharts(results, labels), outDir, 'compare-');
}
