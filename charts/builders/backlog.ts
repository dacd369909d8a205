/**
 * Backlog: for runs with offline payments (offline-burst), the payments made on devices and not
 * yet answered by the engine, over time, above the engine's queue depth. Measured: made per
 * second comes from the scenario's model of tap times, answered per second from the run. The
 * plan (made minus planned sends) is drawn dashed beside it: the gap between the two is the sync
 * falling behind its schedule. A queue depth pinned high while the backlog drains means the
 * engine, not the sync, sets the drain rate.
 */
import type { RunResult } from '../../result-format/index.js';
import { SERIES } from '../palette.js';
import {
  DASH,
  lastSecond,
  linearAxis,
  lineChart,
  lineSeries,
  runSubtitle,
  timeAxis,
} from '../theme.js';
import type { ChartConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const BACKLOG_ID = 'backlog';

/** Whether the run measured an offline backlog (offline-burst style runs). */
export function hasBacklog(result: RunResult): boolean {
  return result.timeseries.some((s) => s.backlog !== undefined);
}

/** The workload's planned backlog per second (`params.backlogCurve`), when it has one. */
function plannedBacklog(result: RunResult): Point[] | undefined {
  const curve = result.scenario.params['backlogCurve'];
  if (!Array.isArray(curve) || !curve.every((n) => typeof n === 'number')) return undefined;
  return (curve as number[]).map((y, t) => ({ x: t, y }));
}

/** Backlog, measured and planned (top panel), and engine queue depth (bottom panel) over time. */
export function buildBacklogChart(result: RunResult): ChartConfig {
  const backlog: Point[] = result.timeseries.map((s) => ({ x: s.t, y: s.backlog ?? null }));
  const depth: Point[] = result.timeseries.map((s) => ({
    x: s.t,
    y: s.engine?.queueDepth ?? null,
  }));
  const planned = plannedBacklog(result);
  return lineChart(
    'Offline backlog and engine queue depth',
    runSubtitle(result),
    {
      x: timeAxis(lastSecond(result)),
      // Chart.js stacks panels bottom-up in key order.
      yQueue: linearAxis('queue depth', 'tx', { stack: 'panels', weight: 1 }),
      y: {
        ...linearAxis('offline backlog', 'payments', { stack: 'panels', weight: 2 }),
        offset: true,
      },
    },
    [
      // The plan first: Chart.js draws the first dataset on top, so the dashed plan stays
      // visible where the measured backlog follows it exactly.
      ...(planned === undefined
        ? []
        : [
            lineSeries('offline backlog (planned)', SERIES.offered, planned, {
              dash: DASH.offered,
            }),
          ]),
      lineSeries('offline backlog (measured)', SERIES.backlog, backlog),
      lineSeries('engine queue depth', SERIES.queueDepth, depth, { yAxisID: 'yQueue' }),
    ],
  );
}
