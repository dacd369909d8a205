/**
 * Capacity: the Universal Scalability Law fitted to each batch size's elbow throughput over
 * verification threads, drawn over the measured points, with linear scaling (λ·N) for
 * reference. The gap between the straight line and the curve is what contention (σ) and
 * coherency (κ) cost. A fit on fewer than 4 distinct N is drawn dashed and says so in the
 * legend: on a 2-core machine (N = 1, 2) any σ and κ with the same σ + 2κ fit equally well, so
 * the curve beyond the points is one guess among many (docs/capacity.md).
 */
import { fitUsl, type UslFit, uslThroughput } from '../../capacity/analysis/index.js';
import type { RunResult } from '../../result-format/index.js';
import { runColour, withAlpha } from '../palette.js';
import { DASH, LINE, latin, linearAxis, lineChart, lineSeries, runSubtitle } from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, FormatterName, Point } from '../types.js';
import { sweepPoints } from './capacity-data.js';

/** Chart id (also the PNG file stem). */
export const CAPACITY_USL_ID = 'capacity-usl';

/** One engine's ramps (the USL over threads; ramps over node counts have the scale-out chart). */
function singleEngine(result: RunResult) {
  return sweepPoints(result).filter((s) => s.nodes === null);
}

/** Whether any one-engine ramp found an elbow (otherwise there is nothing to fit). */
export function hasUslPoints(result: RunResult): boolean {
  return result.kind === 'capacity' && singleEngine(result).some((s) => s.elbowSettled !== null);
}

const sig = (v: number) => Number(v.toPrecision(3)).toString();

/** The legend text of a fit: parameters and, when it is not to be trusted, why in brief. */
export function uslLabel(maxBatch: number, fit: UslFit): string {
  // Spelt out: the render canvas has Latin fonts only, and latin() would turn λσκ into '?'.
  const params = `lambda=${sig(fit.lambda)}, sigma=${sig(fit.sigma)}, kappa=${sig(fit.kappa)}`;
  const trust = fit.trustworthy ? '' : `, untrustworthy: ${fit.distinctN} distinct N`;
  return latin(`USL batch=${maxBatch} (${params}${trust})`);
}

/**
 * Measured elbows, fitted USL curve and λ·N per batch size, over N = 1 .. max(4, 2 × max N).
 * A batch size measured at a single N gets its point only.
 */
export function buildCapacityUslChart(result: RunResult): ChartConfig {
  const sweep = singleEngine(result).filter((s) => s.elbowSettled !== null);
  const batches = [...new Set(sweep.map((s) => s.maxBatch))].sort((a, b) => a - b);
  const maxN = Math.max(1, ...sweep.map((s) => s.threads));
  const nEnd = Math.max(4, 2 * maxN);
  const datasets: ChartDatasetConfig[] = [];
  let top = 1;
  batches.forEach((maxBatch, i) => {
    const colour = runColour(i);
    const pts = sweep
      .filter((s) => s.maxBatch === maxBatch)
      .map((s) => ({ n: s.threads, x: s.elbowSettled! }))
      .sort((a, b) => a.n - b.n);
    const measured: ChartDatasetConfig = {
      type: 'line',
      label: latin(`measured elbow, batch=${maxBatch}`),
      data: pts.map((p) => ({ x: p.n, y: p.x })),
      showLine: false,
      borderColor: colour,
      backgroundColor: colour,
      // Batch sizes often land on the same rate: Chart.js draws the first dataset on top, so
      // later ones get larger markers of another shape and still show around it.
      pointStyle: (['circle', 'rect', 'triangle', 'rectRot'] as const)[i % 4],
      pointRadius: 5 + 2 * i,
      pointHoverRadius: 6 + 2 * i,
      borderWidth: 2,
      yAxisID: 'y',
    };
    top = Math.max(top, ...pts.map((p) => p.x));
    if (new Set(pts.map((p) => p.n)).size < 2) {
      // One N fixes no shape at all: any curve through the point would be invented.
      measured.label = latin(`measured elbow, batch=${maxBatch} (one N: no fit)`);
      datasets.push(measured);
      return;
    }
    const fit = fitUsl(pts);
    const curve: Point[] = [];
    const linear: Point[] = [];
    for (let k = 0; k <= 4 * (nEnd - 1); k++) {
      const n = 1 + k / 4;
      curve.push({ x: n, y: uslThroughput(fit, n) });
      linear.push({ x: n, y: fit.lambda * n });
    }
    top = Math.max(top, ...curve.map((p) => p.y ?? 0));
    datasets.push(
      measured,
      lineSeries(uslLabel(maxBatch, fit), colour, curve, {
        ...(fit.trustworthy ? {} : { dash: DASH.offered }),
      }),
      lineSeries(`linear lambda x N, batch=${maxBatch}`, withAlpha(colour, 0.45), linear, {
        dash: DASH.faint,
        width: LINE.minor,
      }),
    );
  });
  // Linear scaling soon dwarfs everything; the axis follows the measured and fitted values.
  const yMax = top * 1.15;
  const xAxis = linearAxis('verification threads', 'N');
  return lineChart(
    'Capacity: USL fit of elbow throughput over verification threads',
    runSubtitle(result),
    {
      x: {
        ...xAxis,
        min: 0,
        max: nEnd,
        ticks: { ...xAxis.ticks, maxTicksLimit: nEnd + 1, stepSize: 1 },
        ecny: { format: 'number' as FormatterName, unit: 'threads' },
      },
      y: { ...linearAxis('settled at the elbow', 'tx/s'), min: 0, suggestedMax: yMax },
    },
    datasets,
  );
}
