/**
 * Throughput by operation type: answers per second of each kind of op the workload sends
 * (payments, claims, top-ups, sweeps, recoveries, allocations...), so the two-tier flows show
 * beside the payments: a claim storm at the start, day-end sweeps, the recovery of expired
 * packets. Drawn when a run counted more than one type.
 */
import type { RunResult } from '../../result-format/index.js';
import { opColour } from '../palette.js';
import { lastSecond, linearAxis, lineChart, lineSeries, runSubtitle, timeAxis } from '../theme.js';
import type { ChartConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const BY_TYPE_ID = 'throughput-by-type';

/** Whether the run counted answers for more than one operation type. */
export function hasSeveralTypes(result: RunResult): boolean {
  return Object.keys(result.byType ?? {}).length > 1;
}

/** One line per operation type: its answers per second. */
export function buildByTypeChart(result: RunResult): ChartConfig {
  const last = lastSecond(result);
  const series = Object.entries(result.byType ?? {}).map(([label, c]) => {
    const points: Point[] = [];
    for (let t = 0; t <= last; t++) points.push({ x: t, y: c.perSecond[t] ?? 0 });
    return lineSeries(label, opColour(label), points);
  });
  return lineChart(
    'Throughput by operation type',
    runSubtitle(result),
    { x: timeAxis(last), y: linearAxis('answered', 'ops/s') },
    series,
  );
}
