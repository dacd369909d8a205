/**
 * Trend charts of a history, as plain Chart.js configurations in the house style (charts/):
 * - per gate metric: each gate run's median over commits (min and max faint), the baseline it
 *   was judged against and the gate's tolerance band down (or up) to the threshold, and a red
 *   triangle where the statistical gate called a regression;
 * - per scenario and scale: p99 (from the intended send) and throughput over commits, one line
 *   per machine kind, with the SLO line and the run's p99 threshold, and a red cross on runs
 *   that crossed a threshold or failed a check.
 * The x axis is a category axis of runs in time order, labelled by commit and date.
 */
import { type BuiltChart, type ChartConfig, type Point, palette, theme } from '../charts/index.js';
import type { GateRecord, HistoryRecord, RunRecord } from './record.js';

const { SERIES, runColour, withAlpha } = palette;

/** `a1b2c3d 11-23`: enough to find the commit and place it in time. */
export function pointLabel(record: HistoryRecord): string {
  const sha = record.commit === null ? 'no-git' : record.commit.slice(0, 7);
  return `${sha} ${record.date.slice(5, 10)}`;
}

const categoryAxis = (title: string) => ({
  type: 'category' as const,
  title: theme.axisTitle(title),
  ticks: {
    color: '#222222',
    font: { size: theme.FONT.tick - 1, family: theme.FONT.family },
    maxRotation: 60,
    autoSkip: true,
  },
  grid: { color: 'rgba(0, 0, 0, 0.06)' },
});

const valueAxis = (title: string, unit: string, fromZero: boolean) => ({
  ...theme.linearAxis(title, unit),
  beginAtZero: fromZero,
  ecny: { format: 'number' as const, unit },
});

function withLabels(config: ChartConfig, labels: readonly string[]): ChartConfig {
  return { ...config, data: { ...config.data, labels: [...labels] } };
}

/** A dense series over every category: y or null (a gap). */
const dense = (values: readonly (number | null)[]): Point[] => values.map((y, x) => ({ x, y }));

function markers(
  label: string,
  colour: string,
  values: readonly (number | null)[],
  style: 'triangle' | 'crossRot' | 'rectRot',
) {
  return {
    ...theme.lineSeries(label, colour, dense(values)),
    showLine: false,
    pointStyle: style,
    pointRadius: 7,
    pointBorderWidth: 2,
    pointHoverRadius: 8,
  };
}

/** The gate metrics present in the records, defaults first. */
export function gateMetrics(records: readonly GateRecord[]): string[] {
  const names = new Set(records.flatMap((r) => Object.keys(r.metrics)));
  return [...names].sort((a, b) => a.localeCompare(b));
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** One gate metric over commits. */
export function gateTrendChart(records: readonly GateRecord[], metric: string): BuiltChart {
  const rows = records.filter((r) => r.metrics[metric] !== undefined);
  const figures = rows.map((r) => r.metrics[metric]!);
  const direction = figures[0]?.direction ?? 'higher-better';
  const better = direction === 'higher-better' ? 'higher is better' : 'lower is better';
  const base = figures.map((f) => (f.verdict === 'baseline' ? f.median : f.baselineMedian));
  const limit = figures.map((f, i) => {
    const b = base[i];
    if (b === null || b === undefined) return null;
    return direction === 'higher-better' ? b * (1 - f.threshold) : b * (1 + f.threshold);
  });
  const thresholdPct = Math.round((figures[0]?.threshold ?? 0.15) * 100);
  const band = {
    ...theme.lineSeries(
      `threshold (${thresholdPct}% worse than the baseline)`,
      SERIES.tolerance,
      dense(limit),
      {
        dash: theme.DASH.slo,
        width: theme.LINE.reference,
      },
    ),
    // Shades the tolerance band: from the baseline's median to the threshold.
    fill: '-1',
    backgroundColor: withAlpha(SERIES.tolerance, 0.25),
  };
  const config = theme.lineChart(
    `Gate: ${metric} over commits (${better})`,
    `median of each gate run's trials; band: the baseline's median to the gate's threshold`,
    { x: categoryAxis('commit, date (UTC)'), y: valueAxis(metric, 'ratio', false) },
    [
      theme.lineSeries('baseline median', SERIES.baseline, dense(base), {
        dash: theme.DASH.offered,
        width: theme.LINE.reference,
      }),
      band,
      {
        ...theme.lineSeries(
          `${metric} (median of trials)`,
          SERIES.achieved,
          dense(figures.map((f) => f.median)),
        ),
        pointRadius: 3,
        pointStyle: 'circle',
        spanGaps: true,
      },
      ...(['min', 'max'] as const).map((bound) => ({
        ...theme.lineSeries(
          bound === 'min' ? 'lowest trial' : 'highest trial',
          withAlpha(SERIES.achieved, 0.45),
          dense(figures.map((f) => f[bound])),
          { dash: theme.DASH.faint, width: theme.LINE.minor },
        ),
        spanGaps: true,
      })),
      markers(
        'committed or written baseline',
        SERIES.baseline,
        figures.map((f) => (f.verdict === 'baseline' ? f.median : null)),
        'rectRot',
      ),
      markers(
        'regression (gate verdict)',
        SERIES.regression,
        figures.map((f) => (f.verdict === 'regression' ? f.median : null)),
        'triangle',
      ),
    ],
  );
  return {
    id: `gate-${slug(metric)}`,
    title: `Gate: ${metric}`,
    howToRead:
      `Each point is one gate run at a commit (${better}): the median of its trials, with the lowest and ` +
      `highest trial faint. The dashed grey line is the median of the baseline it was judged against and ` +
      `the shaded band reaches to the gate's threshold (${thresholdPct}% worse). A point beyond the band ` +
      `is a regression only if its trials also rank outside the baseline's (the rank test): those carry a ` +
      `red triangle. Grey diamonds are baselines themselves (committed ones seed the history).`,
    config: withLabels(config, rows.map(pointLabel)),
  };
}

/** Runs of one scenario at one scale, in time order. */
export interface ScenarioSeries {
  readonly key: string;
  readonly scenario: string;
  readonly scale: string;
  readonly runs: readonly RunRecord[];
}

export function scenarioSeries(records: readonly RunRecord[]): ScenarioSeries[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.scenario} (${r.scale})`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([key, runs]) => ({ key, scenario: runs[0]!.scenario, scale: runs[0]!.scale, runs }));
}

const machineName = (r: RunRecord) =>
  `${theme.shortCpuModel(r.machine.cpuModel)} x${r.machine.cores}`;

/** p99 and throughput over commits for one scenario at one scale. */
export function scenarioTrendCharts(series: ScenarioSeries): BuiltChart[] {
  const { runs } = series;
  const labels = runs.map(pointLabel);
  const machines = [...new Set(runs.map((r) => r.machine.fingerprint))];
  const perMachine = (pick: (r: RunRecord) => number, suffix: string) =>
    machines.map((fp, i) => {
      const name = machineName(runs.find((r) => r.machine.fingerprint === fp)!);
      return {
        ...theme.lineSeries(
          `${suffix}${machines.length > 1 ? `, ${name}` : ''}`,
          machines.length > 1 ? runColour(i) : SERIES.achieved,
          dense(runs.map((r) => (r.machine.fingerprint === fp ? pick(r) : null))),
        ),
        pointRadius: 3,
        pointStyle: 'circle',
        spanGaps: true,
      };
    });
  const flagged = (pick: (r: RunRecord) => number) =>
    markers(
      'threshold crossed or check failed',
      SERIES.regression,
      runs.map((r) => (r.verdict === 'pass' ? null : pick(r))),
      'crossRot',
    );
  const p99Limit = runs.map((r) => {
    const t = r.thresholds.find((o) => o.metric === 'p99' && (o.op === '<' || o.op === '<='));
    return t === undefined ? null : t.limit;
  });
  const hasLimit = p99Limit.some((v) => v !== null);
  const subtitle = `${series.key}  |  ${machines.map((fp) => machineName(runs.find((r) => r.machine.fingerprint === fp)!)).join(', ')}`;
  const id = slug(`${series.scenario}-${series.scale}`);
  const p99 = theme.lineChart(
    `p99 latency over commits: ${series.scenario}`,
    subtitle,
    {
      x: categoryAxis('commit, date (UTC)'),
      y: valueAxis('p99 from the intended send', 'ms', true),
    },
    [
      ...perMachine((r) => r.figures.p99, 'p99'),
      theme.lineSeries('SLO', SERIES.slo, dense(runs.map((r) => r.sloMs)), {
        dash: theme.DASH.slo,
        width: theme.LINE.reference,
      }),
      ...(hasLimit
        ? [
            theme.lineSeries('p99 threshold', SERIES.regression, dense(p99Limit), {
              dash: theme.DASH.offered,
              width: theme.LINE.reference,
            }),
          ]
        : []),
      flagged((r) => r.figures.p99),
    ],
  );
  const throughput = theme.lineChart(
    `Throughput over commits: ${series.scenario}`,
    subtitle,
    { x: categoryAxis('commit, date (UTC)'), y: valueAxis('rate', 'tx/s', true) },
    [
      ...perMachine((r) => r.figures.throughput, 'answers/s'),
      {
        ...theme.lineSeries(
          'planned/s',
          SERIES.offered,
          dense(runs.map((r) => r.figures.plannedPerSecond)),
          {
            dash: theme.DASH.offered,
            width: theme.LINE.minor,
          },
        ),
        spanGaps: true,
      },
      flagged((r) => r.figures.throughput),
    ],
  );
  return [
    {
      id: `run-${id}-p99`,
      title: `${series.key}: p99 latency`,
      howToRead:
        'Each point is one run at a commit: its p99 latency from the intended send time over the whole ' +
        'measured phase, one line per machine kind (figures from different machines are not comparable). ' +
        "The dashed black line is the run's SLO, the dashed red one its p99 threshold when it had one. A red " +
        'cross marks a run that crossed a threshold or failed a correctness check.',
      config: withLabels(p99, labels),
    },
    {
      id: `run-${id}-throughput`,
      title: `${series.key}: throughput`,
      howToRead:
        'Answers per second over the measured phase, one line per machine kind, with the planned rate ' +
        'dashed: an open-model run that keeps up sits on the planned line, so a drop below it means the ' +
        'engine (or the machine) fell behind at that commit.',
      config: withLabels(throughput, labels),
    },
  ];
}

/** Every trend chart of a history: gate metrics first, then each scenario. */
export function historyCharts(records: readonly HistoryRecord[]): BuiltChart[] {
  const gates = records.filter((r): r is GateRecord => r.kind === 'gate');
  const runs = records.filter((r): r is RunRecord => r.kind === 'run');
  return [
    ...gateMetrics(gates).map((m) => gateTrendChart(gates, m)),
    ...scenarioSeries(runs).flatMap(scenarioTrendCharts),
  ];
}
