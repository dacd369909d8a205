/**
 * Throughput: offered vs achieved per second, with rejections stacked by code underneath.
 *
 * Two panels on one time axis (Chart.js stacked scales): the top panel's lines show whether the
 * engine kept up (achieved on top of offered) and how much of it settled; the bottom panel's bars
 * show what was refused, and why, each second. Rejections get their own panel because they are
 * usually a tiny fraction of the rate and would vanish at the bottom of a shared axis.
 */
import type { RunResult, SecondSample } from '../../result-format/index.js';
import { rejectionColour, SERIES } from '../palette.js';
import {
  axisTitle,
  binSeconds,
  DASH,
  LINE,
  lastSecond,
  linearAxis,
  lineChart,
  lineSeries,
  runSubtitle,
  timeAxis,
} from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const THROUGHPUT_ID = 'throughput';

/** Rejection codes seen in the run, largest total first (the bottom of the stack), then by name. */
export function rejectionCodes(result: RunResult): string[] {
  const totals = new Map<string, number>();
  for (const s of result.timeseries) {
    for (const [code, n] of Object.entries(s.rejectedByCode)) {
      totals.set(code, (totals.get(code) ?? 0) + n);
    }
  }
  return [...totals.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code]) => code);
}

/** Per-bin rates: mean tx/s over the seconds of each bin, plotted at the bin's centre. */
export function binnedRates(
  result: RunResult,
  bin: number,
  f: (s: SecondSample) => number,
): Point[] {
  const bins = new Map<number, { sum: number; seconds: number }>();
  for (const s of result.timeseries) {
    const start = Math.floor(s.t / bin) * bin;
    const b = bins.get(start) ?? { sum: 0, seconds: 0 };
    b.sum += f(s);
    b.seconds += 1;
    bins.set(start, b);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, b]) => ({ x: start + (bin - 1) / 2, y: b.sum / b.seconds }));
}

/**
 * Offered, achieved and settled tx/s; rejections per second stacked by code; drops. Runs longer
 * than 300 s are shown in round bins (10 s, 30 s ...) of mean rates, so bars stay readable at
 * 800 px; sums of rates times the bin width still equal the totals.
 */
export function buildThroughputChart(result: RunResult): ChartConfig {
  const ts = result.timeseries;
  const bin = binSeconds(lastSecond(result) + 1);
  const series = (f: (s: SecondSample) => number) => binnedRates(result, bin, f);
  const codes = rejectionCodes(result);
  const anyDropped = ts.some((s) => s.dropped > 0);
  const lower = codes.length > 0;

  const datasets: ChartDatasetConfig[] = [
    lineSeries(
      'offered',
      SERIES.offered,
      series((s) => s.offered),
      { dash: DASH.offered },
    ),
    lineSeries(
      'achieved (answered)',
      SERIES.achieved,
      series((s) => s.achieved),
    ),
    lineSeries(
      'settled',
      SERIES.settled,
      series((s) => s.settled),
      { width: LINE.minor },
    ),
  ];
  if (anyDropped) {
    // With the answers, not the refusals: drops are load that never reached the engine, often
    // of the order of the offered rate, and would flatten the rejection bars.
    datasets.push(
      lineSeries(
        'dropped (not sent)',
        SERIES.dropped,
        series((s) => s.dropped),
        {
          dash: DASH.faint,
          width: LINE.minor,
        },
      ),
    );
  }
  for (const code of codes) {
    datasets.push({
      type: 'bar',
      label: code,
      data: series((s) => s.rejectedByCode[code] ?? 0),
      backgroundColor: rejectionColour(code),
      borderWidth: 0,
      yAxisID: 'yRejected',
      stack: 'rejected',
      pointStyle: 'rect',
      barPercentage: 1,
      categoryPercentage: 0.9,
    });
  }

  const lastBin = Math.max(0, ...datasets[0]!.data.map((p) => (p as Point).x));
  // Chart.js stacks panels bottom-up in key order: refusals first puts them under the answers.
  // The bin note goes on the x axis: the panels are too short for long y titles.
  const x = timeAxis(lastBin, bin);
  const scales: Record<string, object> = {
    x: {
      ...x,
      stacked: true,
      ...(bin === 1
        ? {}
        : { title: axisTitle(`time since start of measurement, rates are ${bin} s means (s)`) }),
    },
  };
  if (lower) {
    scales['yRejected'] = {
      ...linearAxis('rejected', 'tx/s', { stack: 'panels', weight: 1 }),
      stacked: true,
    };
  }
  // Offset on the upper panel leaves a gap, so its "0" and the lower panel's top label clear.
  scales['y'] = {
    ...linearAxis(
      lower ? 'answered' : 'throughput',
      'tx/s',
      lower ? { stack: 'panels', weight: 3 } : {},
    ),
    ...(lower ? { offset: true } : {}),
  };
  return lineChart(
    'Throughput: offered vs achieved, rejections by code',
    runSubtitle(result),
    scales,
    datasets,
  );
}
