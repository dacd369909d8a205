/**
 * Comparison charts: several runs on the same axes, each run one colour (Okabe-Ito), labelled as
 * the user named them, or by scenario plus what tells the runs apart (engine=embedded vs
 * engine=external, duration=30s vs 60s, backend=native vs backend=noble), falling back to the run
 * id when nothing does.
 */
import type { RunResult } from '../result-format/index.js';
import { distributionChart, runCurves } from './builders/index.js';
import { formatNumber } from './formatters.js';
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

/**
 * What a reader most likely varied on purpose, tried first when labelling: where the engine ran
 * and how it was set up, then how long and how big the run was, then the load side.
 */
const PREFERRED_KEYS = [
  'engine',
  'backend',
  'threads',
  'max-batch',
  'maxBatch',
  'duration',
  'scale',
  'client',
  'processes',
  'connections',
  'pipelining',
  'rate',
  'sloMs',
  'commit',
  'machine',
  'seed',
];

/**
 * Configuration keys that never tell runs apart in a way worth a label: identities, times and
 * values derived from others (`target` is summed up by `engine`).
 */
const IGNORED_KEYS = new Set([
  'startAtMs',
  'target',
  'path',
  'shard',
  'mergedFrom',
  'connectionsSized',
  'maxInFlight',
  'schedule',
  'capacity',
]);

/** Beyond this many runs the faint twins (uncorrected, offered) are left out: too many lines. */
const MAX_RUNS_WITH_TWINS = 3;

/** How many aspects a label names at most. */
const MAX_LABEL_ASPECTS = 3;

function scalar(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : null;
}

/**
 * What can be said about a run in a label, name -> value, from its result alone: where the
 * engine ran and its flags, the measured duration, scale, commit and machine, and every scalar
 * driver setting. Connections the runner sized itself are left out: they follow from the
 * workload and the SLO, and labelling by them hides what was really changed.
 */
export function runAspects(r: RunResult): Map<string, string> {
  const out = new Map<string, string>();
  const engine = r.config['engine'];
  if (typeof engine === 'object' && engine !== null) {
    const e = engine as { embedded?: unknown; target?: unknown; args?: unknown };
    if (e.embedded === true) out.set('engine', 'embedded');
    else if (typeof e.target === 'string') {
      let host = e.target;
      try {
        host = new URL(e.target).host;
      } catch {
        // not a URL: keep it as given
      }
      out.set('engine', `external ${host}`);
    }
    const args = Array.isArray(e.args) ? e.args.map(String) : [];
    for (let k = 0; k + 1 < args.length; k++) {
      const flag = args[k]!;
      if (flag.startsWith('--') && flag !== '--central-bank-key')
        out.set(flag.slice(2), args[k + 1]!);
    }
  }
  for (const [key, value] of Object.entries(r.config)) {
    if (IGNORED_KEYS.has(key) || key === 'engine') continue;
    if (key === 'connections' && r.config['connectionsSized'] === true) continue;
    const v = scalar(value);
    if (v !== null && !out.has(key)) out.set(key, v);
  }
  out.set('duration', `${formatNumber(r.durationS)}s`);
  out.set('scale', r.scenario.scale);
  out.set('seed', r.scenario.seed);
  if (r.environment.gitCommit) out.set('commit', r.environment.gitCommit.slice(0, 7));
  out.set('machine', machineLabel(r.environment));
  return out;
}

/** Aspects whose values differ between runs, most meaningful first. */
export function distinguishingKeys(results: readonly RunResult[]): string[] {
  const aspects = results.map(runAspects);
  const keys = new Set(aspects.flatMap((a) => [...a.keys()]));
  const differing = [...keys].filter(
    (k) => new Set(aspects.map((a) => a.get(k) ?? '<none>')).size > 1,
  );
  const rank = (k: string) => {
    const i = PREFERRED_KEYS.indexOf(k);
    return i === -1 ? PREFERRED_KEYS.length : i;
  };
  return differing.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * One legend label per run. Given labels (`compare --label`) are used as they are. Otherwise:
 * the scenario (when the runs' scenarios differ; otherwise it is in the subtitle) plus up to
 * three aspects that differ, e.g. "engine=embedded, duration=30s". The run id stands in when
 * nothing tells runs apart, and is appended when labels would collide.
 */
export function runLabels(results: readonly RunResult[], given?: readonly string[]): string[] {
  if (given !== undefined && given.length === results.length) return given.map((l) => latin(l));
  const keys = distinguishingKeys(results).slice(0, MAX_LABEL_ASPECTS);
  const aspects = results.map(runAspects);
  const sameScenario = new Set(results.map(scenarioLabel)).size === 1;
  const labels = results.map((r, i) => {
    const parts = keys
      .map((k) => {
        const v = aspects[i]!.get(k);
        return v === undefined ? null : `${k}=${v}`;
      })
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
export function compareCharts(
  results: readonly RunResult[],
  given?: readonly string[],
): BuiltChart[] {
  if (results.length === 0) return [];
  const labels = runLabels(results, given);
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
