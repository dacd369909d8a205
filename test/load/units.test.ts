import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkWorkload,
  classifyAnswer,
  DriverError,
  engineSample,
  ownsLane,
  parseRetryAfter,
  parseShard,
  parseStartAt,
  readWorkloadFile,
  resolveLoadRunOptions,
  segmentOf,
  writeWorkloadFile,
} from '../../load/index.js';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  formatHlog,
  makeRunId,
  parseHlog,
  percentiles,
  recordMicros,
  SecondsAccumulator,
} from '../../result-format/index.js';
import { syntheticWorkload } from './helpers/workload.js';

describe('segments and shards', () => {
  it('every lane has exactly one owner across shards x processes', () => {
    const shards = 3;
    const processes = 2;
    for (let lane = 0; lane < 100; lane++) {
      let owners = 0;
      for (let s = 0; s < shards; s++) {
        for (let p = 0; p < processes; p++) {
          if (ownsLane(lane, segmentOf({ index: s, count: shards }, p, processes))) owners++;
        }
      }
      assert.equal(owners, 1, `lane ${lane}`);
    }
  });

  it('parses --shard and --start-at', () => {
    assert.deepEqual(parseShard('1/4'), { index: 1, count: 4 });
    assert.throws(() => parseShard('4/4'), DriverError);
    assert.equal(parseStartAt('1700000000000'), 1_700_000_000_000);
    assert.equal(parseStartAt('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
    assert.equal(parseStartAt('+5', 1000), 6000);
    assert.throws(() => parseStartAt('soon'), /--start-at/);
  });
});

describe('answers', () => {
  it('maps the wire answers of docs/api.md', () => {
    assert.deepEqual(classifyAnswer(200, '', undefined), { kind: 'settled' });
    assert.deepEqual(
      classifyAnswer(422, '{"status":"rejected","code":"ALREADY_SPENT"}', undefined),
      {
        kind: 'rejected',
        code: 'ALREADY_SPENT',
      },
    );
    assert.deepEqual(classifyAnswer(400, '{"code":"MALFORMED"}', undefined), {
      kind: 'rejected',
      code: 'MALFORMED',
    });
    assert.deepEqual(classifyAnswer(503, '{"code":"OVERLOADED"}', '2'), {
      kind: 'overloaded',
      retryAfterMs: 2000,
    });
    assert.deepEqual(classifyAnswer(503, '{"code":"UNAVAILABLE"}', undefined), {
      kind: 'error',
      got: 'HTTP 503 UNAVAILABLE',
    });
    assert.deepEqual(classifyAnswer(500, 'oops', undefined), { kind: 'error', got: 'HTTP 500' });
  });

  it('reads Retry-After as seconds or a date, capped', () => {
    assert.equal(parseRetryAfter('0.25'), 250);
    assert.equal(parseRetryAfter(undefined), 1000);
    assert.equal(parseRetryAfter('3600'), 30_000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 8000), 2000);
  });

  it("reads engine stats by the engine's contract, and tolerates none", () => {
    assert.deepEqual(
      engineSample({
        queueDepth: 3,
        pool: { wait: { p50: 1, p99: 2 }, verify: { p50: 3, p99: 4 } },
        cpu: { percentSinceLast: 55 },
      }),
      {
        queueDepth: 3,
        poolWaitP50: 1,
        poolWaitP99: 2,
        verifyP50: 3,
        verifyP99: 4,
        cpuPercent: 55,
        poolWindow: 'lifetime',
      },
    );
    assert.equal(engineSample({ hello: 'world' }), undefined);
    // partial or mistyped figures count 0; the old flat aliases are not the contract
    assert.deepEqual(engineSample({ queueDepth: 2, pool: { wait: 'x' }, cpu: null }), {
      queueDepth: 2,
      poolWaitP50: 0,
      poolWaitP99: 0,
      verifyP50: 0,
      verifyP99: 0,
      cpuPercent: 0,
      poolWindow: 'lifetime',
    });
    assert.equal(engineSample({ poolWaitP50: 1, cpuPercent: 5 }), undefined);
  });

  it("prefers the engine's last-second pool percentiles to its lifetime ones, and says so", () => {
    assert.deepEqual(
      engineSample({
        queueDepth: 3,
        pool: { wait: { p50: 1, p99: 2 }, verify: { p50: 3, p99: 4 } },
        poolLastSecond: { wait: { p50: 10, p99: 20 }, verify: { p50: 30, p99: 40 } },
        cpu: { percentSinceLast: 55 },
      }),
      {
        queueDepth: 3,
        poolWaitP50: 10,
        poolWaitP99: 20,
        verifyP50: 30,
        verifyP99: 40,
        cpuPercent: 55,
        poolWindow: 'second',
      },
    );
  });
});

describe('options and workload checks', () => {
  it('reports every bad option at once, each by name', () => {
    assert.throws(
      () =>
        resolveLoadRunOptions({ target: 'ftp://x', connections: 0, pipelining: 1.5, maxLagMs: -1 }),
      (e: unknown) => {
        assert.ok(e instanceof DriverError);
        assert.equal(e.code, 'DRIVER_BAD_OPTIONS');
        for (const name of ['target', 'connections', 'pipelining', 'maxLagMs'])
          assert.match(e.message, new RegExp(name));
        return true;
      },
    );
    const ok = resolveLoadRunOptions({
      target: 'http://h:1/x',
      connections: 4,
      pipelining: 2,
      maxLagMs: Infinity,
    });
    assert.equal(ok.generator.maxInFlight, 8);
    assert.equal(ok.generator.maxLagMs, null);
    assert.equal(ok.generator.target, 'http://h:1');
    assert.equal(ok.sendGenesis, true);
    assert.equal(
      resolveLoadRunOptions({ target: 'http://h', shard: { index: 1, count: 2 } }).sendGenesis,
      false,
    );
  });

  it('takes the HTTP client by name: lean by default, undici on request, nothing else', () => {
    assert.equal(resolveLoadRunOptions({ target: 'http://h' }).generator.client, 'lean');
    assert.equal(
      resolveLoadRunOptions({ target: 'http://h', client: 'undici' }).generator.client,
      'undici',
    );
    assert.throws(
      () => resolveLoadRunOptions({ target: 'http://h', client: 'curl' as 'lean' }),
      (e: unknown) => {
        assert.ok(e instanceof DriverError);
        assert.equal(e.code, 'DRIVER_BAD_OPTIONS');
        assert.match(e.message, /client must be one of lean, undici, got "curl"/);
        return true;
      },
    );
  });

  it('reads the workload cache format and plain JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'driver-wl-'));
    try {
      const w = syntheticWorkload({ ops: 20, rate: 10, genesis: 2 });
      await writeWorkloadFile(join(dir, 'a.workload'), w);
      await writeFile(join(dir, 'b.json'), JSON.stringify(w));
      for (const name of ['a.workload', 'b.json']) {
        const back = await readWorkloadFile(join(dir, name));
        assert.deepEqual([...back.ops.bodies], w.ops.bodies);
        assert.deepEqual([...back.genesis.expected], w.genesis.expected);
        assert.deepEqual(back.meta, w.meta);
      }
      await writeFile(join(dir, 'c.json'), '{"meta":{}}');
      await assert.rejects(readWorkloadFile(join(dir, 'c.json')), { code: 'DRIVER_BAD_WORKLOAD' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a dependency across lanes or forward in time', () => {
    const w = syntheticWorkload({
      ops: 10,
      rate: 10,
      lanes: 2,
      dependsOn: (i) => (i === 5 ? 4 : -1),
    });
    assert.match(checkWorkload(w).join(), /another lane/);
    const fwd = syntheticWorkload({ ops: 10, rate: 10, dependsOn: (i) => (i === 5 ? 7 : -1) });
    assert.match(checkWorkload(fwd).join(), /earlier index/);
  });
});

describe('results pieces', () => {
  it('run ids are time-sortable and name the scenario', () => {
    const id = makeRunId({
      startedAt: new Date('2026-11-23T11:05:00.123Z'),
      scenario: 'xiongan-retail',
      scale: 'small',
      salt: 's',
    });
    assert.match(id, /^2026-11-23T11-05-00Z-xiongan-retail-small-[0-9a-f]{7}$/);
  });

  it('the accumulator adds histograms exactly, whatever order and sealing', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMicros(i % 2 === 0 ? a : b, i * 37);
    // HDR encoding keeps bucket counts, not the exact max: compare like with like
    const all = createHistogram();
    all.add(decodeHistogram(encodeHistogram(a)));
    all.add(decodeHistogram(encodeHistogram(b)));
    const acc = new SecondsAccumulator();
    acc.addHistogram(0, 'corrected', encodeHistogram(a));
    acc.seal(1); // a sealed second still accepts late data exactly
    acc.addHistogram(0, 'corrected', b);
    const done = acc.finish(0);
    assert.deepEqual(done.seconds[0]!.latency, percentiles(all));
    assert.deepEqual(percentiles(done.overall.corrected), percentiles(all));
  });

  it('latency.hlog round-trips every interval and tag', () => {
    const h = createHistogram();
    recordMicros(h, 1234);
    recordMicros(h, 99_000);
    const e = encodeHistogram(h);
    const empty = encodeHistogram(createHistogram());
    const run = {
      startAtMs: 1_790_000_000_250,
      intervals: [
        {
          t: 0,
          histograms: { corrected: e, uncorrected: e, sendLag: empty, dependencyWait: empty },
        },
        { t: 1, histograms: { corrected: empty, uncorrected: e, sendLag: e, dependencyWait: e } },
      ],
    };
    const text = formatHlog(run);
    assert.match(text, /^#\[StartTime: 1790000000\.250 /m);
    assert.match(text, /^#\[BaseTime: 1790000000\.250 /m);
    assert.match(text, /^Tag=corrected,0\.000,1\.000,99\.\d+,HIST/m);
    const back = parseHlog(text);
    assert.equal(back.startAtMs, run.startAtMs);
    assert.equal(back.intervals.length, 2);
    assert.equal(decodeHistogram(back.intervals[1]!.histograms.sendLag).totalCount, 2);
    assert.equal(decodeHistogram(back.intervals[1]!.histograms.corrected).totalCount, 0);
    assert.deepEqual(
      percentiles(decodeHistogram(back.intervals[0]!.histograms.corrected)),
      percentiles(decodeHistogram(e)),
    );
  });
});
