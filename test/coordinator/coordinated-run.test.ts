/**
 * A coordinated run on loopback, in one process: a coordinator, three shards each driving its
 * lanes of a synthetic workload at a stub engine, released by the barrier and collected. The
 * merged result is the exact merge of the shards, and equals one host's run in every count.
 * Then what a stray or a failing shard can and cannot do.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../coordinator/auth.js';
import {
  type CoordinatorOptions,
  RunKey,
  ShardSession,
  startCoordinator,
} from '../../coordinator/index.js';
import { type LoadRun, runLoad } from '../../load/index.js';
import {
  buildRunResult,
  mergeResults,
  type RunResult,
  readResults,
  writeResults,
} from '../../result-format/index.js';
import type { Workload } from '../../scenarios/workload/index.js';
import { type Stub, tableServer } from '../load/helpers/stub-server.js';
import { syntheticWorkload } from '../load/helpers/workload.js';

const KEY = new RunKey('t'.repeat(48));
const WORKLOAD = syntheticWorkload({
  ops: 480,
  rate: 320,
  lanes: 8,
  genesis: 4,
  expected: (i) => (i % 8 === 5 ? 'ALREADY_SPENT' : 'SETTLED'),
});

let stub: Stub;
let out: string;
before(async () => {
  stub = await tableServer();
  out = await mkdtemp(join(tmpdir(), 'ecny-coordinated-'));
});
after(async () => {
  await stub.close();
  await rm(out, { recursive: true, force: true });
});

function coordinator(over: Partial<CoordinatorOptions> = {}) {
  return startCoordinator({
    shards: 3,
    key: KEY,
    outDir: join(out, randomBytes(4).toString('hex')),
    host: '127.0.0.1',
    port: 0,
    leadMs: 1_000,
    pollMs: 50,
    beatMs: 200,
    shardTimeoutMs: 2_000,
    charts: false,
    ...over,
  });
}

/** One shard: join, drive its lanes (start from the barrier), write its results, upload them. */
async function shard(url: string, index: number, count: number, workload: Workload = WORKLOAD) {
  const session = await ShardSession.open({ url, key: KEY, shard: { index, count } });
  try {
    const load = await runLoad(workload, {
      target: stub.url,
      shard: session.shard,
      startGate: session.startGate,
      processes: 1,
      connections: 2,
      statsIntervalMs: 0,
      warmup: false,
      // late sends wait instead of being dropped: the counts are exact on a starved machine too
      maxLagMs: Number.POSITIVE_INFINITY,
    });
    const dir = join(out, `shard-${session.info.run.slice(0, 6)}-${index}`);
    const result = resultOf(workload, load);
    await writeResults(dir, result, load.histograms);
    await session.upload(dir);
    return { load, dir, result };
  } catch (error) {
    await session.fail(error);
    throw error;
  } finally {
    session.close();
  }
}

function resultOf(workload: Workload, load: LoadRun): RunResult {
  return buildRunResult({
    kind: 'run',
    meta: workload.meta,
    config: { ...load.config, sloMs: 50 },
    measured: load.measured,
  });
}

describe('a coordinated run on loopback', () => {
  it('releases every shard together, collects and merges them exactly as merge does', async () => {
    const c = await coordinator();
    try {
      // shard 2 joins a second after the others: the barrier holds them until it is ready
      const shards = Promise.all([
        shard(c.url, 0, 3),
        shard(c.url, 1, 3),
        new Promise((r) => setTimeout(r, 1_000)).then(() => shard(c.url, 2, 3)),
      ]);
      const [report, parts] = await Promise.all([c.finished, shards]);
      const starts = parts.map((p) => p.load.startAtMs);
      const coordinated = report.result.coordinated!;
      // One clock here: the spread of the starts is measured, and within the barrier's own bound.
      const spread = Math.max(...starts) - Math.min(...starts);
      assert.ok(
        spread <= coordinated.startSpreadBoundMs,
        `spread ${spread} ms > bound ${coordinated.startSpreadBoundMs} ms`,
      );
      assert.equal(coordinated.shards.length, 3);
      for (const [i, s] of coordinated.shards.entries()) {
        assert.equal(s.shard, `${i}/3`);
        assert.equal(s.startAtMs, Math.round(starts[i]! * 1000) / 1000);
        assert.ok(s.startRttMs <= 50, `shard ${i} placed by a ${s.startRttMs} ms exchange`);
        assert.ok(s.noticedMs < coordinated.leadMs, `shard ${i} heard the release too late`);
        assert.ok(s.uploadBytes > 0);
      }

      // The merged run is merge's merge of the uploaded shard folders...
      const again = await mergeResults(
        [0, 1, 2].map((i) => join(report.dir, 'shards', `shard-${i}`)),
        join(out, 'again'),
      );
      assert.deepEqual(report.result.totals, again.totals);
      assert.deepEqual(report.result.latency, again.latency);
      assert.deepEqual(report.result.timeseries, again.timeseries);
      assert.equal(report.result.config['shard'], null);
      assert.deepEqual(
        (report.result.config['mergedFrom'] as Array<{ shard: string }>).map((m) => m.shard),
        ['0/3', '1/3', '2/3'],
      );
      // ...of exactly the files each shard wrote
      for (const [i, p] of parts.entries())
        for (const name of ['result.json', 'latency.hlog', 'timeseries.csv'])
          assert.equal(
            await readFile(join(report.dir, 'shards', `shard-${i}`, name), 'utf8'),
            await readFile(join(p.dir, name), 'utf8'),
          );
      // ...and counts what one host counts for the whole workload.
      const whole = await runLoad(WORKLOAD, {
        target: stub.url,
        processes: 1,
        connections: 2,
        statsIntervalMs: 0,
        warmup: false,
        maxLagMs: Number.POSITIVE_INFINITY,
      });
      const t = report.result.totals;
      const w = whole.measured.totals;
      for (const k of [
        'planned',
        'sent',
        'settled',
        'rejected',
        'matched',
        'mismatched',
        'lost',
      ] as const)
        assert.equal(t[k], w[k], k);
      assert.equal(t.planned, 480);
      assert.equal(t.rejected, 60);
      assert.deepEqual(report.result.rejectionsByCode, whole.measured.rejectionsByCode);
      assert.equal(report.result.outcome.passed, true);
      assert.equal(report.verdict, 'pass');
      // The merged folder is where the report says, with the shards' files beside it.
      assert.deepEqual((await readdir(join(report.dir, 'shards'))).sort(), [
        'shard-0',
        'shard-1',
        'shard-2',
      ]);
      assert.equal(existsSync(c.staging), false, 'the staging folder is gone');
      const onDisk = (await readResults(report.dir)).result;
      assert.deepEqual(onDisk.coordinated, JSON.parse(JSON.stringify(coordinated)));
    } finally {
      await c.close();
    }
  });

  it('a shard lost before the release fails the run, and every other shard hears why', async () => {
    const c = await coordinator({ shards: 2 });
    try {
      const lost = await ShardSession.open({ url: c.url, key: KEY, shard: { index: 1, count: 2 } });
      // It joins, then dies: no failure report, no more beats.
      lost.close();
      const survivor = shard(c.url, 0, 2);
      await assert.rejects(c.finished, {
        code: 'COORDINATOR_RUN_FAILED',
        message: /^shard 1 on .+ went silent while getting ready: nothing heard for 2\.\d s/,
      });
      await assert.rejects(survivor, {
        code: 'COORDINATOR_RUN_FAILED',
        message: /^the run was called off: shard 1 on .+ went silent/,
      });
      await c.close();
      // nothing merged; what there was is kept with the reason
      assert.match(await readFile(join(c.staging, 'FAILED'), 'utf8'), /shard 1 .* went silent/);
    } finally {
      await c.close();
    }
  });

  it('a shard that cannot start reports it, and the run fails at once with its reason', async () => {
    const c = await coordinator({ shards: 2, shardTimeoutMs: 60_000 });
    try {
      const waiting = shard(c.url, 0, 2);
      const broken = await ShardSession.open({
        url: c.url,
        key: KEY,
        shard: { index: 1, count: 2 },
      });
      await broken.fail(new Error('the engine at http://engine:8080 did not answer'));
      broken.close();
      await assert.rejects(c.finished, {
        message:
          /^shard 1 on .+ failed: the engine at http:\/\/engine:8080 did not answer \(UNEXPECTED\)$/,
      });
      await assert.rejects(waiting, { code: 'COORDINATOR_RUN_FAILED' });
    } finally {
      await c.close();
    }
  });
});

describe('what a stray cannot do', () => {
  interface Signer {
    readonly key: RunKey;
    readonly run: string;
    readonly session: string;
  }
  /** A raw request to the coordinator, signed by `sign` (or unsigned); chunked: no length. */
  function raw(
    url: string,
    method: string,
    path: string,
    body: string,
    sign: Signer | null,
    options: { chunked?: boolean; signedBody?: string } = {},
  ): Promise<{ status: number; text: string }> {
    const requestId = randomBytes(16).toString('hex');
    const sha = createHash('sha256')
      .update(options.signedBody ?? body)
      .digest('hex');
    const headers: Record<string, string> = {
      'x-ecny-request': requestId,
      'x-ecny-content-sha256': sha,
    };
    if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    if (sign !== null) {
      headers['x-ecny-run'] = sign.run;
      headers['x-ecny-session'] = sign.session;
      headers['authorization'] = signRequest(sign.key, {
        method,
        path,
        run: sign.run,
        session: sign.session,
        request: requestId,
        contentSha256: sha,
      });
    }
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (d) => {
          text += String(d);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      // The coordinator may answer and close before reading a refused body.
      req.once('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      if (options.chunked) {
        // in pieces, so the bound is met while streaming, not from a declared length
        for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
        req.end();
      } else req.end(body);
    });
  }

  it('is refused before anything is stored: unsigned, another token, another run, another session', async () => {
    const c = await coordinator({ shards: 1 });
    const session = await ShardSession.open({
      url: c.url,
      key: KEY,
      shard: { index: 0, count: 1 },
    });
    try {
      const path = '/v1/shards/0/files/result.json';
      const payload = '{"schema":"ecny-bench/result/v1"}';
      const intruder: Signer = { key: KEY, run: c.run, session: 'ab'.repeat(16) };
      assert.equal((await raw(c.url, 'PUT', path, payload, null)).status, 401);
      const otherToken = { ...intruder, key: new RunKey('x'.repeat(40)) };
      assert.equal((await raw(c.url, 'PUT', path, payload, otherToken)).status, 401);
      const otherRun = await raw(c.url, 'PUT', path, payload, {
        ...intruder,
        run: 'cd'.repeat(16),
      });
      assert.equal(otherRun.status, 409);
      assert.match(otherRun.text, /WRONG_RUN/);
      // signed and of this run, but not the session that holds shard 0
      const otherSession = await raw(c.url, 'PUT', path, payload, intruder);
      assert.equal(otherSession.status, 409);
      assert.match(otherSession.text, /SHARD_TAKEN/);
      const claim = await raw(
        c.url,
        'POST',
        '/v1/shards/0/join',
        '{"count":1,"host":"x"}',
        intruder,
      );
      assert.equal(claim.status, 409);
      assert.match(claim.text, /SHARD_TAKEN/);
      assert.deepEqual(await readdir(c.staging), [], 'nothing reached the staging folder');
      assert.equal(c.barrier.state, 'gathering');
    } finally {
      session.close();
      await c.close();
    }
  });

  it("the shard's own uploads are refused when altered on the way, too large, or before the start", async () => {
    const c = await coordinator({ shards: 1, maxUploadBytes: 16 * 1024 });
    const session = await ShardSession.open({
      url: c.url,
      key: KEY,
      shard: { index: 0, count: 1 },
    });
    try {
      const genuine: Signer = { key: KEY, run: c.run, session: session.id };
      const path = '/v1/shards/0/files/latency.hlog';
      const early = await raw(c.url, 'PUT', path, 'x', genuine);
      assert.equal(early.status, 409);
      assert.match(early.text, /NOT_STARTED/);
      await session.startGate({
        workload: WORKLOAD.meta,
        planned: 1,
        genesisTotal: 0,
        genesisOps: 0,
        durationMs: 1_000,
      });
      const altered = await raw(c.url, 'PUT', path, 'tampered', genuine, {
        signedBody: 'original',
      });
      assert.equal(altered.status, 400);
      assert.match(altered.text, /DIGEST_MISMATCH/);
      const big = 'y'.repeat(20 * 1024);
      const declared = await raw(c.url, 'PUT', path, big, genuine);
      assert.equal(declared.status, 413);
      const streamed = await raw(c.url, 'PUT', path, big, genuine, { chunked: true });
      assert.equal(streamed.status, 413);
      assert.match(streamed.text, /TOO_LARGE.*at most 16 KiB/);
      // none of it was kept, not even a partial file
      assert.deepEqual(await readdir(join(c.staging, 'shard-0')), []);
      const notUploaded = await raw(c.url, 'POST', '/v1/shards/0/done', '{"files":{}}', genuine);
      assert.equal(notUploaded.status, 400);
      assert.match(notUploaded.text, /MISSING_FILE/);
      assert.equal(c.barrier.state, 'released');
    } finally {
      session.close();
      await c.close();
    }
  });

  it("another shard's results, uploaded as its own, are refused and fail the run, never merged", async () => {
    const c = await coordinator({ shards: 2 });
    try {
      const runs = Promise.allSettled([shard(c.url, 0, 2), stray(c.url)]);
      await assert.rejects(c.finished, {
        message:
          /^shard 1 on .+ failed: the coordinator refused the results: the result of shard 0\/2, not 1\/2 \(NOT_THIS_RUN\)/,
      });
      const [first, second] = await runs;
      assert.equal(second.status, 'rejected');
      // shard 0 uploaded, or was told the run failed: either way nothing was merged
      assert.ok(first.status === 'fulfilled' || /called off/.test(String(first.reason)));
      assert.deepEqual(
        (await readdir(join(c.staging, '..'))).filter((n) => !n.startsWith('coordinator-')),
        [],
        'no merged run was written',
      );
    } finally {
      await c.close();
    }

    /** Shard 1 with a real session, which uploads a result that says it is shard 0's. */
    async function stray(url: string) {
      const session = await ShardSession.open({ url, key: KEY, shard: { index: 1, count: 2 } });
      try {
        const load = await runLoad(WORKLOAD, {
          target: stub.url,
          shard: session.shard,
          startGate: session.startGate,
          processes: 1,
          connections: 2,
          statsIntervalMs: 0,
          warmup: false,
          maxLagMs: Number.POSITIVE_INFINITY,
        });
        const dir = join(out, `stray-${session.info.run.slice(0, 6)}`);
        const result = resultOf(WORKLOAD, load);
        const forged = { ...result, config: { ...result.config, shard: '0/2' } };
        await writeResults(dir, forged, load.histograms);
        await session.upload(dir);
      } catch (error) {
        await session.fail(error);
        throw error;
      } finally {
        session.close();
      }
    }
  });
});
