import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildBacklogChart } from '../../charts/builders/backlog.js';
import { buildCapacityScaleOutChart } from '../../charts/builders/capacity-scale-out.js';
import { buildLatencyDistributionChart } from '../../charts/builders/latency-distribution.js';
import { buildLatencyOverTimeChart } from '../../charts/builders/latency-over-time.js';
import { buildPoolChart } from '../../charts/builders/pool.js';
import {
  buildResourcesCpuChart,
  buildResourcesRuntimeChart,
} from '../../charts/builders/resources.js';
import { buildStageTimeChart } from '../../charts/builders/stage-time.js';
import { buildThroughputChart } from '../../charts/builders/throughput.js';
import {
  FORMATTERS,
  formatCompact,
  formatNumber,
  formatPercentile,
  formatterSource,
  hydrateChartConfig,
} from '../../charts/formatters.js';
import {
  buildRunCharts,
  type ChartConfig,
  type ChartDefinition,
  chartRegistry,
  compareCharts,
  registerChart,
  runLabels,
} from '../../charts/index.js';
import {
  PERCENTILE_COLOURS,
  REJECTION_COLOURS,
  rejectionColour,
  SERIES,
} from '../../charts/palette.js';
import {
  isPercentScale,
  percentileAxisMax,
  percentileTicks,
  percentileToX,
  spectrumPoints,
} from '../../charts/percentile.js';
import { binSeconds, latin, logTicks, shortCpuModel } from '../../charts/theme.js';
import type { ChartDatasetConfig, Point } from '../../charts/types.js';
import { REJECTION_CODES } from '../../engine/domain/codes.js';
import type { RunResult } from '../../result-format/schema.js';
import { nobleResult, offlineBurstResult, steadyResult } from './fixtures/results.js';

const steady = steadyResult();
const noble = nobleResult();
const offline = offlineBurstResult();

/** The scale options of a built chart, as plain records (the configs are plain data). */
function scale(
  config: ChartConfig,
  id: string,
): Record<string, unknown> & {
  ecny?: { ticks?: number[]; format?: string; unit?: string };
  title?: { text?: string };
  min?: number;
  max?: number;
  type?: string;
} {
  const scales = (config.options as { scales: Record<string, Record<string, unknown>> }).scales;
  const s = scales[id];
  assert.ok(s, `scale ${id}`);
  return s;
}

function datasets(config: ChartConfig): ChartDatasetConfig[] {
  return config.data.datasets;
}

function byLabel(config: ChartConfig, label: string): ChartDatasetConfig {
  const d = datasets(config).find((x) => x.label === label);
  assert.ok(
    d,
    `dataset "${label}" in ${datasets(config)
      .map((x) => x.label)
      .join(', ')}`,
  );
  return d;
}

function points(d: ChartDatasetConfig): Point[] {
  return d.data as Point[];
}

function titleOf(config: ChartConfig): { title: string; subtitle: string } {
  const plugins = config.options?.plugins as {
    title: { text: string };
    subtitle: { text: string };
  };
  return { title: plugins.title.text, subtitle: plugins.subtitle.text };
}

/** Every string anywhere in a value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) strings(v, out);
  }
  return out;
}

describe('percentile axis: x = 1/(1-p)', () => {
  test('maps 0.5, 0.9, 0.99, 0.999, 0.9999 to 2, 10, 100, 1000, 10000 exactly', () => {
    assert.equal(percentileToX(0), 1);
    assert.equal(percentileToX(0.5), 2);
    assert.equal(percentileToX(0.9), 10);
    assert.equal(percentileToX(0.99), 100);
    assert.equal(percentileToX(0.999), 1000);
    assert.equal(percentileToX(0.9999), 10000);
  });

  test('labels ticks 0%, 50%, 90%, 99%, 99.9%, 99.99%', () => {
    assert.deepEqual([1, 2, 10, 100, 1000, 10000, 100000].map(formatPercentile), [
      '0%',
      '50%',
      '90%',
      '99%',
      '99.9%',
      '99.99%',
      '99.999%',
    ]);
    assert.equal(formatPercentile(percentileToX(0.9995)), '99.95%');
    assert.equal(formatPercentile(0.5), '');
  });

  test('ticks are 1, 2 and the powers of ten up to the axis end (at least 10^4, the maximum)', () => {
    assert.deepEqual(percentileTicks(10000), [1, 2, 10, 100, 1000, 10000]);
    assert.equal(percentileAxisMax([[{ x: 500, y: 1 }]]), 10000);
    assert.equal(percentileAxisMax([[{ x: 125551, y: 1 }]]), 125551);
    assert.deepEqual(percentileTicks(125551), [1, 2, 10, 100, 1000, 10000, 100000]);
  });

  test('spectrum: fractions or percents, max placed at x = count, duplicates keep the top', () => {
    const fractions = [
      { percentile: 0, valueMs: 1 },
      { percentile: 0.5, valueMs: 2 },
      { percentile: 0.99, valueMs: 9 },
      { percentile: 0.99, valueMs: 10 },
      { percentile: 1, valueMs: 40 },
    ];
    const percents = fractions.map((s) => ({ ...s, percentile: s.percentile * 100 }));
    assert.equal(isPercentScale(fractions), false);
    assert.equal(isPercentScale(percents), true);
    const expected = [
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 100, y: 10 },
      { x: 5000, y: 40 },
    ];
    assert.deepEqual(spectrumPoints(fractions, 5000), expected);
    assert.deepEqual(spectrumPoints(percents, 5000), expected);
    // Without a count the maximum has no place on the axis.
    assert.deepEqual(spectrumPoints(fractions, 0), expected.slice(0, 3));
  });

  test('the distribution chart uses the mapping, its ticks and the percentile formatter', () => {
    const config = buildLatencyDistributionChart(steady);
    const x = scale(config, 'x');
    assert.equal(x.type, 'logarithmic');
    assert.equal(x.min, 1);
    assert.equal(x.ecny?.format, 'percentile');
    for (const tick of [2, 10, 100, 1000, 10000]) assert.ok(x.ecny?.ticks?.includes(tick));
    const corrected = points(byLabel(config, 'corrected'));
    // The fixture's spectrum is in percents, as the result writer produces it.
    for (const s of steady.latency.spectrum.filter((s) => s.percentile < 100)) {
      const x = percentileToX(s.percentile / 100);
      assert.equal(corrected.find((p) => p.x === x)?.y, s.valueMs, `p=${s.percentile}`);
    }
    assert.equal(corrected.find((p) => p.x === 2)?.y, steady.latency.spectrum[5]!.valueMs);
    // The curve ends at the maximum, at the rank of the slowest sample.
    assert.deepEqual(corrected.at(-1), {
      x: steady.latency.corrected.count,
      y: steady.latency.corrected.max,
    });
    assert.ok(points(byLabel(config, 'uncorrected (service time)')).length > 10);
  });

  test('hydration turns the named formatter into tick labels and fixed ticks', () => {
    const config = hydrateChartConfig(
      structuredClone(buildLatencyDistributionChart(steady)),
      FORMATTERS,
    );
    const x = scale(config, 'x') as {
      ticks: { callback: (v: number) => string };
      afterBuildTicks: (axis: { min: number; max: number; ticks: { value: number }[] }) => void;
    };
    assert.deepEqual(
      [2, 10, 100, 1000, 10000].map((v) => x.ticks.callback(v)),
      ['50%', '90%', '99%', '99.9%', '99.99%'],
    );
    const axis = { min: 1, max: 1000, ticks: [] as { value: number }[] };
    x.afterBuildTicks(axis);
    assert.deepEqual(
      axis.ticks.map((t) => t.value),
      [1, 2, 10, 100, 1000],
    );
  });
});

describe('SLO line', () => {
  test('is a horizontal line at config.sloMs across the distribution chart', () => {
    for (const result of [steady, offline]) {
      const config = buildLatencyDistributionChart(result);
      const slo = points(byLabel(config, `SLO ${result.config.sloMs} ms`));
      assert.equal(slo.length, 2);
      assert.ok(slo.every((p) => p.y === result.config.sloMs));
      assert.equal(slo[0]!.x, 1);
      assert.equal(slo[1]!.x, scale(config, 'x').max);
      assert.equal(byLabel(config, `SLO ${result.config.sloMs} ms`).borderColor, SERIES.slo);
    }
  });

  test('is drawn on the latency-over-time chart and inside its axis', () => {
    const config = buildLatencyOverTimeChart(steady);
    const slo = points(byLabel(config, 'SLO 50 ms'));
    assert.ok(slo.every((p) => p.y === 50));
    const y = scale(config, 'y');
    assert.ok((y.min ?? 0) <= 50 && (y.max ?? 0) >= 50);
  });
});

describe('throughput chart', () => {
  const config = buildThroughputChart(steady);
  const bars = datasets(config).filter((d) => d.type === 'bar');

  test('stacks one bar series per rejection code in a panel of its own', () => {
    const codes = Object.keys(steady.rejectionsByCode).sort();
    assert.deepEqual(bars.map((b) => b.label).sort(), codes);
    for (const b of bars) {
      assert.equal((b as { stack?: string }).stack, 'rejected');
      assert.equal((b as { yAxisID?: string }).yAxisID, 'yRejected');
    }
    assert.equal(scale(config, 'yRejected')['stacked'], true);
    // The answers panel is not stacked: offered and achieved are not additive.
    assert.notEqual(scale(config, 'y')['stacked'], true);
  });

  test('stacked rejections sum, per second, to the rejections of that second', () => {
    for (const [i, s] of steady.timeseries.entries()) {
      const stacked = bars.reduce((sum, b) => sum + (points(b)[i]!.y ?? 0), 0);
      const expected = Object.values(s.rejectedByCode).reduce((a, b) => a + b, 0);
      assert.equal(stacked, expected, `t=${s.t}`);
      assert.equal(stacked, s.achieved - s.settled, `t=${s.t}`);
      assert.equal(points(bars[0]!)[i]!.x, s.t);
    }
  });

  test('and over the run, per code, to the totals', () => {
    for (const b of bars) {
      const total = points(b).reduce((sum, p) => sum + (p.y ?? 0), 0);
      assert.equal(total, steady.rejectionsByCode[b.label!], b.label);
    }
    const all = bars.reduce((s, b) => s + points(b).reduce((a, p) => a + (p.y ?? 0), 0), 0);
    assert.equal(all, steady.totals.rejected);
  });

  test('offered, achieved and settled are the per-second figures; drops shown when any', () => {
    const ts = steady.timeseries;
    assert.deepEqual(
      points(byLabel(config, 'offered')),
      ts.map((s) => ({ x: s.t, y: s.offered })),
    );
    assert.deepEqual(
      points(byLabel(config, 'achieved (answered)')).map((p) => p.y),
      ts.map((s) => s.achieved),
    );
    assert.ok(steady.totals.dropped > 0);
    assert.equal(
      points(byLabel(config, 'dropped (not sent)')).reduce((a, p) => a + (p.y ?? 0), 0),
      steady.totals.dropped,
    );
    assert.ok(!datasets(buildThroughputChart(noble)).some((d) => d.label === 'dropped (not sent)'));
  });

  test('long runs are shown in round bins of mean rates that still add up to the totals', () => {
    const hour: RunResult = {
      ...steady,
      timeseries: Array.from({ length: 60 }, (_, k) =>
        steady.timeseries.slice(0, 60).map((s) => ({ ...s, t: k * 60 + s.t })),
      ).flat(),
    };
    assert.equal(binSeconds(60), 1);
    assert.equal(binSeconds(3600), 15);
    const c = buildThroughputChart(hour);
    const hourBars = datasets(c).filter((d) => d.type === 'bar');
    assert.equal(points(hourBars[0]!).length, 240);
    assert.equal(points(hourBars[0]!)[0]!.x, 7); // the centre of seconds 0..14
    const rejected = hour.timeseries.reduce(
      (sum, s) => sum + Object.values(s.rejectedByCode).reduce((a, b) => a + b, 0),
      0,
    );
    const fromBars = hourBars.reduce(
      (sum, b) => sum + points(b).reduce((a, p) => a + (p.y ?? 0) * 15, 0),
      0,
    );
    assert.ok(Math.abs(fromBars - rejected) < 1e-6, `${fromBars} vs ${rejected}`);
    assert.match(String(scale(c, 'x').title?.text), /15 s means \(s\)$/);
  });

  test('has a single panel when nothing was rejected', () => {
    const clean: RunResult = {
      ...noble,
      rejectionsByCode: {},
      timeseries: noble.timeseries.map((s) => ({ ...s, rejectedByCode: {} })),
    };
    const c = buildThroughputChart(clean);
    assert.equal(datasets(c).filter((d) => d.type === 'bar').length, 0);
    assert.equal((c.options as { scales: Record<string, unknown> }).scales['yRejected'], undefined);
  });
});

describe('colours', () => {
  test('every engine rejection code has its own colour', () => {
    const colours = REJECTION_CODES.map((c) => REJECTION_COLOURS[c]);
    assert.ok(colours.every((c) => typeof c === 'string'));
    assert.equal(new Set(colours).size, colours.length);
  });

  test('a code has the same colour in every chart and run; unknown codes are stable too', () => {
    const seen = new Map<string, unknown>();
    for (const result of [steady, noble, offline]) {
      for (const d of datasets(buildThroughputChart(result)).filter((x) => x.type === 'bar')) {
        const code = d.label!;
        assert.equal(d.backgroundColor, rejectionColour(code));
        if (seen.has(code)) assert.equal(d.backgroundColor, seen.get(code));
        seen.set(code, d.backgroundColor);
      }
    }
    assert.ok(seen.size >= 3);
    assert.equal(rejectionColour('SOMETHING_NEW'), rejectionColour('SOMETHING_NEW'));
  });

  test('percentile and engine series have the same colour in every run', () => {
    for (const result of [steady, offline]) {
      const latency = buildLatencyOverTimeChart(result);
      assert.equal(byLabel(latency, 'p50').borderColor, PERCENTILE_COLOURS.p50);
      assert.equal(byLabel(latency, 'p99').borderColor, PERCENTILE_COLOURS.p99);
      assert.equal(byLabel(latency, 'p99.9').borderColor, PERCENTILE_COLOURS.p999);
      assert.equal(byLabel(latency, 'max').borderColor, PERCENTILE_COLOURS.max);
      const throughput = buildThroughputChart(result);
      assert.equal(byLabel(throughput, 'offered').borderColor, SERIES.offered);
      assert.equal(byLabel(throughput, 'achieved (answered)').borderColor, SERIES.achieved);
      assert.equal(byLabel(throughput, 'settled').borderColor, SERIES.settled);
      const pool = buildPoolChart(result);
      assert.equal(byLabel(pool, 'queue wait p99 (per signature)').borderColor, SERIES.poolWait);
      assert.equal(byLabel(pool, 'verify p99 (per batch)').borderColor, SERIES.verify);
    }
  });

  test('uncorrected series are the faint, dashed twin of their corrected colour', () => {
    const latency = buildLatencyOverTimeChart(steady);
    const faint = byLabel(latency, 'p99 uncorrected');
    assert.match(String(faint.borderColor), /^rgba\(244, 109, 67, 0\.\d+\)$/); // p99 #f46d43
    assert.ok(Array.isArray((faint as { borderDash?: number[] }).borderDash));
    const p99 = points(byLabel(latency, 'p99'));
    const u99 = points(faint);
    // Corrected latency includes the wait to be sent: never below service time.
    for (const [i, p] of p99.entries()) {
      if (p.y !== null && u99[i]!.y !== null) assert.ok(p.y >= u99[i]!.y!, `t=${p.x}`);
    }
  });
});

describe('latency over time, pool and backlog', () => {
  test('seconds without answers are gaps; the log axis covers every value', () => {
    const result: RunResult = {
      ...steady,
      timeseries: steady.timeseries.map((s) =>
        s.t === 3 ? { ...s, latency: { ...s.latency, count: 0, p50: 0, max: 0 } } : s,
      ),
    };
    const config = buildLatencyOverTimeChart(result);
    assert.equal(points(byLabel(config, 'p50'))[3]!.y, null);
    const y = scale(config, 'y');
    assert.equal(y.type, 'logarithmic');
    for (const d of datasets(config)) {
      for (const p of points(d)) {
        if (p.y !== null) assert.ok(p.y >= y.min! && p.y <= y.max!, `${d.label} ${p.y}`);
      }
    }
    assert.ok(y.ecny?.ticks?.every((t) => t >= y.min! && t <= y.max!));
  });

  test('log ticks are 1-2-5 steps, decades only over wide ranges', () => {
    assert.deepEqual(logTicks(1.4, 900), {
      min: 1,
      max: 1000,
      ticks: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    });
    assert.deepEqual(logTicks(0.003, 4000), {
      min: 0.001,
      max: 10000,
      ticks: [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000],
    });
  });

  test('pool chart: p50 and p99 of wait and verify from timeseries[].engine', () => {
    const config = buildPoolChart(steady);
    assert.deepEqual(
      points(byLabel(config, 'verify p50')).map((p) => p.y),
      steady.timeseries.map((s) => Math.max(0.001, s.engine!.verifyP50)),
    );
    assert.equal(datasets(config).length, 4);
  });

  test('backlog chart applies only to runs that measured a backlog', () => {
    assert.deepEqual(
      buildRunCharts(steady).map((c) => c.id),
      [
        'throughput',
        'latency-over-time',
        'latency-distribution',
        'pool',
        'where-the-time-goes',
        'resources-cpu',
        'resources-runtime',
      ],
    );
    assert.deepEqual(
      buildRunCharts(offline).map((c) => c.id),
      ['throughput', 'latency-over-time', 'latency-distribution', 'pool', 'backlog'],
    );
    const backlog = points(byLabel(buildBacklogChart(offline), 'offline backlog (measured)'));
    assert.deepEqual(
      backlog.map((p) => p.y),
      offline.timeseries.map((s) => s.backlog),
    );
    assert.ok(Math.max(...backlog.map((p) => p.y ?? 0)) > 10_000);
    // no plan in the result, no dashed plan line
    assert.equal(datasets(buildBacklogChart(offline)).length, 2);
  });

  test('backlog chart draws the workload plan dashed beside the measured backlog', () => {
    const plan = [0, 5, 10, 4, 0];
    const withPlan = {
      ...offline,
      scenario: { ...offline.scenario, params: { backlogCurve: plan } },
    };
    const planned = byLabel(buildBacklogChart(withPlan), 'offline backlog (planned)');
    assert.deepEqual(
      points(planned).map((p) => [p.x, p.y]),
      plan.map((y, t) => [t, y]),
    );
    const dash = (planned as { borderDash?: number[] }).borderDash;
    assert.ok(Array.isArray(dash) && dash.length > 0);
  });
});

function withoutResources(result: RunResult): RunResult {
  const { resources: _, ...rest } = result;
  return rest;
}

describe('where the time goes and resources', () => {
  test('stages stack in pipeline order under the client line, from the engine figures', () => {
    const config = buildStageTimeChart(steady);
    const labels = config.data.datasets.map((d) => d.label);
    assert.deepEqual(labels, [
      'admission',
      'verify wait',
      'verify',
      'commit',
      'durability',
      'respond',
      'client: mean latency (from intended send)',
    ]);
    const at = 10;
    const second = steady.timeseries[at]!;
    const stageValue = (i: number) =>
      (config.data.datasets[i]!.data as Point[]).find((p) => p.x === at)!.y;
    assert.equal(stageValue(2), second.engine!.stagesMs!['verify']);
    assert.equal(config.data.datasets[6]!.stack, 'client');
    assert.ok(config.data.datasets.slice(0, 6).every((d) => d.stack === 'engine'));
    assert.equal(scale(config, 'y')['stacked'], true);
    // A result without stage times (older engines) gets no such chart.
    const old: RunResult = {
      ...steady,
      timeseries: steady.timeseries.map((s) => {
        const { stagesMs: _, engineMs: __, ...engine } = s.engine!;
        return { ...s, engine };
      }),
    };
    assert.ok(!buildRunCharts(old).some((c) => c.id === 'where-the-time-goes'));
  });

  test('CPU per process draws each engine thread, each generator and the machine', () => {
    const labels = buildResourcesCpuChart(steady).data.datasets.map((d) => d.label);
    assert.deepEqual(labels, [
      'engine (all threads)',
      'engine main thread',
      'engine verify-1 thread',
      'engine verify-2 thread',
      'engine other threads (I/O, GC)',
      'generator-1',
      'generator-2',
      'machine (2 cores = 200%)',
    ]);
    const runtime = buildResourcesRuntimeChart(steady).data.datasets;
    assert.equal(runtime.length, 9); // RSS, delay, GC per process
    assert.ok(!buildRunCharts(withoutResources(steady)).some((c) => c.id.startsWith('resources')));
  });
});

describe('every chart', () => {
  const all = [steady, noble, offline].flatMap((r) => [
    ...buildRunCharts(r).map((c) => ({ result: r, chart: c })),
  ]);

  test('is plain data: JSON round-trips it unchanged', () => {
    for (const { chart } of all) {
      assert.deepEqual(JSON.parse(JSON.stringify(chart.config)), chart.config, chart.id);
    }
    for (const chart of compareCharts([steady, noble])) {
      assert.deepEqual(JSON.parse(JSON.stringify(chart.config)), chart.config, chart.id);
    }
  });

  test('has a title and a subtitle with scenario, date and machine', () => {
    for (const { result, chart } of all) {
      const { title, subtitle } = titleOf(chart.config);
      assert.ok(title.length > 5);
      assert.ok(subtitle.includes(result.scenario.name), subtitle);
      assert.ok(subtitle.includes(result.startedAt.slice(0, 10)), subtitle);
      assert.ok(subtitle.includes('AMD EPYC 7763, 2 cores'), subtitle);
      assert.ok(chart.howToRead.length > 100);
    }
  });

  test('has units on every axis title', () => {
    for (const { chart } of all) {
      const scales = (
        chart.config.options as { scales: Record<string, { title: { text: string } }> }
      ).scales;
      for (const [id, s] of Object.entries(scales)) {
        const text = s.title.text;
        if (id === 'x' && text.startsWith('percentile')) continue; // a percentile has no unit
        assert.match(
          text,
          /\((tx\/s|ms|s|tx|payments|MiB|% of one core)\)$/,
          `${chart.id}.${id}: ${text}`,
        );
      }
    }
  });

  test('uses Latin text only, even for a CJK scenario name', () => {
    const cjk: RunResult = {
      ...steady,
      scenario: { ...steady.scenario, name: '数字人民币 retail', variant: 'ＡＢＣ' },
    };
    for (const chart of [...buildRunCharts(cjk), ...all.map((a) => a.chart)]) {
      for (const s of strings(chart.config)) {
        assert.match(s, /^[\u0020-\u007e\u00a0-\u024f\u2010-\u205e]*$/, s);
      }
    }
    assert.equal(latin('数字人民币 retail'), '? retail');
    assert.equal(latin('ＡＢＣ'), 'ABC');
    assert.match(titleOf(buildRunCharts(cjk)[0]!.config).subtitle, /^\? retail \/ ABC/);
  });

  test('shortens CPU models', () => {
    assert.equal(shortCpuModel('AMD EPYC 7763 64-Core Processor'), 'AMD EPYC 7763');
    assert.equal(
      shortCpuModel('Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz'),
      'Intel Xeon Platinum 8370C',
    );
    assert.equal(shortCpuModel('Apple M2 Pro'), 'Apple M2 Pro');
  });
});

describe('comparisons', () => {
  test('overlay one corrected curve and one achieved series per run, labelled by backend', () => {
    const [distribution, throughput] = compareCharts([steady, noble]);
    assert.equal(distribution!.id, 'latency-distribution');
    assert.equal(throughput!.id, 'throughput');
    const labels = datasets(distribution!.config).map((d) => d.label);
    // The fixtures differ in backend, measured duration and rate: named in that order.
    assert.ok(labels.includes('backend=native, duration=61s, rate=2000'), labels.join(' | '));
    assert.ok(labels.includes('backend=noble, duration=51s, rate=1500'));
    assert.ok(labels.includes('SLO 50 ms'));
    const achieved = datasets(throughput!.config).filter((d) => d.label?.endsWith(': achieved'));
    assert.equal(achieved.length, 2);
    assert.notEqual(achieved[0]!.borderColor, achieved[1]!.borderColor);
    // Same axes: one x and one y scale for all runs.
    assert.deepEqual(Object.keys((throughput!.config.options as { scales: object }).scales), [
      'x',
      'y',
    ]);
  });

  test('labels fall back to the run id, and name scenarios when they differ', () => {
    const twin: RunResult = { ...steady, runId: 'other-run' };
    assert.deepEqual(runLabels([steady, twin]), [steady.runId, 'other-run']);
    const labels = runLabels([steady, offline]);
    assert.ok(labels[0]!.startsWith('retail-transfer / steady'), labels[0]);
    assert.ok(labels[1]!.startsWith('offline-burst / festival'), labels[1]);
  });

  test('of nothing is nothing', () => {
    assert.deepEqual(compareCharts([]), []);
  });

  test('labels say where the engine ran and for how long, not connections the runner sized', () => {
    // What a user compared: a 30 s run on an embedded engine and a 60 s run against an external
    // one; the runner sized connections differently for each (28 and 42).
    const embedded: RunResult = {
      ...steady,
      runId: 'embedded-run',
      durationS: 30,
      config: {
        sloMs: 50,
        client: 'lean',
        processes: 2,
        connections: 28,
        connectionsSized: true,
        engine: { embedded: true, args: ['--central-bank-key', 'ab'] },
      },
    };
    const external: RunResult = {
      ...embedded,
      runId: 'external-run',
      durationS: 60,
      config: {
        ...embedded.config,
        connections: 42,
        engine: { target: 'http://10.0.0.5:8080' },
      },
    };
    assert.deepEqual(runLabels([embedded, external]), [
      'engine=embedded, duration=30s',
      'engine=external 10.0.0.5:8080, duration=60s',
    ]);
    // Connections given by the user do tell runs apart.
    const given = (r: RunResult, connections: number): RunResult => ({
      ...r,
      config: { ...r.config, connections, connectionsSized: false },
    });
    assert.deepEqual(
      runLabels([given(embedded, 8), given(embedded, 64)]).map((l) => l.split(' (')[0]),
      ['connections=8', 'connections=64'],
    );
    // Names the user gave win.
    assert.deepEqual(runLabels([embedded, external], ['before', 'after']), ['before', 'after']);
    const [distribution] = compareCharts([embedded, external], ['before', 'after']);
    const labels = datasets(distribution!.config).map((d) => d.label);
    assert.ok(labels.includes('before') && labels.includes('after'), labels.join(' | '));
  });
});

describe('registry', () => {
  test('is keyed by chart id, in report order', () => {
    assert.deepEqual(
      [...chartRegistry.keys()],
      [
        'throughput',
        'latency-over-time',
        'latency-distribution',
        'pool',
        'where-the-time-goes',
        'resources-cpu',
        'resources-runtime',
        'backlog',
        'throughput-by-type',
        'capacity-throughput',
        'capacity-latency',
        'capacity-usl',
        'capacity-scale-out',
      ],
    );
  });

  test('a new chart kind (e.g. capacity) plugs in with registerChart', () => {
    const capacity: ChartDefinition = {
      id: 'test-capacity-elbow',
      title: 'Achieved vs offered',
      howToRead: 'test',
      applies: (r) => r.kind === 'capacity',
      build: (r) => buildThroughputChart(r),
    };
    registerChart(capacity);
    assert.throws(() => registerChart(capacity), /already registered/);
    assert.throws(() => registerChart({ ...capacity, id: 'Bad Id' }), /\[a-z0-9-\]/);
    assert.ok(!buildRunCharts(steady).some((c) => c.id === capacity.id));
    const run: RunResult = { ...steady, kind: 'capacity', steps: [{ rate: 1000 }] };
    assert.equal(buildRunCharts(run).at(-1)!.id, capacity.id);
  });
});

describe('formatters', () => {
  test('format numbers compactly and deterministically', () => {
    assert.equal(formatNumber(0.1234), '0.123');
    assert.equal(formatNumber(12), '12');
    assert.equal(formatNumber(1250), '1,250');
    assert.equal(formatCompact(2500), '2.5k');
    assert.equal(formatCompact(12000), '12k');
    assert.equal(formatCompact(1_200_000), '1.2M');
    assert.equal(formatCompact(950), '950');
  });

  test('the page gets the same functions (serialised source evaluates to equal results)', () => {
    const source = `${formatterSource()}\nreturn { ecnyFormatters, ecnyHydrate };`;
    const { ecnyFormatters } = new Function(source)() as {
      ecnyFormatters: Record<string, (v: number) => string>;
    };
    for (const [name, fn] of Object.entries(FORMATTERS)) {
      for (const v of [1, 2, 10, 100, 1000, 1234.5, 0.0456, 25000]) {
        assert.equal(ecnyFormatters[name]!(v), fn(v), `${name}(${v})`);
      }
    }
  });
});

describe('capacity scale-out chart', () => {
  test('elbow throughput and p99 over nodes, the USL over nodes, and the bound as a subtitle line', () => {
    const result: RunResult = {
      ...steadyResult(),
      kind: 'capacity',
      steps: [
        {
          kind: 'scale-out',
          points: [
            { nodes: 1, elbowSettled: 400, p99Ms: 12, cpu: null },
            { nodes: 2, elbowSettled: 700, p99Ms: 18, cpu: null },
            { nodes: 3, elbowSettled: 900, p99Ms: 30, cpu: null },
          ],
          fit: {
            lambda: 410,
            sigma: 0.1,
            kappa: 0.01,
            rSquared: 0.99,
            trustworthy: false,
            reason: 'x',
          },
          bound: "bounded by this machine's CPU: 1.9 of 2 cores busy at the 3-node elbow",
          boundKind: 'cpu',
        },
      ],
    };
    const config = buildCapacityScaleOutChart(result);
    const sets = datasets(config);
    assert.deepEqual(
      sets[0]!.data.map((p) => [p.x, p.y]),
      [
        [1, 400],
        [2, 700],
        [3, 900],
      ],
    );
    assert.equal(sets[1]!.yAxisID, 'p99');
    assert.deepEqual(
      sets[1]!.data.map((p) => p.y),
      [12, 18, 30],
    );
    assert.match(sets[2]!.label ?? '', /USL over nodes .*untrustworthy/);
    const subtitle = (config.options as { plugins: { subtitle: { text: string[] } } }).plugins
      .subtitle.text;
    assert.equal(subtitle.length, 2);
    assert.match(subtitle[1]!, /bounded by this machine's CPU/);
  });
});
