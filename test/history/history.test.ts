import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DEFAULT_GATE_METRICS,
  type GateRunReport,
  judgeGate,
  type Trial,
} from '../../gate/index.js';
import {
  appendHistory,
  committedBaselineRecords,
  type GateRecord,
  gateRecord,
  gateTrendChart,
  HISTORY_SCHEMA,
  type HistoryRecord,
  historyMarkdown,
  machineKind,
  orderRecords,
  parseHistory,
  type RunRecord,
  readHistory,
  runRecord,
  scenarioSeries,
  scenarioTrendCharts,
  sparkline,
  writeHistory,
} from '../../history/index.js';
import type { RunResult } from '../../result-format/index.js';
import { steadyResult } from '../charts/fixtures/results.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-history-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const trials = (efficiency: number[], cpuRatio: number[]): Trial[] =>
  efficiency.map((e, i) => ({ metrics: { efficiency: e, cpuRatio: cpuRatio[i]! } }));

const environment = {
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cores: 2,
  node: 'v20.20.0',
  platform: 'linux-x64',
};

/** A gate run's report as `runGate` builds it, judged against `baseline`. */
function gateReport(
  baseline: Trial[],
  current: Trial[],
  commit: string,
  at: string,
): GateRunReport {
  const result = judgeGate(baseline, current, { metrics: DEFAULT_GATE_METRICS });
  return {
    kind: 'ecny-bench/gate-run',
    version: 1,
    createdAt: at,
    verdict: result.verdict,
    exitCode: result.exitCode,
    result,
    baseline: { path: 'b.json', createdAt: at, environment, trials: baseline.length },
    environment: { ...environment, commit },
    // The history reads the metrics of each trial; the raw figures are not needed here.
    trials: current.map((t) => ({ ...t, detail: {} as GateRunReport['trials'][number]['detail'] })),
  };
}

const baseline = trials([0.7, 0.71, 0.69, 0.72, 0.7], [1.4, 1.41, 1.39, 1.42, 1.4]);
const same = trials([0.7, 0.705, 0.695, 0.71, 0.7], [1.4, 1.405, 1.395, 1.41, 1.4]);
const slower = trials([0.5, 0.51, 0.49, 0.52, 0.5], [1.4, 1.41, 1.39, 1.42, 1.4]);

describe('records', () => {
  test('a run: its figures, commit, machine kind and what tells it apart', () => {
    const steady = steadyResult();
    const record = runRecord(steady, 'thresholds');
    assert.equal(record.schema, HISTORY_SCHEMA);
    assert.equal(record.kind, 'run');
    assert.equal(record.scenario, 'retail-transfer/steady');
    assert.equal(record.commit, steady.environment.gitCommit);
    assert.equal(record.date, steady.startedAt);
    assert.equal(record.figures.p99, steady.latency.corrected.p99);
    assert.equal(record.figures.throughput, steady.totals.achievedPerSecond);
    assert.equal(record.verdict, 'thresholds');
    assert.deepEqual(record.machine, machineKind(steady.environment.cpuModel, 2));
    // Same CPU model and cores, another host name: one machine kind.
    assert.equal(
      runRecord({ ...steady, environment: { ...steady.environment, hostname: 'other' } }, 'pass')
        .machine.fingerprint,
      record.machine.fingerprint,
    );
    assert.notEqual(machineKind('AMD EPYC 7763', 4).fingerprint, record.machine.fingerprint);
  });

  test("a gate run: each metric's median, spread, baseline and verdict", () => {
    const record = gateRecord(
      gateReport(baseline, slower, 'c'.repeat(40), '2026-12-01T00:00:00.000Z'),
      DEFAULT_GATE_METRICS,
      0.15,
    )!;
    assert.equal(record.verdict, 'regression');
    assert.equal(record.commit, 'c'.repeat(40));
    assert.equal(record.metrics['efficiency']!.verdict, 'regression');
    assert.equal(record.metrics['efficiency']!.median, 0.5);
    assert.equal(record.metrics['efficiency']!.baselineMedian, 0.7);
    assert.deepEqual(
      [record.metrics['efficiency']!.min, record.metrics['efficiency']!.max],
      [0.49, 0.52],
    );
    assert.equal(record.metrics['cpuRatio']!.verdict, 'pass');
  });
});

describe('the file', () => {
  test('appends one line per record, concurrently, and reads them back', async () => {
    const file = join(await tempDir(), 'sub', 'history.jsonl');
    const steady = steadyResult();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendHistory(file, runRecord({ ...steady, runId: `run-${i}` }, 'pass')),
      ),
    );
    const read = await readHistory(file);
    assert.equal(read.found, true);
    assert.equal(read.records.length, 40);
    assert.deepEqual(read.skipped, []);
    assert.equal((await readFile(file, 'utf8')).split('\n').length, 41);
    assert.deepEqual(await readHistory(join(file, '..', 'missing.jsonl')), {
      records: [],
      skipped: [],
      found: false,
    });
  });

  test('skips a torn or foreign line, says which, and keeps the rest', () => {
    const good = JSON.stringify(runRecord(steadyResult(), 'pass'));
    const parsed = parseHistory(
      [good, '{"schema":"ecny-bench/history/v1","kind":"ru', '{"schema":"other"}', '', good].join(
        '\n',
      ),
    );
    assert.equal(parsed.records.length, 2);
    assert.deepEqual(parsed.skipped, [
      { line: 2, reason: 'not JSON (a torn write?)' },
      { line: 3, reason: 'schema is not ecny-bench/history/v1' },
    ]);
  });

  test('seeds from every committed version of the gate baselines', () => {
    const seeds = committedBaselineRecords();
    assert.ok(seeds.length >= 1, 'results/baselines/gate.json is committed');
    for (const s of seeds) {
      assert.equal(s.kind, 'gate');
      assert.equal((s as GateRecord).verdict, 'baseline');
      assert.match((s as GateRecord).source ?? '', /^results\/baselines\/gate\.json/);
      assert.ok((s as GateRecord).metrics['efficiency']!.median > 0);
      assert.ok((s as GateRecord).metrics['cpuRatio']!.median > 0);
    }
  });

  test('seeds from the file alone outside git, at the commit it names', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'results', 'baselines'), { recursive: true });
    await writeFile(
      join(root, 'results', 'baselines', 'gate.json'),
      JSON.stringify({
        kind: 'ecny-bench/gate-baseline',
        version: 1,
        createdAt: '2026-11-20T00:00:00.000Z',
        environment: { ...environment, commit: 'a'.repeat(40) },
        trials: baseline,
      }),
    );
    const [seed, ...rest] = committedBaselineRecords(root) as GateRecord[];
    assert.equal(rest.length, 0);
    assert.equal(seed!.commit, 'a'.repeat(40));
    assert.equal(seed!.metrics['efficiency']!.median, 0.7);
    assert.equal(seed!.source, 'results/baselines/gate.json');
  });

  test('orders by date and drops duplicates', () => {
    const r = runRecord(steadyResult(), 'pass');
    const early: RunRecord = { ...r, runId: 'early', date: '2026-01-01T00:00:00.000Z' };
    assert.deepEqual(
      orderRecords([r, early, r]).map((x) => (x as RunRecord).runId),
      ['early', r.runId],
    );
  });
});

/** Datasets of a chart by label. */
function byLabel(config: { data: { datasets: unknown[] } }) {
  const sets = config.data.datasets as { label: string; data: { y: number | null }[] }[];
  return (label: string) => {
    const d = sets.find((s) => s.label === label);
    assert.ok(d, `dataset ${label} in ${sets.map((s) => s.label).join(' | ')}`);
    return d.data.map((p) => p.y);
  };
}

function gateHistory(): HistoryRecord[] {
  const seed = gateRecord(
    { ...gateReport(baseline, baseline, 'a'.repeat(40), '2026-11-01T00:00:00.000Z'), result: null },
    DEFAULT_GATE_METRICS,
    0.15,
  )!;
  return [
    seed,
    gateRecord(
      gateReport(baseline, same, 'b'.repeat(40), '2026-11-02T00:00:00.000Z'),
      DEFAULT_GATE_METRICS,
      0.15,
    )!,
    gateRecord(
      gateReport(baseline, slower, 'c'.repeat(40), '2026-11-03T00:00:00.000Z'),
      DEFAULT_GATE_METRICS,
      0.15,
    )!,
  ];
}

describe('trend charts', () => {
  test('a gate metric: medians, the baseline, the threshold band, regressions flagged', () => {
    const chart = gateTrendChart(gateHistory() as GateRecord[], 'efficiency');
    assert.equal(chart.id, 'gate-efficiency');
    assert.deepEqual(chart.config.data.labels, ['aaaaaaa 11-01', 'bbbbbbb 11-02', 'ccccccc 11-03']);
    const y = byLabel(chart.config);
    assert.deepEqual(y('efficiency (median of trials)'), [0.7, 0.7, 0.5]);
    assert.deepEqual(y('baseline median'), [0.7, 0.7, 0.7]);
    const limit = y('threshold (15% worse than the baseline)');
    for (const v of limit) assert.ok(Math.abs(v! - 0.7 * 0.85) < 1e-12);
    assert.deepEqual(y('regression (gate verdict)'), [null, null, 0.5]);
    assert.deepEqual(y('committed or written baseline'), [0.7, null, null]);
    // The band is shaded between the baseline and the threshold line.
    const band = (chart.config.data.datasets as { label: string; fill?: unknown }[]).find((d) =>
      d.label.startsWith('threshold'),
    );
    assert.equal(band?.fill, '-1');
    // Lower-better: the threshold is above the baseline.
    const cpu = byLabel(gateTrendChart(gateHistory() as GateRecord[], 'cpuRatio').config);
    assert.ok(Math.abs(cpu('threshold (15% worse than the baseline)')[1]! - 1.4 * 1.15) < 1e-12);
    assert.deepEqual(JSON.parse(JSON.stringify(chart.config)), chart.config, 'plain data');
  });

  test("a scenario's p99 and throughput per machine, the SLO, thresholds, flagged runs", () => {
    const steady = steadyResult();
    const other: RunResult = {
      ...steady,
      runId: 'other-machine',
      startedAt: '2030-01-01T00:00:00.000Z',
      environment: { ...steady.environment, cpuModel: 'Intel Xeon', cores: 8 },
      thresholds: [
        {
          expression: 'p99<500ms',
          metric: 'p99',
          op: '<',
          limit: 500,
          unit: 'ms',
          value: steady.latency.corrected.p99,
          passed: false,
          source: 'flag',
        },
      ],
    };
    const records = [runRecord(steady, 'pass'), runRecord(other, 'thresholds')];
    const [series] = scenarioSeries(records);
    const [p99, throughput] = scenarioTrendCharts(series!);
    const y = byLabel(p99!.config);
    assert.deepEqual(y('p99, AMD EPYC 7763 x2'), [steady.latency.corrected.p99, null]);
    assert.deepEqual(y('p99, Intel Xeon x8'), [null, steady.latency.corrected.p99]);
    assert.deepEqual(y('SLO'), [50, 50]);
    assert.deepEqual(y('p99 threshold'), [null, 500]);
    assert.deepEqual(y('threshold crossed or check failed'), [null, steady.latency.corrected.p99]);
    assert.ok(byLabel(throughput!.config)('planned/s').every((v) => v! > 0));
  });

  test('the job summary: sparklines, the gate table with bands, regressions marked', () => {
    assert.equal(sparkline([1, 2, 3, null, 8]), '▁▂▃ █');
    assert.equal(sparkline([5, 5]), '▄▄');
    const md = historyMarkdown([...gateHistory(), runRecord(steadyResult(), 'pass')]);
    assert.ok(md.includes('`efficiency` (higher is better): `██▁` 0.700 → 0.500'), md);
    assert.ok(md.includes('| `ccccccc 11-03` | ❌ regression |'), md);
    assert.ok(md.includes('0.500 ▲ (0.700, ≥ 0.595)'), md);
    assert.ok(md.includes('| retail-transfer/steady (city) | 1 |'), md);
  });

  test('writes a PNG per chart and history.html', async () => {
    const out = await tempDir();
    const files = await writeHistory([...gateHistory(), runRecord(steadyResult(), 'pass')], out, {
      file: 'h.jsonl',
      seeded: 1,
      skipped: 0,
    });
    assert.deepEqual((await readdir(out)).sort(), [
      'gate-cpuratio.png',
      'gate-efficiency.png',
      'history.html',
      'run-retail-transfer-steady-city-p99.png',
      'run-retail-transfer-steady-city-throughput.png',
    ]);
    assert.equal(files.length, 5);
    const png = await readFile(join(out, 'gate-efficiency.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    const html = await readFile(join(out, 'history.html'), 'utf8');
    assert.ok(html.includes('<canvas data-chart="gate-efficiency"'));
    assert.ok(html.includes('<strong class="bad">regression</strong>'));
  });
});
