/**
 * Backlog: for scenarios that accumulate work outside the request path (offline payments waiting
 * to sync in an offline burst), the scenario backlog over time above the engine's queue depth.
 * The backlog should rise during the burst and drain afterwards; a queue depth pinned at its
 * limit while the backlog drains means the engine, not the sync, sets the drain rate.
 */
import type { RunResult } from '../../scenarios/results/schema.js';
import { SERIES } from '../palette.js';
import { lastSecond, linearAxis, lineChart, lineSeries, runSubtitle, timeAxis } from '../theme.js';
import type { ChartConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const BACKLOG_ID = 'backlog';

/** Whether the run reports a scenario backlog (offline-burst style runs). */
export function hasBacklog(result: RunResult): boolean {
  return result.timeseries.some((s) => s.engine?.backlog !== undefined);
}

/** Backlog (top panel) and engine queue depth (bottom panel) over time. */
export function buildBacklogChart(result: RunResult): ChartConfig {
  const backlog: Point[] = result.timeseries.map((s) => ({ x: s.t, y: s.engine?.backlog ?? null }));
  const depth: Point[] = result.timeseries.map((s) => ({
    x: s.t,
    y: s.engine?.queueDepth ?? null,
  }));
  return lineChart(
    'Backlog and engine queue depth',
    runSubtitle(result),
    {
      x: timeAxis(lastSecond(result)),
      // Chart.js stacks panels bottom-up in key order.
      yQueue: linearAxis('queue depth', 'tx', { stack: 'panels', weight: 1 }),
      y: { ...linearAxis('backlog', 'payments', { stack: 'panels', weight: 2 }), offset: true },
    },
    [
      lineSeries('scenario backlog', SERIES.backlog, backlog),
      lineSeries('engine queue depth', SERIES.queueDepth, depth, { yAxisID: 'yQueue' }),
    ],
  );
}
