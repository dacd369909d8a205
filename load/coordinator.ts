/**
 * The coordinator of an open-model run on one host: genesis, then N load-generator processes
 * started at one agreed time, their per-second deltas merged exactly as they arrive, engine
 * stats polled alongside, and the measured part of result.json at the end.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeSnapshot } from '../engine/metrics/index.js';
import { abortable, ownChild, ownTempDir } from '../lifecycle/index.js';
import { scheduleDurationMs } from '../rates/index.js';
import {
  addCounters,
  ClassAccumulator,
  emptyCounters,
  HISTOGRAM_KINDS,
  type MeasuredRun,
  type MismatchSample,
  offlineOf,
  type ResourceSample,
  type RunHistograms,
  SecondsAccumulator,
  summarizeRun,
} from '../result-format/index.js';
import type { Workload } from '../scenarios/workload/index.js';
import { fetchStatsOf, StatsPoller } from './engine-stats.js';
import { DriverError } from './errors.js';
import { type GenesisReport, sendGenesis } from './genesis.js';
import {
  type LoadRunOptions,
  type ResolvedLoadRunOptions,
  resolveLoadRunOptions,
} from './options.js';
import {
  type FromGenerator,
  type GeneratorTally,
  isFromGenerator,
  type ToGenerator,
  type WireBucket,
} from './protocol.js';
import { processResources, ResourceTrack } from './resources.js';
import { segmentOf, targetOf } from './segment.js';
import { checkWorkload, writeWorkloadFile } from './workload-file.js';

/** What `runLoad` hands back: the measured fields, every histogram, and the resolved config. */
export interface LoadRun {
  readonly measured: MeasuredRun;
  readonly histograms: RunHistograms;
  /** The driver configuration as resolved (defaults applied), for result.json `config`. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly genesis: GenesisReport | null;
  readonly startAtMs: number;
  /**
   * Set when `options.signal` stopped the measured phase early: the figures cover the first
   * `afterS` seconds, answers in flight at the stop were not awaited (the tally counts them as
   * lost), and `reason` is the signal's reason.
   */
  readonly stopped?: { readonly afterS: number; readonly reason: unknown };
}

/** Seconds that may still receive data stay live this long behind the present. */
const SEAL_LAG_S = 3;

/**
 * Runs the workload against the engine at `options.target` (or the engine nodes there, each
 * generator process to one of them): genesis (unless disabled), then the measured phase in
 * `options.processes` generator processes. Rejects with a DriverError on bad
 * options, a genesis mismatch or a failed generator; a run with mismatches, losses or
 * (unallowed) drops resolves with `measured.outcome.passed === false`.
 */
export async function runLoad(workload: Workload, options: LoadRunOptions): Promise<LoadRun> {
  const opts = resolveLoadRunOptions(options);
  const problems = checkWorkload(workload);
  if (problems.length > 0) {
    throw new DriverError('DRIVER_BAD_WORKLOAD', `invalid workload: ${problems.join('; ')}`);
  }
  if (opts.startAt !== undefined && opts.startAt <= Date.now()) {
    throw new DriverError(
      'DRIVER_START_IN_PAST',
      `startAt ${new Date(opts.startAt).toISOString()} has already passed`,
    );
  }
  const { signal } = options;
  // Aborting before the measured phase rejects: nothing has been measured yet. Genesis goes on
  // in the background until the caller stops the engine it talks to.
  const genesis =
    opts.sendGenesis && workload.genesis.bodies.length > 0
      ? await abortable(
          sendGenesis(workload.genesis, {
            target: opts.targets,
            path: opts.generator.path,
            concurrency: opts.genesisConcurrency,
            maxRetries: opts.generator.maxRetries,
          }),
          signal,
        )
      : null;
  if (signal?.aborted) throw signal.reason;

  let tempDir: string | undefined;
  let disown = () => {};
  let workloadPath = opts.workloadPath;
  if (workloadPath === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'ecny-bench-workload-'));
    disown = ownTempDir(tempDir);
    workloadPath = join(tempDir, 'workload.json');
    await writeWorkloadFile(workloadPath, workload);
  }
  try {
    return await measure(workload, opts, workloadPath, genesis, options.onProgress, signal);
  } finally {
    if (tempDir !== undefined) {
      await rm(tempDir, { recursive: true, force: true });
      disown();
    }
  }
}

async function measure(
  workload: Workload,
  opts: ResolvedLoadRunOptions,
  workloadPath: string,
  genesis: GenesisReport | null,
  onProgress: LoadRunOptions['onProgress'],
  signal: AbortSignal | undefined,
): Promise<LoadRun> {
  const acc = new SecondsAccumulator();
  const sofar = emptyCounters();
  let planned = 0;
  let reported = -1;
  let startAtMs = Number.NaN;
  // Once stopped early, seconds after the stop are the generators' bookkeeping of ops never
  // due (counted dropped when they abort), not measurements: they are left out.
  let lastSecond = Number.POSITIVE_INFINITY;
  const absorb = (buckets: readonly WireBucket[]): void => {
    for (const b of buckets) {
      if (b.t > lastSecond) continue;
      acc.addCounters(b.t, b.counters);
      addCounters(sofar, b.counters);
      for (const kind of HISTOGRAM_KINDS) {
        const h = b.histograms[kind];
        if (h !== undefined) acc.addHistogram(b.t, kind, h);
      }
    }
    const nowSecond = Math.floor((Date.now() - startAtMs) / 1000);
    if (nowSecond - SEAL_LAG_S > 0) acc.seal(nowSecond - SEAL_LAG_S);
    if (onProgress !== undefined) {
      // second t is complete at t+1 and flushed by every generator within one more second
      for (; reported < nowSecond - 2; reported++) {
        const t = reported + 1;
        const c = acc.peekCounters(t);
        onProgress({
          t,
          offered: c?.offered ?? 0,
          sent: c?.sent ?? 0,
          achieved: c?.achieved ?? 0,
          dropped: c?.dropped ?? 0,
          errors: c?.errors ?? 0,
          sofar: {
            seconds: t + 1,
            planned,
            offered: sofar.offered,
            sent: sofar.sent,
            achieved: sofar.achieved,
            settled: sofar.settled,
            dropped: sofar.dropped,
            errors: sofar.errors,
            rejectedByCode: { ...sofar.rejectedByCode },
            latency: acc.overallPercentiles('corrected'),
            uncorrected: acc.overallPercentiles('uncorrected'),
            sendLag: acc.overallPercentiles('sendLag'),
          },
        });
      }
    }
  };

  const workerPath =
    opts.workerPath ?? fileURLToPath(new URL('../workers/loadgen-process.js', import.meta.url));
  const handles: GeneratorHandle[] = [];
  try {
    for (let i = 0; i < opts.processes; i++) {
      const handle = new GeneratorHandle(workerPath, absorb);
      handles.push(handle);
      const segment = segmentOf(opts.shard, i, opts.processes);
      handle.post({
        type: 'init',
        workloadPath,
        segment,
        config: { ...opts.generator, target: targetOf(segment, opts.targets) },
      });
    }
    planned = (await abortable(Promise.all(handles.map((h) => h.ready)), signal)).reduce(
      (a, b) => a + b,
      0,
    );
    const plannedMs =
      opts.generator.schedule === null
        ? workload.meta.durationMs
        : scheduleDurationMs(opts.generator.schedule);
    let barrier: Readonly<Record<string, unknown>> | undefined;
    if (opts.startGate !== undefined) {
      const decision = await abortable(
        opts.startGate({
          workload: workload.meta,
          planned,
          genesisTotal: workload.genesis.bodies.length,
          genesisOps: genesis?.ops ?? 0,
          durationMs: plannedMs,
        }),
        signal,
      );
      startAtMs = decision.startAtMs;
      barrier = decision.record;
    } else startAtMs = opts.startAt ?? Date.now() + opts.startLeadMs;
    if (startAtMs <= Date.now()) {
      throw new DriverError(
        'DRIVER_START_IN_PAST',
        `startAt ${new Date(startAtMs).toISOString()} passed while the generators were getting ready`,
      );
    }
    const poller = new StatsPoller(opts.targets, startAtMs, opts.statsIntervalMs, opts.watch);
    poller.start();
    for (const h of handles) h.post({ type: 'start', startAtMs });
    let stopAtMs: number | undefined;
    const stop = () => {
      stopAtMs = Date.now();
      // The second in progress at the stop is left out with the rest: its ops due but unsent,
      // which an aborting generator books as dropped, were cut off, not dropped by the driver.
      lastSecond = Math.floor((stopAtMs - startAtMs) / 1000) - 1;
      for (const h of handles) h.post({ type: 'abort' });
    };
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    // Stopped early, a generator that died meanwhile (a terminal's Ctrl-C reaches the whole
    // process group) costs its tally, not the seconds already received from it.
    const settled = await Promise.allSettled(handles.map((h) => h.done)).finally(() => {
      signal?.removeEventListener('abort', stop);
      return poller.stop();
    });
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure !== undefined && stopAtMs === undefined) throw failure.reason;
    const reports = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const engineSeconds = await poller.stop();
    const endedAt = new Date().toISOString();
    // One engine is 'engine'; the nodes of a scale-out run are 'engine-1', 'engine-2', ...
    const tracks: Array<readonly [string, { samples(): ResourceSample[] }]> =
      poller.engineResources.map(
        (track, i, all) => [all.length === 1 ? 'engine' : `engine-${i + 1}`, track] as const,
      );
    handles.forEach((h, i) => {
      const track = new ResourceTrack();
      for (const r of h.resources) {
        track.add(Math.floor((r.atMs - startAtMs) / 1000), r.atMs, { runtime: r.runtime });
      }
      tracks.push([`generator-${i + 1}`, track]);
    });
    for (const [process, track] of poller.watched) tracks.push([process.name, track]);
    const machineSamples = poller.machine.samples();
    const resources = {
      processes: processResources(tracks),
      ...(machineSamples.length === 0
        ? {}
        : { machine: { cores: availableParallelism(), samples: machineSamples } }),
    };
    const engine = opts.statsIntervalMs > 0 ? await fetchStatsOf(opts.targets) : undefined;

    const samples: MismatchSample[] = [];
    let matched = 0;
    let mismatched = 0;
    let lost = 0;
    let retried = 0;
    let cpuMicros = 0;
    const classes = new ClassAccumulator();
    for (const r of reports) {
      classes.add(r.tally.classes);
      matched += r.tally.matched;
      mismatched += r.tally.mismatched;
      lost += r.tally.lost;
      retried += r.tally.retried;
      samples.push(...r.tally.samples);
      cpuMicros += r.cpuMicros;
    }
    const durationMs =
      stopAtMs === undefined ? plannedMs : Math.min(plannedMs, Math.max(0, lastSecond + 1) * 1000);
    const accumulated = acc.finish(startAtMs);
    const measured = summarizeRun({
      accumulated,
      tally: { planned, matched, mismatched, lost, retried, samples },
      allowDrops: opts.allowDrops,
      startedAt: new Date(startAtMs).toISOString(),
      endedAt,
      durationS: durationMs / 1000,
      engineSeconds,
      // Offline tap times are modelled on the workload's own schedule; another schedule voids them.
      ...(opts.generator.schedule === null
        ? offlineOf(workload.meta.params, opts.shard.count === 1)
        : {}),
      ...(engine === undefined ? {} : { engine }),
      generator: { processes: opts.processes, cpuSeconds: cpuMicros / 1e6 },
      classes,
      ...(resources.processes.length === 0 ? {} : { resources }),
    });
    return {
      measured,
      histograms: accumulated.histograms,
      config: {
        ...describeConfig(opts, startAtMs),
        ...(barrier === undefined ? {} : { barrier }),
      },
      genesis,
      startAtMs,
      ...(stopAtMs === undefined
        ? {}
        : { stopped: { afterS: durationMs / 1000, reason: signal?.reason } }),
    };
  } catch (error) {
    for (const h of handles) h.kill();
    throw error;
  } finally {
    await Promise.all(handles.map((h) => h.exited));
  }
}

function describeConfig(opts: ResolvedLoadRunOptions, startAtMs: number): Record<string, unknown> {
  const g = opts.generator;
  return {
    target: opts.targets.join(','),
    targets: opts.targets,
    path: g.path,
    client: g.client,
    processes: opts.processes,
    connections: g.connections,
    pipelining: g.pipelining,
    maxInFlight: g.maxInFlight,
    maxLagMs: g.maxLagMs,
    allowDrops: opts.allowDrops,
    graceMs: g.graceMs,
    maxRetries: g.maxRetries,
    connectRetries: g.connectRetries,
    requestTimeoutMs: g.requestTimeoutMs,
    schedule: g.schedule,
    shard: `${opts.shard.index}/${opts.shard.count}`,
    startAtMs,
    sendGenesis: opts.sendGenesis,
    genesisConcurrency: opts.genesisConcurrency,
  };
}

/** One forked generator process, seen from the coordinator. */
class GeneratorHandle {
  /** The generator process's own readings, as they came (cumulative). */
  readonly resources: Array<{ atMs: number; runtime: RuntimeSnapshot }> = [];
  readonly ready: Promise<number>;
  readonly done: Promise<{ tally: GeneratorTally; cpuMicros: number }>;
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;

  constructor(workerPath: string, onBuckets: (buckets: readonly WireBucket[]) => void) {
    const child = fork(workerPath, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // lets the generator collect its set-up garbage before the start (generator-process.ts)
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    this.#child = child;
    ownChild(child);
    let resolveReady!: (planned: number) => void;
    let resolveDone!: (r: { tally: GeneratorTally; cpuMicros: number }) => void;
    let reject!: (error: Error) => void;
    let settled = false;
    const failed = new Promise<never>((_, rej) => {
      reject = (error) => {
        if (!settled) rej(error);
        settled = true;
      };
    });
    // A failure before `ready` must reject `ready`, and one later must reject `done`.
    failed.catch(() => undefined);
    this.ready = Promise.race([new Promise<number>((r) => (resolveReady = r)), failed]);
    this.done = Promise.race([
      new Promise<{ tally: GeneratorTally; cpuMicros: number }>((r) => (resolveDone = r)),
      failed,
    ]);
    this.ready.catch(() => undefined);
    this.done.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
    });
    child.on('message', (message: unknown) => {
      if (!isFromGenerator(message)) return;
      const m: FromGenerator = message;
      switch (m.type) {
        case 'ready':
          resolveReady(m.planned);
          return;
        case 'interval':
          onBuckets(m.buckets);
          return;
        case 'resources':
          this.resources.push({ atMs: m.atMs, runtime: m.runtime });
          return;
        case 'done':
          onBuckets(m.buckets);
          settled = true;
          resolveDone({ tally: m.tally, cpuMicros: m.cpuMicros });
          return;
        case 'failed':
          reject(
            new DriverError(
              'DRIVER_GENERATOR_FAILED',
              `load generator failed: ${m.message} (${m.code})`,
            ),
          );
          return;
      }
    });
    child.once('error', (error) => {
      reject(
        new DriverError('DRIVER_GENERATOR_FAILED', `load generator: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.once('exit', (code, signal) => {
      reject(
        new DriverError(
          'DRIVER_GENERATOR_FAILED',
          `load generator exited (code ${code}, signal ${signal}) before finishing`,
        ),
      );
    });
  }

  post(message: ToGenerator): void {
    if (this.#child.connected) this.#child.send(message);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill();
  }
}
