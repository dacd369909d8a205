import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HistogramLogReader } from 'hdr-histogram-js';
import { CLIENTS, runLoad } from '../../load/index.js';
import { buildRunResult, readResults, writeResults } from '../../result-format/index.js';
import { type Stub, tableServer } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

for (const client of CLIENTS) {
  describe(`runLoad against a real server (${client} client)`, () => {
    let stub: Stub;
    let dir: string;
    before(async () => {
      stub = await tableServer();
      dir = await mkdtemp(join(tmpdir(), `driver-run-${client}-`));
    });
    after(async () => {
      await stub.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('sends every op once, checks every answer and writes readable results', async () => {
      const workload = syntheticWorkload({
        ops: 1200,
        rate: 400,
        genesis: 6,
        expected: (i) => (i % 10 === 3 ? 'ALREADY_SPENT' : 'SETTLED'),
      });
      const progress: number[] = [];
      const run = await runLoad(workload, {
        target: stub.url,
        client,
        processes: 2,
        connections: 4,
        statsIntervalMs: 0,
        onProgress: (p) => progress.push(p.t),
      });
      // progress comes second by second, in order (how many depends on timing)
      assert.deepEqual(
        progress,
        progress.map((_, i) => i),
      );
      const m = run.measured;
      assert.equal(m.outcome.passed, true, JSON.stringify(m.outcome));
      assert.equal(m.totals.planned, 1200);
      assert.equal(m.totals.sent, 1200);
      assert.equal(m.totals.matched, 1200);
      assert.equal(m.totals.settled, 1080);
      assert.equal(m.totals.rejected, 120);
      assert.deepEqual(m.rejectionsByCode, { ALREADY_SPENT: 120 });
      assert.equal(m.totals.dropped, 0);
      assert.equal(m.totals.lost, 0);
      assert.equal(m.latency.corrected.count, 1200);
      assert.equal(m.latency.uncorrected.count, 1200);
      assert.equal(m.latency.sendLag?.count, 1200);
      assert.equal(run.genesis?.ops, 6);
      assert.equal(run.genesis?.steps, 2);
      // genesis first, then exactly the measured ops, each once
      assert.equal(stub.received.length, 1206);
      assert.deepEqual(
        stub.received.slice(0, 6).map((b) => b.id),
        ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'],
      );
      assert.equal(new Set(stub.received.slice(6).map((b) => b.id)).size, 1200);
      const perSecond = m.timeseries.reduce((a, s) => a + s.offered, 0);
      assert.equal(perSecond, 1200);
      assert.equal(
        m.timeseries.reduce((a, s) => a + s.latency.count, 0),
        1200,
      );
      assert.equal(m.generator?.processes, 2);
      assert.equal(run.config['client'], client);

      const result = buildRunResult({
        kind: 'run',
        meta: workload.meta,
        config: { ...run.config, sloMs: 100 },
        measured: m,
      });
      assert.match(result.runId, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-synthetic-test-[0-9a-f]{7}$/);
      const paths = await writeResults(dir, result, run.histograms);
      const back = await readResults(dir);
      assert.deepEqual(back.result, JSON.parse(JSON.stringify(result)));
      assert.equal(back.timeseries.length, m.timeseries.length);
      assert.equal(back.histograms.startAtMs, run.startAtMs);
      assert.equal(back.histograms.intervals.length, run.histograms.intervals.length);

      // the interval log is readable by HdrHistogram's reader, tagged, per second
      const reader = new HistogramLogReader(await readFile(paths.hlog, 'utf8'));
      let corrected = 0;
      let tags = new Set<string>();
      for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
        tags.add(h.tag);
        if (h.tag === 'corrected') corrected += h.totalCount;
      }
      tags = new Set([...tags].sort());
      assert.deepEqual([...tags], ['corrected', 'dependencyWait', 'sendLag', 'uncorrected']);
      assert.equal(corrected, 1200);
    });

    it('counts answers to offline payments and measures the backlog draining', async () => {
      // 600 ops at 300/s: every third one was made offline in second 0 and syncs at its send time.
      const workload = syntheticWorkload({
        ops: 600,
        rate: 300,
        offline: (i) => i % 3 === 0,
        expected: (i) => (i % 6 === 3 ? 'ALREADY_SPENT' : 'SETTLED'),
      });
      const run = await runLoad(workload, {
        target: stub.url,
        client,
        processes: 2,
        connections: 4,
        statsIntervalMs: 0,
      });
      const series = run.measured.timeseries;
      assert.equal(run.measured.outcome.passed, true, JSON.stringify(run.measured.outcome));
      // every answer to an offline payment is counted once, settled or rejected
      assert.equal(
        series.reduce((a, s) => a + (s.synced ?? 0), 0),
        200,
      );
      // backlog = made so far (all 200 in second 0) - answered so far, every second
      let answered = 0;
      for (const s of series) {
        answered += s.synced ?? 0;
        assert.equal(s.backlog, 200 - answered, `second ${s.t}`);
      }
      assert.equal(series.at(-1)!.backlog, 0);
      assert.ok(series[0]!.backlog! > 0, 'the first second ends with payments still to sync');
    });

    it('reports no backlog for a workload without offline payments', async () => {
      const run = await runLoad(syntheticWorkload({ ops: 100, rate: 200 }), {
        target: stub.url,
        client,
        processes: 1,
        connections: 2,
        statsIntervalMs: 0,
      });
      assert.ok(
        run.measured.timeseries.every((s) => s.backlog === undefined && s.synced === undefined),
      );
    });
  });
}
