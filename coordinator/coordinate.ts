/**
 * One coordinated run as the coordinator sees it (`ecny-bench coordinate`): serve the barrier
 * until every shard is ready and the genesis sent, release them together, collect every shard's
 * result files, merge them exactly as `ecny-bench merge` does, and write the merged run with its
 * charts. A lost or failed shard fails the run, and every shard still listening is told why.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderRunCharts, writeReport } from '../charts/index.js';
import type { CoordinatedRun, CoordinatedShard, RunResult } from '../result-format/index.js';
import { mergedVerdict, mergeShardRuns } from '../runner/index.js';
import type { RunKey } from './auth.js';
import { Barrier } from './barrier.js';
import { spreadBound } from './clock.js';
import { Collection } from './collection.js';
import { CoordinatorError } from './errors.js';
import { LIMITS, PROTOCOL, type RunInfo } from './protocol.js';
import { startEndpoint } from './server.js';

export interface CoordinatorOptions {
  readonly shards: number;
  readonly key: RunKey;
  /** Where the merged run is written (`<outDir>/<run-id>/`). */
  readonly outDir: string;
  /** Default 0.0.0.0 (every interface: shards are on other hosts). */
  readonly host?: string;
  /** Default 8090; 0 picks a free port. */
  readonly port?: number;
  /** From the release to the start, ms. Default 3000. */
  readonly leadMs?: number;
  /** Largest round trip a shard's start may be placed by, ms. Default 50. */
  readonly maxRttMs?: number;
  /** Beat period of a shard waiting for the release, ms. Default 100. */
  readonly pollMs?: number;
  /** Beat period otherwise, ms. Default 2000. */
  readonly beatMs?: number;
  /** A shard silent this long is lost, ms. Default 60,000. */
  readonly shardTimeoutMs?: number;
  /** Every shard ready within this long of the start of the coordinator, ms. Default 900,000. */
  readonly readyTimeoutMs?: number;
  /** Every shard's results in within this long after the planned end, ms. Default 300,000. */
  readonly collectGraceMs?: number;
  /** Bound on one shard's result files together, bytes. Default 512 MiB. */
  readonly maxUploadBytes?: number;
  /** Render charts and report.html for the merged run. Default true. */
  readonly charts?: boolean;
  readonly log?: (line: string) => void;
  /** Aborting calls the run off (shards are told) and rejects `finished`. */
  readonly signal?: AbortSignal;
}

export interface CoordinatedReport {
  readonly result: RunResult;
  readonly dir: string;
  readonly verdict: 'pass' | 'failed' | 'thresholds';
}

export interface Coordinator {
  readonly url: string;
  readonly run: string;
  /** Where the shards' files are staged (and kept when the run fails). */
  readonly staging: string;
  readonly barrier: Barrier;
  /** The merged run; rejects with COORDINATOR_RUN_FAILED when the run was called off. */
  readonly finished: Promise<CoordinatedReport>;
  /**
   * Stops serving once shards still listening have heard the outcome; closed before the outcome,
   * the run is called off.
   */
  close(): Promise<void>;
}

interface Resolved {
  readonly shards: number;
  readonly host: string;
  readonly port: number;
  readonly leadMs: number;
  readonly maxRttMs: number;
  readonly pollMs: number;
  readonly beatMs: number;
  readonly shardTimeoutMs: number;
  readonly readyTimeoutMs: number;
  readonly collectGraceMs: number;
  readonly maxUploadBytes: number;
}

/** Applies defaults; one error lists every option out of range. */
export function resolveCoordinatorOptions(o: CoordinatorOptions): Resolved {
  const problems: string[] = [];
  const whole = (
    name: string,
    v: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ) => {
    const x = v ?? fallback;
    if (!Number.isSafeInteger(x) || x < min || x > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${String(x)}`);
      return fallback;
    }
    return x;
  };
  const r: Resolved = {
    shards: whole('shards', o.shards, 1, 1, LIMITS.maxShards),
    host: o.host ?? '0.0.0.0',
    port: whole('port', o.port, 8090, 0, 65535),
    leadMs: whole('leadMs', o.leadMs, 3000, 100, 600_000),
    maxRttMs: whole('maxRttMs', o.maxRttMs, 50, 1, 10_000),
    pollMs: whole('pollMs', o.pollMs, 100, 10, 10_000),
    beatMs: whole('beatMs', o.beatMs, 2000, 10, 60_000),
    shardTimeoutMs: whole('shardTimeoutMs', o.shardTimeoutMs, 60_000, 100, 3_600_000),
    readyTimeoutMs: whole('readyTimeoutMs', o.readyTimeoutMs, 900_000, 100, 86_400_000),
    collectGraceMs: whole('collectGraceMs', o.collectGraceMs, 300_000, 100, 86_400_000),
    maxUploadBytes: whole(
      'maxUploadBytes',
      o.maxUploadBytes,
      LIMITS.defaultMaxUploadBytes,
      1024,
      2 ** 40,
    ),
  };
  if (r.pollMs * 2 > r.leadMs)
    problems.push(
      `the start lead (${r.leadMs} ms) must cover at least two polls (${r.pollMs} ms each)`,
    );
  if (r.beatMs * 3 > r.shardTimeoutMs)
    problems.push(
      `the shard timeout (${r.shardTimeoutMs} ms) must cover at least three beats (${r.beatMs} ms each)`,
    );
  if (problems.length > 0)
    throw new CoordinatorError(
      'COORDINATOR_BAD_OPTIONS',
      `invalid coordinator options:\n  ${problems.join('\n  ')}`,
    );
  return r;
}

export async function startCoordinator(options: CoordinatorOptions): Promise<Coordinator> {
  const o = resolveCoordinatorOptions(options);
  const log = options.log ?? (() => {});
  const run = randomBytes(16).toString('hex');
  // Shards' files arrive here; a failed run leaves them here with a FAILED file saying why.
  const staging = join(options.outDir, `coordinator-${run.slice(0, 12)}`);
  await mkdir(staging, { recursive: true });
  const barrier = new Barrier({
    shards: o.shards,
    leadMs: o.leadMs,
    shardTimeoutMs: o.shardTimeoutMs,
    readyTimeoutMs: o.readyTimeoutMs,
    collectGraceMs: o.collectGraceMs,
    now: Date.now,
    note: log,
  });
  const collection = new Collection(staging, o.maxUploadBytes);
  const info: RunInfo = {
    protocol: PROTOCOL,
    run,
    shards: o.shards,
    maxRttMs: o.maxRttMs,
    pollMs: o.pollMs,
    beatMs: o.beatMs,
    shardTimeoutMs: o.shardTimeoutMs,
  };
  const { server, url } = await startEndpoint({
    host: o.host,
    port: o.port,
    key: options.key,
    run,
    info,
    barrier,
    collection,
  });
  const ticker = setInterval(() => barrier.tick(), 250);
  const onAbort = () =>
    barrier.fail(
      `the coordinator was stopped (${String((options.signal?.reason as Error)?.message ?? 'aborted')})`,
    );
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const finished = new Promise<CoordinatedReport>((resolve, reject) => {
    let merging = false;
    const settle = () => {
      if (barrier.state === 'failed') {
        reject(new CoordinatorError('COORDINATOR_RUN_FAILED', barrier.failure ?? 'the run failed'));
        return;
      }
      if (merging || !barrier.allDone()) return;
      merging = true;
      mergeAll(o, options, barrier, collection, staging, run).then(
        (report) => {
          barrier.complete();
          resolve(report);
        },
        (error: unknown) => {
          barrier.fail(`the shards' results could not be merged: ${(error as Error).message}`);
          reject(
            new CoordinatorError('COORDINATOR_RUN_FAILED', barrier.failure!, { cause: error }),
          );
        },
      );
    };
    barrier.onChange(() => settle());
  });
  // A failed run keeps what the shards uploaded, for whoever looks into it.
  const kept = finished.catch(async (error: unknown) => {
    await writeFile(join(staging, 'FAILED'), `${(error as Error).message}\n`).catch(
      () => undefined,
    );
  });
  finished.catch(() => undefined);

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      // Closed before the outcome: the run is called off, and the shards told so.
      barrier.fail('the coordinator was closed before the run ended');
      await linger(barrier, o);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      await stop(server);
      await kept;
    })();
    return closed;
  };
  return { url, run, staging, barrier, finished, close };
}

/**
 * Serves a little longer once the outcome is known, so every shard still beating hears it:
 * until each shard not done has beaten since, bounded by two beats and a second.
 */
async function linger(barrier: Barrier, o: Resolved): Promise<void> {
  const since = Date.now();
  const until = performance.now() + o.beatMs * 2 + 1000;
  while (performance.now() < until) {
    if (barrier.shards().every((s) => s.doneAt !== undefined || s.lastSeen >= since)) return;
    await sleep(Math.min(50, o.pollMs));
  }
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Merges every shard's files, then moves the merged run and the shards' files to their home. */
async function mergeAll(
  o: Resolved,
  options: CoordinatorOptions,
  barrier: Barrier,
  collection: Collection,
  staging: string,
  run: string,
): Promise<CoordinatedReport> {
  const dirs = barrier.shards().map((s) => collection.dirOf(s.index));
  const mergedDir = join(staging, 'merged');
  const started = performance.now();
  const result = await mergeShardRuns(dirs, mergedDir, (merged) => {
    const { barrier: _shardBarrier, ...config } = merged.config;
    return {
      ...merged,
      config: { ...config, coordinator: { run, shards: o.shards } },
      coordinated: summarize(o, barrier, collection, performance.now() - started),
    };
  });
  const dir = join(options.outDir, result.runId);
  await rename(mergedDir, dir);
  await mkdir(join(dir, 'shards'));
  for (const s of barrier.shards())
    await rename(collection.dirOf(s.index), join(dir, 'shards', `shard-${s.index}`));
  await rm(staging, { recursive: true, force: true });
  if (options.charts !== false) {
    await renderRunCharts(result, dir);
    await writeReport(result, dir);
  }
  return { result, dir, verdict: mergedVerdict(result) };
}

function num(record: Record<string, unknown> | undefined, key: string): number {
  const v = record?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** The barrier's and the collection's figures for result.json `coordinated`. */
function summarize(
  o: Resolved,
  barrier: Barrier,
  collection: Collection,
  mergeMs: number,
): CoordinatedRun {
  const shards: CoordinatedShard[] = barrier.shards().map((s) => {
    const record = collection.resultOf(s.index)?.config['barrier'] as
      | Record<string, unknown>
      | undefined;
    return {
      shard: `${s.index}/${o.shards}`,
      host: s.host,
      clockOffsetMs: num(record, 'clockOffsetMs'),
      clockRttMs: num(record, 'clockRttMs'),
      startRttMs: num(record, 'startRttMs'),
      startBoundMs: num(record, 'startBoundMs'),
      startAtMs: num(record, 'startAtMs'),
      waitedMs: num(record, 'waitedMs'),
      noticedMs: round(o.leadMs - num(record, 'firstStartInMs')),
      uploadBytes: s.uploadBytes,
      uploadMs:
        s.doneAt !== undefined && s.uploadStartedAt !== undefined
          ? s.doneAt - s.uploadStartedAt
          : 0,
    };
  });
  const offsets = shards.map((s) => s.clockOffsetMs);
  const lastDone = Math.max(...barrier.shards().map((s) => s.doneAt ?? 0));
  const plannedEnd = (barrier.startAt ?? 0) + barrier.durationMs;
  return {
    coordinatorHost: hostname(),
    shards,
    leadMs: o.leadMs,
    maxRttMs: o.maxRttMs,
    pollMs: o.pollMs,
    gatheredMs: (barrier.releasedAt ?? barrier.startedAt) - barrier.startedAt,
    slowestNoticeMs: Math.max(...shards.map((s) => s.noticedMs)),
    startSpreadBoundMs: round(spreadBound(shards.map((s) => s.startBoundMs))),
    worstClockOffsetMs: round(Math.max(...offsets.map(Math.abs))),
    worstClockSkewMs: round(Math.max(...offsets) - Math.min(...offsets)),
    collectMs: Math.max(0, lastDone - plannedEnd),
    mergeMs: Math.round(mergeMs),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
