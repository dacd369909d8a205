/**
 * Several engine targets (nodes sharing one ledger): the list is parsed and checked, every lane
 * goes to exactly one target with the lanes spread evenly, genesis reaches every target in
 * dependency order, and the nodes' per-second stats merge into one sample.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  DriverError,
  mergeEngineSamples,
  ownsLane,
  parseTargets,
  resolveLoadRunOptions,
  StatsPoller,
  segmentOf,
  sendGenesis,
  targetOf,
} from '../../load/index.js';
import type { EngineSample } from '../../result-format/index.js';

describe('targets', () => {
  it('parses a list or a comma-separated string into origins, refusing duplicates and non-URLs', () => {
    const errors: string[] = [];
    assert.deepEqual(parseTargets('http://a:1/x, http://b:2', errors), [
      'http://a:1',
      'http://b:2',
    ]);
    assert.deepEqual(parseTargets(['http://a:1'], errors), ['http://a:1']);
    assert.deepEqual(errors, []);
    parseTargets('http://a:1,http://a:1/', errors);
    assert.match(errors.join(';'), /given twice/);
    const bad: string[] = [];
    parseTargets('http://a:1,ftp://b', bad);
    assert.match(bad.join(';'), /http\(s\) URL/);
  });

  it('needs at least one generator process per target over all shards', () => {
    assert.throws(
      () => resolveLoadRunOptions({ target: 'http://a:1,http://b:2,http://c:3', processes: 2 }),
      (e: unknown) => e instanceof DriverError && /3 targets need at least/.test(e.message),
    );
    const ok = resolveLoadRunOptions({
      target: ['http://a:1', 'http://b:2'],
      processes: 1,
      shard: { index: 0, count: 2 },
    });
    assert.deepEqual(ok.targets, ['http://a:1', 'http://b:2']);
    assert.equal(ok.generator.target, 'http://a:1');
  });

  it('sends every lane to one target, and the lanes evenly over the targets', () => {
    const targets = ['A', 'B', 'C'];
    for (const [shards, processes] of [
      [1, 3],
      [1, 6],
      [3, 1],
      [3, 2],
    ] as const) {
      const load = new Map<string, number>();
      for (let lane = 0; lane < 600; lane++) {
        const owners = [];
        for (let i = 0; i < shards; i++)
          for (let p = 0; p < processes; p++) {
            const segment = segmentOf({ index: i, count: shards }, p, processes);
            if (ownsLane(lane, segment)) owners.push(targetOf(segment, targets));
          }
        assert.equal(owners.length, 1, `lane ${lane}: one owner`);
        // With the segments a multiple of the targets, lane L goes to target L mod 3.
        assert.equal(owners[0], targets[lane % 3]);
        load.set(owners[0]!, (load.get(owners[0]!) ?? 0) + 1);
      }
      assert.deepEqual([...load.values()], [200, 200, 200]);
    }
  });

  it("merges the nodes' seconds: queues and CPU added, percentiles the worst node's", () => {
    const a: EngineSample = {
      queueDepth: 3,
      poolWaitP50: 1,
      poolWaitP99: 9,
      verifyP50: 2,
      verifyP99: 4,
      cpuPercent: 80,
      poolWindow: 'second',
    };
    const b: EngineSample = { ...a, queueDepth: 5, poolWaitP99: 3, verifyP50: 7, cpuPercent: 60 };
    assert.deepEqual(mergeEngineSamples([a, undefined, b]), {
      queueDepth: 8,
      poolWaitP50: 1,
      poolWaitP99: 9,
      verifyP50: 7,
      verifyP99: 4,
      cpuPercent: 140,
      poolWindow: 'second',
    });
    assert.equal(mergeEngineSamples([undefined]), undefined);
    assert.deepEqual(mergeEngineSamples([a]), a);
    assert.equal(mergeEngineSamples([a, { ...b, poolWindow: 'lifetime' }])?.poolWindow, 'lifetime');
    const timed = mergeEngineSamples([
      { ...a, stagesMs: { verify: 2, commit: 5 }, engineMs: 9 },
      b,
      { ...b, stagesMs: { verify: 4, commit: 1 }, engineMs: 6 },
    ]);
    assert.deepEqual([timed?.stagesMs, timed?.engineMs], [{ verify: 4, commit: 5 }, 9]);
  });

  it("polls every node: each node's resources on a track of its own, stage means per node", async () => {
    // Two fake nodes whose cumulative counters grow by a node-specific step each poll.
    const servers = await Promise.all(
      [1, 2].map(async (node) => {
        let polls = 0;
        const server = createServer((_req, res) => {
          polls++;
          const n = polls * 10 * node;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              queueDepth: node,
              runtime: {
                eventLoopDelayMs: { p50: 1, p99: 2, max: 3 },
                eventLoopUtilization: 0.5,
                mainThreadBusyMs: 0,
                gc: { count: 0, pauseMs: 0 },
                cpu: { userMs: polls * 100 * node, systemMs: 0 },
                rssBytes: node * 1024 * 1024,
                heapUsedBytes: 0,
                heapTotalBytes: 0,
              },
              timing: {
                stages: { verify: { count: n, seconds: (n * node) / 1000 } },
                settlement: { settled: { count: n, seconds: (n * node) / 1000 } },
              },
            }),
          );
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return server;
      }),
    );
    const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    try {
      // Started half a second into second 0, polled every 500 ms: seconds 0, 1 and 2 are read.
      const poller = new StatsPoller(urls, Date.now() - 500, 500);
      poller.start();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const seconds = await poller.stop();
      assert.equal(poller.engineResources.length, 2);
      const rss = poller.engineResources.map((track) => track.samples().map((s) => s.rssMiB));
      assert.ok(rss[0]!.length > 0 && rss[1]!.length > 0, 'each node has samples');
      assert.ok(rss[0]!.every((m) => m === 1) && rss[1]!.every((m) => m === 2), 'kept apart');
      const later = [...seconds.values()].filter((s) => s.stagesMs !== undefined);
      assert.ok(later.length > 0, 'stage means from the second reading on');
      // Node 1 spends 1 ms a transaction in verify, node 2 2 ms: the worst node's is shown.
      for (const s of later) assert.equal(s.stagesMs!['verify'], 2);
      for (const s of seconds.values()) assert.equal(s.queueDepth, 3);
    } finally {
      for (const s of servers) s.close();
    }
  });
});

/** A fake engine: answers every POST settled, recording the body's `n` and when it came. */
async function fakeEngine(log: { node: number; n: number }[], node: number): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      log.push({ node, n: (JSON.parse(body) as { n: number }).n });
      // Later ops answer sooner: order must come from the dependencies, not from luck.
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"settled","txid":"x"}');
        },
        20 - (log.length % 20),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('genesis over several targets', () => {
  it('sends op i to target i mod count, each after its step and its dependency', async () => {
    const log: { node: number; n: number }[] = [];
    const servers = await Promise.all([fakeEngine(log, 0), fakeEngine(log, 1)]);
    const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    try {
      // Two steps (types): 4 "open" ops, then 6 "exchange" ops each depending on an open.
      const type = [...Array(4).fill('open'), ...Array(6).fill('exchange')] as string[];
      const n = type.length;
      const report = await sendGenesis(
        {
          bodies: Array.from({ length: n }, (_, i) => JSON.stringify({ n: i })),
          expected: Array(n).fill('SETTLED'),
          at: Array(n).fill(0),
          dependsOn: type.map((t, i) => (t === 'exchange' ? i - 4 - (i % 2) : -1)),
          lane: Array(n).fill(0),
          type,
        },
        { target: urls, path: '/v1/tx', concurrency: 8, maxRetries: 0 },
      );
      assert.equal(report.ops, n);
      assert.equal(report.steps, 2);
      for (const { node, n: i } of log) assert.equal(node, i % 2, `op ${i} went to node ${node}`);
      const order = log.map((e) => e.n);
      // Every open before any exchange (a step waits for the previous one).
      assert.ok(Math.max(...order.slice(0, 4)) < 4 && order.slice(4).every((i) => i >= 4));
    } finally {
      for (const s of servers) s.close();
    }
  });
});
