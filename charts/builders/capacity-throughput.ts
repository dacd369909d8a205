/**
 * Capacity: achieved against offered throughput, one line per ramp (engine setting), each
 * ramp's elbow marked. Along the diagonal the engine keeps up with the open-loop offer; where a
 * line bends away below the keep-up limit (95% of offered by default) it has saturated, and the
 * elbow is the last step before that bend that also met the latency SLO and the error limit.
 */
import type { RunResult } from '../../result-format/index.js';
import { SERIES, withAlpha } from '../palette.js';
import { DASH, LINE, linearAxis, lineChart, lineSeries, runSubtitle } from '../theme.js';
import type { ChartConfig } from '../types.js';
import { byRamp, capacityCriterion, capacityPoints, rampDatasets } from './capacity-data.js';

/** Chart id (also the PNG file stem). */
export const CAPACITY_THROUGHPUT_ID = 'capacity-throughput';

/** Achieved vs offered tx/s per ramp, the diagonal, the keep-up limit and the elbows. */
export function buildCapacityThroughputChart(result: RunResult): ChartConfig {
  const points = capacityPoints(result);
  const ramps = byRamp(points);
  const top = Math.max(1, ...points.map((p) => Math.max(p.offered, p.achieved))) * 1.05;
  const ratio = capacityCriterion(result, 'minAchievedRatio', 0.95);
  const datasets = [
    lineSeries(
      'achieved = offered',
      SERIES.offered,
      [
        { x: 0, y: 0 },
        { x: top, y: top },
      ],
      { dash: DASH.offered, width: LINE.reference },
    ),
    lineSeries(
      `keep-up limit (${Math.round(ratio * 100)}% of offered)`,
      withAlpha(SERIES.offered, 0.6),
      [
        { x: 0, y: 0 },
        { x: top, y: top * ratio },
      ],
      { dash: DASH.faint, width: LINE.minor },
    ),
    ...rampDatasets(ramps, (p) => ({ x: p.offered, y: p.achieved })),
  ];
  return lineChart(
    'Capacity: achieved vs offered, elbow marked',
    runSubtitle(result),
    {
      x: { ...linearAxis('offered', 'tx/s'), min: 0, suggestedMax: top },
      y: { ...linearAxis('achieved (answered)', 'tx/s'), min: 0, suggestedMax: top },
    },
    datasets,
  );
}
