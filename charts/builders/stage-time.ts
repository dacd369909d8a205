/**
 * Where the time goes: per second, the mean time a transaction spent in each stage of the engine
 * (admission, verify_wait, verify, commit, durability, respond), stacked, so the stack's height is
 * the engine's own end-to-end time; and above it, as a line, the client's view (the mean corrected
 * latency, from the intended send time). The gap between the stack and the line is time outside
 * the engine: the network, the client, and sends that left late.
 */
import type { RunResult } from '../../result-format/index.js';
import { SERIES, withAlpha } from '../palette.js';
import {
  LINE,
  lastSecond,
  linearMsAxis,
  lineChart,
  lineSeries,
  runSubtitle,
  timeAxis,
} from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const STAGE_TIME_ID = 'where-the-time-goes';

/** The stages in pipeline order (engine/metrics STAGES), bottom of the stack first, and colours. */
export const STAGE_COLOURS: ReadonlyArray<readonly [stage: string, colour: string]> = [
  ['admission', '#8dd3c7'],
  ['verify_wait', SERIES.poolWait],
  ['verify', SERIES.verify],
  ['commit', '#80b1d3'],
  ['durability', '#fdb462'],
  ['respond', '#b3de69'],
];

/** Whether the engine reported stage times (engines and results from before they existed did not). */
export function hasStageTimes(result: RunResult): boolean {
  return result.timeseries.some((s) => s.engine?.stagesMs !== undefined);
}

export function buildStageTimeChart(result: RunResult): ChartConfig {
  const ts = result.timeseries;
  const datasets: ChartDatasetConfig[] = STAGE_COLOURS.map(([stage, colour]) => ({
    ...lineSeries(
      stage.replace('_', ' '),
      colour,
      ts.map((s): Point => {
        const v = s.engine?.stagesMs?.[stage];
        return { x: s.t, y: typeof v === 'number' ? v : null };
      }),
      { stack: 'engine', width: LINE.minor },
    ),
    fill: '-1',
    backgroundColor: withAlpha(colour, 0.75),
  }));
  // The first stage fills down to the axis, every other one to the stage below it.
  datasets[0] = { ...datasets[0]!, fill: 'origin' } as ChartDatasetConfig;
  const client = ts.map((s): Point => ({ x: s.t, y: s.latency.count > 0 ? s.latency.mean : null }));
  datasets.push(
    lineSeries('client: mean latency (from intended send)', SERIES.corrected, client, {
      stack: 'client',
    }),
  );
  const hi = Math.max(
    1,
    ...client.map((p) => p.y ?? 0),
    ...ts.map((s) =>
      Object.values(s.engine?.stagesMs ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0),
    ),
  );
  const y = { ...linearMsAxis('mean time per transaction', hi), stacked: true };
  return lineChart(
    'Where the time goes: engine stages stacked, the client above',
    runSubtitle(result),
    { x: timeAxis(lastSecond(result)), y },
    datasets,
  );
}
