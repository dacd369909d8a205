import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildRunCharts,
  reportHtml,
  writeComparisonReport,
  writeReport,
} from '../../charts/index.js';
import { escapeHtml, scriptJson, reportVerdict as verdictOf } from '../../charts/report.js';
import { compareCommand, reportCommand } from '../../cli/commands/charts.js';
import type { RunResult } from '../../result-format/schema.js';
import { getScenario } from '../../scenarios/catalog/index.js';
import { isSourced } from '../../scenarios/model/index.js';
import { nobleResult, offlineBurstResult, steadyResult } from './fixtures/results.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-report-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The inlined chart configurations, parsed back. */
function inlinedConfigs(html: string): Record<string, unknown> {
  const match = /<script type="application\/json" id="ecny-charts">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match, 'configs script');
  return JSON.parse(match[1]!) as Record<string, unknown>;
}

const steady = steadyResult();

describe('HTML report', () => {
  test('tables each operation type and channel, and charts the types over time', async () => {
    const base = steadyResult();
    const cls = (n: number, p99: number) => ({
      planned: n,
      answered: n,
      settled: n - 1,
      rejected: 1,
      errors: 0,
      dropped: 0,
      settledPerSecond: n / 10,
      peakPerSecond: n,
      latency: { count: n, min: 1, mean: 2, p50: 2, p90: 3, p99, p999: p99, p9999: p99, max: p99 },
      perSecond: [n, 0, n],
      histogram: '',
    });
    const result: RunResult = {
      ...base,
      byType: { transfer: cls(40, 12.5), claim: cls(20, 77.25) },
      byChannel: { scan: cls(30, 9) },
    };
    const html = await reportHtml(result);
    assert.match(html, /<section id="classes">/);
    assert.match(html, /<h3>By operation type<\/h3>/);
    assert.match(html, /<h3>By payment channel<\/h3>/);
    assert.ok(html.includes('77.3') || html.includes('77.25'), 'claim p99');
    const charts = buildRunCharts(result).map((c) => c.id);
    assert.ok(charts.includes('throughput-by-type'));
    assert.ok(!buildRunCharts(base).some((c) => c.id === 'throughput-by-type'));
    assert.doesNotMatch(await reportHtml(base), /id="classes"/);
  });

  test('has a Sources section: every figure, its source link or its modelled reason', async () => {
    const facts = getScenario('shenzhen-lottery').variants.default!.facts;
    const base = steadyResult();
    const result: RunResult = { ...base, scenario: { ...base.scenario, facts } };
    const html = await reportHtml(result);
    assert.match(html, /<section id="sources">\s*<h2>Sources<\/h2>/);
    for (const f of facts) {
      assert.ok(html.includes(escapeHtml(f.value)), f.figure);
      if (isSourced(f))
        assert.ok(html.includes(`<a href="${escapeHtml(f.source.url)}">`), f.source.url);
      else assert.ok(html.includes(escapeHtml(f.modelled)), f.figure);
    }
    const links = [...html.matchAll(/<li>[^<]*<a href="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(links.length, new Set(links).size, 'each source listed once');
    // A result without facts (older files, capacity fixtures) has no empty section.
    assert.doesNotMatch(await reportHtml(base), /id="sources"/);
  });

  test('writeReport writes report.html with one interactive chart per applicable chart', async () => {
    const dir = await tempDir();
    const file = await writeReport(offlineBurstResult(), dir);
    assert.equal(file, join(dir, 'report.html'));
    const html = await readFile(file, 'utf8');
    const charts = buildRunCharts(offlineBurstResult());
    const canvases = [...html.matchAll(/<canvas data-chart="([a-z0-9-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(
      canvases,
      charts.map((c) => c.id),
    );
    for (const c of charts) assert.ok(html.includes(escapeHtml(c.howToRead)), c.id);
    assert.deepEqual(inlinedConfigs(html), Object.fromEntries(charts.map((c) => [c.id, c.config])));
  });

  test('is self-contained: Chart.js inlined, nothing fetched', async () => {
    const html = await reportHtml(steady);
    assert.ok(html.includes('Chart.js v4'), 'Chart.js UMD inlined');
    assert.ok(html.includes('const ecnyFormatters'), 'formatters inlined');
    assert.doesNotMatch(html, /<script[^>]+src=/i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /<img\b/i);
    assert.doesNotMatch(html, /<iframe\b/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.equal(html.match(/<script\b/g)?.length, 3);
    assert.equal(html.match(/<\/script>/g)?.length, 3);
  });

  test('summarises throughput, percentiles, rejections, outcome, reconciliation, environment', async () => {
    const html = await reportHtml(steady);
    for (const heading of ['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max']) {
      assert.ok(html.includes(`<th>${heading}</th>`), heading);
    }
    for (const text of [
      'achieved tx/s',
      'settled tx/s',
      'corrected (from intended send)',
      'uncorrected (from actual send)',
      'send lag (generator lateness)',
      'ALREADY_SPENT',
      'TIER_LIMIT',
      'mismatched',
      'books balance',
      'AMD EPYC 7763 64-Core Processor (2 cores)',
      'v20.20.0',
      'PASS',
    ]) {
      assert.ok(html.includes(text), text);
    }
    assert.ok(html.includes(steady.latency.corrected.count.toLocaleString('en-US')));
  });

  test('shows FAIL and the reasons when the outcome check fails', async () => {
    const failed: RunResult = {
      ...steady,
      totals: { ...steady.totals, mismatched: 3 },
      outcome: {
        passed: false,
        reasons: ['3 mismatched'],
        samples: [{ op: 17, expected: 'settled', got: 'rejected ALREADY_SPENT' }],
      },
    };
    const html = await reportHtml(failed);
    assert.match(html, /class="badge bad">FAIL</);
    assert.ok(html.includes('<li>3 mismatched</li>'));
    assert.ok(html.includes('rejected ALREADY_SPENT'));
  });

  test('shows FAIL when the books balance but differ from what the workload should leave', () => {
    const rec = { ok: true, problems: [], matchesWorkload: false };
    const v = verdictOf({ ...steady, reconciliation: rec } as RunResult);
    assert.equal(v.label, 'FAIL');
    assert.ok(v.reasons.includes('the books differ from what the workload should leave'));
    const same = verdictOf({ ...steady, reconciliation: { ...rec, matchesWorkload: true } });
    assert.equal(same.label, 'PASS');
  });

  test('never shows PASS when a threshold is crossed, and lists every threshold with its value', async () => {
    const crossed: RunResult = {
      ...steady,
      thresholds: [
        {
          expression: 'p99<50ms',
          metric: 'p99',
          op: '<',
          limit: 50,
          unit: 'ms',
          value: steady.latency.corrected.p99,
          passed: false,
          source: 'flag',
        },
        {
          expression: 'dropped==0',
          metric: 'dropped',
          op: '==',
          limit: 0,
          unit: 'count',
          value: 0,
          passed: true,
          source: 'scenario',
        },
      ],
    };
    const html = await reportHtml(crossed);
    assert.match(html, /class="badge bad">THRESHOLDS CROSSED</);
    assert.doesNotMatch(html, />PASS</);
    assert.ok(html.includes('<code>p99&lt;50ms</code>'));
    assert.ok(html.includes('912 ms'), 'the measured p99 with its unit');
    assert.ok(html.includes('<code>dropped==0</code>'));
    assert.ok(html.includes('scenario default'));
    assert.ok(html.includes('threshold p99&lt;50ms crossed: p99 = 912 ms'));
    // The crossed threshold is drawn on the distribution chart, at p99.
    const dist = inlinedConfigs(html)['latency-distribution'] as {
      data: { datasets: { label: string; data: { x: number; y: number }[] }[] };
    };
    const mark = dist.data.datasets.find((d) => d.label === 'threshold p99<50ms (crossed)');
    assert.deepEqual(mark?.data, [{ x: 100, y: 50 }]);
    assert.equal(verdictOf(crossed).label, 'THRESHOLDS CROSSED');
  });

  test('says so when p99 is above the SLO and no threshold judges it', async () => {
    assert.ok(steady.latency.corrected.p99 > steady.config.sloMs);
    const html = await reportHtml(steady);
    assert.match(html, /class="badge ok">PASS<\/span> <span class="badge warn">SLO MISSED</);
    assert.ok(html.includes('p99 912 ms is above the 50 ms SLO'));
  });

  test('marks a run cut short as INCOMPLETE with the reason', async () => {
    const cut: RunResult = {
      ...steady,
      incomplete: {
        cause: 'signal',
        by: 'SIGINT',
        afterS: 12,
        reason: 'interrupted by SIGINT after 12 s',
      },
    };
    const html = await reportHtml(cut);
    assert.match(html, /class="badge warn">INCOMPLETE</);
    assert.ok(html.includes('interrupted by SIGINT after 12 s'));
  });

  test('puts the verdict and charts first, the configuration folded after, readable, in yuan', async () => {
    const withBooks: RunResult = {
      ...steady,
      reconciliation: {
        ok: true,
        issued: 123_456_789,
        destroyed: 0,
        unspent: 123_456_789,
        problems: [],
      },
      scenario: {
        ...steady.scenario,
        params: {
          durationS: 60,
          flows: { retail: { payer: 'consumers', yuan: 1234.5 } },
          curve: [1, 2, 3],
        },
      },
      config: {
        ...steady.config,
        engine: { embedded: true, args: ['--backend', 'native'] },
        startAtMs: 0,
      },
    };
    const html = await reportHtml(withBooks);
    const verdict = html.indexOf('<section id="verdict">');
    const firstChart = html.indexOf('<canvas');
    const details = html.indexOf('<section id="details">');
    assert.ok(verdict > 0 && verdict < firstChart, 'verdict before the charts');
    assert.ok(details > html.lastIndexOf('<canvas'), 'details after the charts');
    const section = html.slice(details, html.indexOf('</section>', details));
    assert.ok(section.includes('<details><summary>Configuration of the run</summary>'));
    assert.ok(!/[{[]&quot;|\{"/.test(section), 'no raw JSON in the details');
    assert.ok(section.includes('1,234,567.89 yuan'), 'issued fen shown in yuan');
    assert.ok(section.includes('1,234.50 yuan'), 'scenario yuan amounts with their unit');
    assert.ok(section.includes('60 s'), 'durations with their unit');
    assert.ok(section.includes('1970-01-01 00:00 UTC'), 'epoch times as dates');
    assert.ok(!section.includes('123456789'), 'no bare fen');
  });

  test('escapes every piece of text from the result', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const code = '</script><script>alert(2)</script>';
    const hostile: RunResult = {
      ...steady,
      runId: `run-${evil}`,
      scenario: { ...steady.scenario, name: evil, params: { note: `"quoted" & ${evil}` } },
      config: { ...steady.config, backend: evil },
      rejectionsByCode: { ...steady.rejectionsByCode, [code]: 1 },
      timeseries: steady.timeseries.map((s, i) =>
        i === 0 ? { ...s, rejectedByCode: { ...s.rejectedByCode, [code]: 1 } } : s,
      ),
      environment: { ...steady.environment, hostname: evil, packages: { [evil]: evil } },
    };
    const html = await reportHtml(hostile);
    assert.ok(!html.includes(evil), 'raw markup from the result');
    assert.ok(!html.includes('<script>alert'), 'script injection');
    assert.ok(html.includes(escapeHtml(evil)));
    assert.equal(html.match(/<script\b/g)?.length, 3);
    // The configurations survive the escaping intact.
    const configs = inlinedConfigs(html);
    assert.deepEqual(configs, JSON.parse(JSON.stringify(configs)));
    assert.ok(JSON.stringify(configs).includes(code));
  });

  test('escapeHtml and scriptJson', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const json = scriptJson({ s: '</script><!-- \u2028' });
    assert.ok(!json.includes('<'));
    assert.ok(!json.includes('\u2028'));
    assert.deepEqual(JSON.parse(json), { s: '</script><!-- \u2028' });
  });

  test('writeComparisonReport writes compare.html with both overlays', async () => {
    const dir = join(await tempDir(), 'out');
    const file = await writeComparisonReport([steady, nobleResult()], dir);
    assert.equal(basename(file), 'compare.html');
    const html = await readFile(file, 'utf8');
    assert.deepEqual(Object.keys(inlinedConfigs(html)), ['latency-distribution', 'throughput']);
    assert.ok(html.includes(steady.runId));
  });
});

describe('report and compare commands', () => {
  async function runDir(result: RunResult): Promise<string> {
    const dir = await tempDir();
    await writeFile(join(dir, 'result.json'), JSON.stringify(result));
    return dir;
  }

  test('report renders PNGs and report.html next to result.json', async () => {
    const dir = await runDir(steady);
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      assert.equal(await reportCommand.run([dir]), 0);
    } finally {
      console.log = log;
    }
    for (const name of [
      'throughput.png',
      'latency-distribution.png',
      'pool.png',
      'where-the-time-goes.png',
      'resources-cpu.png',
      'report.html',
    ]) {
      await access(join(dir, name));
    }
    // Seven charts (the run has stage times and resources) and the report.
    assert.equal((JSON.parse(logged[0]!) as { files: string[] }).files.length, 8);
  });

  test('unusable input exits 2', async () => {
    const error = console.error;
    console.error = () => {};
    try {
      assert.equal(await reportCommand.run([]), 2);
      const bad = await tempDir();
      await writeFile(join(bad, 'result.json'), '{"schema":"something/else"}');
      assert.equal(await reportCommand.run([bad]), 2);
      assert.equal(await compareCommand.run([bad, bad]), 2); // no --out
      assert.equal(await compareCommand.run(['--out', bad, bad]), 2); // one run
      assert.equal(await compareCommand.run(['--out', bad, bad, bad]), 2); // bad schema
      assert.equal(await reportCommand.run(['--nope']), 2);
    } finally {
      console.error = error;
    }
  });

  test('compare writes the overlays and compare.html', async () => {
    const a = await runDir(steady);
    const b = await runDir(nobleResult());
    const out = join(await tempDir(), 'cmp');
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await compareCommand.run(['--out', out, a, b]), 0);
    } finally {
      console.log = log;
    }
    for (const name of [
      'compare-latency-distribution.png',
      'compare-throughput.png',
      'compare.html',
    ]) {
      await access(join(out, name));
    }
  });
});
