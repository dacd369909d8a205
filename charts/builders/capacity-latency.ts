/**
 * Capacity: p99 latency against achieved throughput, one line per ramp. A healthy engine's p99
 * stays flat and low while throughput grows, then turns up steeply near saturation: the hockey
 * stick. Where a ramp's line crosses the SLO is where latency, not throughput, limits capacity.
 */
import type { RunResult } from '../../result-format/index.js';
import { SERIES } from '../palette.js';
import { linearAxis, lineChart, logMsAxis, referenceLine, runSubtitle, yRange } from '../theme.js';
import type { ChartConfig, Point } from '../types.js';
import { byRamp, capacityPoints, rampDatasets } from './capacity-data.js';

/** Chart id (also the PNG file stem). */
export const CAPACITY_LATENCY_ID = 'capacity-latency';

/** A log axis has no zero: a recorded 0 ms (below the histogram's 1 µs resolution) sits here. */
const MS_FLOOR = 0.001;

/** p99 (log ms) vs achieved tx/s per ramp, the SLO, the elbows. */
export function buildCapacityLatencyChart(result: RunResult): ChartConfig {
  const points = capacityPoints(result);
  const ramps = byRamp(points);
  const xy = (p: (typeof points)[number]): Point => ({
    x: p.achieved,
    y: p.p99Ms === null ? null : Math.max(MS_FLOOR, p.p99Ms),
  });
  const right = Math.max(1, ...points.map((p) => p.achieved)) * 1.05;
  const slo = result.config.sloMs;
  const datasets = rampDatasets(ramps, xy);
  if (slo > 0) datasets.push(referenceLine(`SLO ${slo} ms`, SERIES.slo, slo, 0, right));
  const { lo, hi } = yRange([points.map(xy)]);
  return lineChart(
    'Capacity: p99 latency vs throughput',
    runSubtitle(result),
    {
      x: { ...linearAxis('achieved (answered)', 'tx/s'), min: 0, suggestedMax: right },
      y: logMsAxis('p99 latency', Math.min(lo, slo > 0 ? slo : lo), Math.max(hi, slo)),
    },
    datasets,
  );
}
