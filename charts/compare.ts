/**
 * Comparison charts: several runs on the same axes, each run one colour (Okabe-Ito), labelled by
 * scenario plus the configuration values that tell the runs apart (backend=native vs
 * backend=noble), falling back to the run id when nothing in the configuration differs.
 */
import type { RunResult } from '../result-format/index.js';
import { distributionChart, runCurves } from './builders/index.js';
import { FAINT_ALPHA, runColour, withAlpha } from './palette.js';
import {
  DASH,
  LINE,
  lastSecond,
  latin,
  linearAxis,
  lineChart,
  lineSeries,
  machineLabel,
  runDate,
  scenarioLabel,
  timeAxis,
} from './theme.js';
import type { BuiltChart, ChartDatasetConfig } from './types.js';

/** Configuration keys a reader most likely varied on purpose, tried first when labelling. */
const PREFERRED_KEYS = [
  'backend',
  'threads',
  'processes',
  'connections',
  'pipelining',
  'rate',
  'maxBatch',
  'sloMs',
];

/** Beyond this many runs the faint twins (uncorrected, offered) are left out: too many lines. */
const MAX_RUNS_WITH_TWINS = 3;

function scalar(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : null;
}

/** Configuration keys whose scalar values differ between runs, most meaningful first. */
export function distinguishingKeys(results: readonly RunResult[]): string[] {
  const keys = new Set(results.flatMap((r) => Object.keys(r.config)));
  const differing = [...keys].filter(
    (k) => new Set(results.map((r) => scalar(r.config[k]) ?? '<none>')).size > 1,
  );
  const rank = (k: string) => {
    const i = PREFERRED_KEYS.indexOf(k);
    return i === -1 ? PREFERRED_KEYS.length : i;
  };
  return differing.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * One legend label per run: scenario (when the runs' scenarios differ; otherwise it is in the
 * subtitle) plus up to two distinguishing configuration values, e.g. "backend=noble". The run id
 * stands in when nothing else tells runs apart, and is appended when labels would collide.
 */
export function runLabels(results: readonly RunResult[]): string[] {
  const keys = distinguishingKeys(results).slice(0, 2);
  const sameScenario = new Set(results.map(scenarioLabel)).size === 1;
  const labels = results.map((r) => {
    const parts = keys
      .map((k) => (scalar(r.config[k]) === null ? null : `${k}=${scalar(r.config[k])}`))
      .filter((v) => v !== null);
    if (!sameScenario) parts.unshift(scenarioLabel(r));
    return latin(parts.length > 0 ? parts.join(', ') : r.runId);
  });
  return labels.map((label, i) =>
    labels.indexOf(label) === labels.lastIndexOf(label) || label === results[i]!.runId
      ? label
      : latin(`${label} (${results[i]!.runId})`),
  );
}

/**
 * "retail-transfer / steady | 2 runs | 2026-11-23 10:52 UTC to 11:15 UTC | AMD EPYC 7763, 2 cores":
 * the scenario when all runs share it, else the number of scenarios; "N machines" when they differ.
 */
export function comparisonSubtitle(results: readonly RunResult[]): string {
  const dates = results.map((r) => r.startedAt).sort();
  const first = runDate(dates[0] ?? '');
  const last = runDate(dates.at(-1) ?? '');
  const scenarios = [...new Set(results.map(scenarioLabel))];
  const machines = [...new Set(results.map((r) => machineLabel(r.environment)))];
  const machine = machines.length === 1 ? machines[0]! : `${machines.length} machines`;
  const scenario = scenarios.length === 1 ? scenarios[0]! : `${scenarios.length} scenarios`;
  const when =
    first === last
      ? first
      : first.slice(0, 10) === last.slice(0, 10)
        ? `${first.slice(0, 16)} to ${last.slice(11)}`
        : `${first} to ${last}`;
  return `${scenario}  |  ${results.length} runs  |  ${when}  |  ${machine}`;
}

/**
 * Overlays of several runs: the percentile distributions (corrected solid, uncorrected faint,
 * with each distinct SLO) and the achieved throughput over time (offered faint dashed), on shared
 * axes so curves can be read against each other directly. Pure, like the run builders.
 */
export function compareCharts(results: readonly RunResult[]): BuiltChart[] {
  if (results.length === 0) return [];
  const labels = runLabels(results);
  const twins = results.length <= MAX_RUNS_WITH_TWINS;
  const subtitle = comparisonSubtitle(results);

  const curves = results.flatMap((r, i) =>
    runCurves(r, runColour(i))
      .filter((c) => twins || !c.faint)
      .map((c) => ({ ...c, label: c.faint ? `${labels[i]} (uncorrected)` : labels[i]! })),
  );
  const slos = [...new Set(results.map((r) => r.config.sloMs))]
    .filter((ms) => ms > 0)
    .sort((a, b) => a - b)
    .map((ms) => ({ label: `SLO ${ms} ms`, ms }));
  const distribution = distributionChart(
    'Latency by percentile: comparison',
    subtitle,
    curves,
    slos,
  );

  const datasets: ChartDatasetConfig[] = [];
  results.forEach((r, i) => {
    const colour = runColour(i);
    const points = (f: (s: RunResult['timeseries'][number]) => number) =>
      r.timeseries.map((s) => ({ x: s.t, y: f(s) }));
    datasets.push(
      lineSeries(
        `${labels[i]}: achieved`,
        colour,
        points((s) => s.achieved),
      ),
    );
    if (twins) {
      datasets.push(
        lineSeries(
          `${labels[i]}: offered`,
          withAlpha(colour, FAINT_ALPHA),
          points((s) => s.offered),
          {
            dash: DASH.offered,
            width: LINE.minor,
          },
        ),
      );
    }
  });
  const end = Math.max(...results.map(lastSecond));
  const throughput = lineChart(
    'Achieved throughput: comparison',
    subtitle,
    {
      x: timeAxis(end),
      y: linearAxis('throughput', 'tx/s'),
    },
    datasets,
  );

  return [
    {
      id: 'latency-distribution',
      title: 'Latency by percentile: comparison',
      howToRead:
        'Each run is one colour: solid is corrected latency (from the intended send time), faint dashed the ' +
        'uncorrected service time. x = 1/(1-p) on a log scale, so every nine gets equal width. The lower curve is ' +
        'the faster run at that percentile; curves that cross trade median for tail latency.',
      config: distribution,
    },
    {
      id: 'throughput',
      title: 'Achieved throughput: comparison',
      howToRead:
        'Answers per second of each run (solid) against what its schedule offered (faint dashed, same colour). ' +
        'A run whose solid line falls below its dashed line could not keep up with its offered load.',
      config: throughput,
    },
  ];
}
