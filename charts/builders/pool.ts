/**
 * Verify pool: queue wait vs verify time (p50 and p99 of each) from the engine's stats, per
 * second when the engine reports its last second (`poolLastSecond`), else its lifetime
 * percentiles at each second, titled as such. Wait is per signature (enqueue -> dispatch to a worker), verify is per batch (time
 * inside the worker), as the pool measures them. Wait above verify means signatures queue for a worker: the pool, not the CPU spent per
 * signature, is the bottleneck (more threads or bigger batches help); verify rising means each
 * check got slower (CPU contention, a slower backend).
 */
import type { RunResult } from '../../result-format/index.js';
import { SERIES } from '../palette.js';
import {
  DASH,
  LINE,
  lastSecond,
  lineChart,
  lineSeries,
  logMsAxis,
  runSubtitle,
  timeAxis,
  yRange,
} from '../theme.js';
import type { ChartConfig, Point } from '../types.js';
import { MS_FLOOR } from './latency-over-time.js';

/** Chart id (also the PNG file stem). */
export const POOL_ID = 'pool';

type EngineSample = NonNullable<RunResult['timeseries'][number]['engine']>;

/** Whether any second carries engine figures (the engine was reachable for stats). */
export function hasEngineStats(result: RunResult): boolean {
  return result.timeseries.some((s) => s.engine !== undefined);
}

/**
 * Whether the engine reported the pool's percentiles per second. Engines (and results) from
 * before that reported the pool's lifetime percentiles: every point is then "since the engine
 * started", which flattens spikes, and the chart says so rather than pass them off as seconds.
 */
export function poolIsPerSecond(result: RunResult): boolean {
  return result.timeseries.some((s) => s.engine?.poolWindow === 'second');
}

/** Pool queue wait and verify time, p50 dashed and p99 solid, log ms. */
export function buildPoolChart(result: RunResult): ChartConfig {
  const perSecond = poolIsPerSecond(result);
  const series = (key: keyof EngineSample): Point[] =>
    result.timeseries.map((s) => {
      const v = s.engine?.[key];
      if (typeof v !== 'number') return { x: s.t, y: null };
      // Per second, 0 means no signature that second: a gap, not a fast one.
      if (perSecond && v === 0) return { x: s.t, y: null };
      return { x: s.t, y: Math.max(MS_FLOOR, v) };
    });
  const lines = [
    ['queue wait p99 (per signature)', SERIES.poolWait, series('poolWaitP99'), undefined],
    ['queue wait p50', SERIES.poolWait, series('poolWaitP50'), DASH.p50],
    ['verify p99 (per batch)', SERIES.verify, series('verifyP99'), undefined],
    ['verify p50', SERIES.verify, series('verifyP50'), DASH.p50],
  ] as const;
  const { lo, hi } = yRange(lines.map((l) => l[2]));
  const end = lastSecond(result);
  return lineChart(
    perSecond
      ? 'Verify pool: queue wait vs verify time, per second'
      : 'Verify pool: queue wait vs verify time since the engine started (cumulative)',
    runSubtitle(result),
    { x: timeAxis(end), y: logMsAxis('time', lo, hi) },
    lines.map(([label, colour, points, dash]) =>
      lineSeries(label, colour, points, {
        ...(dash === undefined ? {} : { dash }),
        width: dash === undefined ? LINE.main : LINE.minor,
      }),
    ),
  );
}
