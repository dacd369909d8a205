import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LoadRun, runLoad } from '../../load/index.js';
import {
  buildRunResult,
  decodeHistogram,
  MergeError,
  mergeResults,
  type RunHistograms,
  readResults,
  writeResults,
} from '../../result-format/index.js';
import type { Workload } from '../../scenarios/workload/index.js';
import { type Stub, tableServer } from '../load/helpers/stub-server.js';
import { syntheticWorkload } from '../load/helpers/workload.js';

function histogramTotals(h: RunHistograms): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const interval of h.intervals) {
    for (const [kind, encoded] of Object.entries(interval.histograms)) {
      totals[kind] = (totals[kind] ?? 0) + decodeHistogram(encoded).totalCount;
    }
  }
  return totals;
}

async function save(dir: string, workload: Workload, run: LoadRun): Promise<void> {
  const result = buildRunResult({
    kind: 'run',
    meta: workload.meta,
    config: { ...run.config, sloMs: 50 },
    measured: run.measured,
  });
  await writeResults(dir, result, run.histograms);
}

describe('merging shard runs', () => {
  let stub: Stub;
  let root: string;
  const workload = syntheticWorkload({
    ops: 600,
    rate: 600,
    lanes: 12,
    dependsOn: (i) => (i >= 12 && i % 5 === 0 ? i - 12 : -1),
    expected: (i) => (i % 7 === 0 ? 'NOT_OWNER' : i % 11 === 0 ? 'TIER_LIMIT' : 'SETTLED'),
  });
  const common = { connections: 4, statsIntervalMs: 0, sendGenesis: false } as const;

  before(async () => {
    stub = await tableServer();
    root = await mkdtemp(join(tmpdir(), 'driver-merge-'));
  });
  after(async () => {
    await stub.close();
    await rm(root, { recursive: true, force: true });
  });

  it('gives the same counts and histogram totals as one run of the whole workload', async () => {
    const whole = await runLoad(workload, { ...common, target: stub.url, processes: 2 });
    await save(join(root, 'whole'), workload, whole);

    // two hosts' worth of shards, one process each, started together at one agreed time
    const startAt = Date.now() + 8000;
    const shards = await Promise.all(
      [0, 1].map((index) =>
        runLoad(workload, { ...common, target: stub.url, shard: { index, count: 2 }, startAt }),
      ),
    );
    await save(join(root, 'shard0'), workload, shards[0]!);
    await save(join(root, 'shard1'), workload, shards[1]!);
    assert.equal(shards[0]!.startAtMs, shards[1]!.startAtMs);
    assert.ok(shards[0]!.measured.totals.planned > 0 && shards[1]!.measured.totals.planned > 0);

    const merged = await mergeResults(
      [join(root, 'shard0'), join(root, 'shard1')],
      join(root, 'merged'),
    );
    const w = whole.measured.totals;
    const m = merged.totals;
    for (const key of [
      'planned',
      'sent',
      'dropped',
      'settled',
      'rejected',
      'errors',
      'matched',
      'mismatched',
      'lost',
    ] as const) {
      assert.equal(m[key], w[key], key);
    }
    assert.deepEqual(merged.rejectionsByCode, whole.measured.rejectionsByCode);
    assert.equal(merged.outcome.passed, true);
    assert.equal(merged.latency.corrected.count, whole.measured.latency.corrected.count);
    assert.equal(
      merged.timeseries.reduce((a, s) => a + s.offered, 0),
      whole.measured.timeseries.reduce((a, s) => a + s.offered, 0),
    );

    const back = await readResults(join(root, 'merged'));
    const mergedTotals = histogramTotals(back.histograms);
    assert.deepEqual(
      {
        corrected: mergedTotals['corrected'],
        uncorrected: mergedTotals['uncorrected'],
        sendLag: mergedTotals['sendLag'],
      },
      { corrected: 600, uncorrected: 600, sendLag: 600 },
    );
    // exact: every histogram of the merge holds the sum of the shards' samples
    const shardTotals = shards.map((s) => histogramTotals(s.histograms));
    for (const kind of Object.keys(mergedTotals)) {
      assert.equal(
        mergedTotals[kind],
        (shardTotals[0]![kind] ?? 0) + (shardTotals[1]![kind] ?? 0),
        kind,
      );
    }
    // one sample per answered op, as in the single run (dependency waits depend on timing)
    const wholeTotals = histogramTotals(whole.histograms);
    for (const kind of ['corrected', 'uncorrected', 'sendLag']) {
      assert.equal(mergedTotals[kind], wholeTotals[kind], kind);
    }
    // the merged overall max is the larger of the shards' maxima: exact, not averaged
    const maxOfShards = Math.max(...shards.map((s) => s.measured.latency.corrected.max));
    assert.equal(merged.latency.corrected.max, maxOfShards);
    assert.equal(merged.generator?.processes, 2);
  });

  it('refuses to merge runs of different seeds, or one shard twice', async () => {
    const other = syntheticWorkload({ ops: 60, rate: 600, seed: 'another-seed' });
    const run = await runLoad(other, { ...common, target: stub.url });
    await save(join(root, 'other'), other, run);
    await assert.rejects(
      mergeResults([join(root, 'shard0'), join(root, 'other')], join(root, 'bad')),
      (e: unknown) => {
        assert.ok(e instanceof MergeError);
        assert.match(e.message, /seed another-seed, not seed-1/);
        return true;
      },
    );
    await assert.rejects(
      mergeResults([join(root, 'shard0'), join(root, 'shard0')], join(root, 'bad2')),
      /shard 0\/2 already merged/,
    );
  });

  it('counts offline answers per shard and measures the backlog only over every shard', async () => {
    const offline = syntheticWorkload({
      ops: 300,
      rate: 300,
      lanes: 12,
      offline: (i) => i % 2 === 0,
      seed: 'offline-seed',
    });
    const startAt = Date.now() + 8000;
    const shards = await Promise.all(
      [0, 1].map((index) =>
        runLoad(offline, { ...common, target: stub.url, shard: { index, count: 2 }, startAt }),
      ),
    );
    for (const [i, shard] of shards.entries()) {
      await save(join(root, `offline${i}`), offline, shard);
      // a shard answers only its share: it records synced, never a backlog of its own
      assert.ok(shard.measured.timeseries.every((s) => s.backlog === undefined));
      assert.ok(shard.measured.timeseries.every((s) => s.synced !== undefined));
    }
    const synced = shards.flatMap((r) => r.measured.timeseries).reduce((a, s) => a + s.synced!, 0);
    assert.equal(synced, 150);
    const half = await mergeResults([join(root, 'offline0')], join(root, 'offline-half'));
    assert.ok(half.timeseries.every((s) => s.backlog === undefined));

    const merged = await mergeResults(
      [join(root, 'offline0'), join(root, 'offline1')],
      join(root, 'offline-merged'),
    );
    let answered = 0;
    for (const s of merged.timeseries) {
      answered += s.synced ?? 0;
      assert.equal(s.backlog, 150 - answered, `second ${s.t}`);
    }
    assert.equal(answered, 150);
    assert.equal(merged.timeseries.at(-1)!.backlog, 0);
  });
});
