/**
 * Latency percentiles over time: p50, p90, p99, p99.9 and max of the corrected latency of the
 * answers received each second, on a log axis, with the uncorrected p99 as a faint dashed twin.
 *
 * Corrected latency runs from the *intended* send time of the open-loop schedule, so time a
 * request spent waiting to be sent because the system was stalled counts against the system
 * (no coordinated omission). The faint line is the service time from the actual send: the gap
 * between the two p99 lines is queueing the client-side view would otherwise hide.
 */
import type { Percentiles, RunResult } from '../../result-format/index.js';
import { FAINT_ALPHA, PERCENTILE_COLOURS, SERIES, withAlpha } from '../palette.js';
import {
  DASH,
  LINE,
  lastSecond,
  lineChart,
  lineSeries,
  logMsAxis,
  referenceLine,
  runSubtitle,
  timeAxis,
  yRange,
} from '../theme.js';
import type { ChartConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const LATENCY_OVER_TIME_ID = 'latency-over-time';

/**
 * The histogram's resolution is 1 us; a recorded 0 is drawn on this floor because a log axis has
 * no zero. Seconds with no answers are gaps, not zeros.
 */
export const MS_FLOOR = 0.001;

/** The percentile lines, in legend order. */
export const LATENCY_LINES = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
] as const satisfies readonly (readonly [
  keyof typeof PERCENTILE_COLOURS & keyof Percentiles,
  string,
])[];

/** A per-second latency value: a gap when nothing was answered, else at least the floor. */
export function latencyPoint(t: number, p: Percentiles, key: keyof Percentiles): Point {
  return { x: t, y: p.count > 0 ? Math.max(MS_FLOOR, p[key]) : null };
}

/** Corrected p50..max per second (log ms), uncorrected p99 faint, SLO dashed. */
export function buildLatencyOverTimeChart(result: RunResult): ChartConfig {
  const ts = result.timeseries;
  const lines = LATENCY_LINES.map(([key, label]) => ({
    key,
    label,
    points: ts.map((s) => latencyPoint(s.t, s.latency, key)),
  }));
  const uncorrectedP99 = ts.map((s) => latencyPoint(s.t, s.uncorrected, 'p99'));
  const end = lastSecond(result);
  const slo = result.config.sloMs;
  const { lo, hi } = yRange([...lines.map((l) => l.points), uncorrectedP99]);

  const datasets = lines.map((l) =>
    lineSeries(l.label, PERCENTILE_COLOURS[l.key], l.points, {
      width: l.key === 'max' ? LINE.minor : LINE.main,
    }),
  );
  // Right after the corrected p99 so the legend reads "p99, p99 uncorrected".
  datasets.splice(
    3,
    0,
    lineSeries('p99 uncorrected', withAlpha(PERCENTILE_COLOURS.p99, FAINT_ALPHA), uncorrectedP99, {
      dash: DASH.faint,
      width: LINE.minor,
    }),
  );
  if (slo > 0) datasets.push(referenceLine(`SLO ${slo} ms`, SERIES.slo, slo, 0, Math.max(1, end)));

  return lineChart(
    'Latency percentiles over time (corrected)',
    runSubtitle(result),
    {
      x: timeAxis(end),
      y: logMsAxis('latency', Math.min(lo, slo > 0 ? slo : lo), Math.max(hi, slo)),
    },
    datasets,
  );
}
