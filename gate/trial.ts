/**
 * One trial of the CI performance gate (docs/gate.md): the engine's in-process pipeline (verify
 * pool -> registry -> journal group commit) measured between two calibrations of pure native
 * signature verification on the same machine, seconds apart. The gate judges ratios of the two,
 * not raw tx/s, because a CI runner's speed changes from run to run and a ratio cancels it:
 *
 *   efficiency = engine settled tx/s ÷ (pure verifications/s per core × cores)   higher-better
 *   cpuRatio   = engine CPU µs per settled tx ÷ CPU µs per pure verification      lower-better
 *
 * The rate calibration runs `measureSingleRate` (./calibration.ts) on every core at once, in
 * worker threads, so it sees the same CPU contention the engine's workers see: on a shared
 * machine a neighbour that takes a core slows a single-threaded calibration far less than it
 * slows a multi-threaded engine, and the ratio would move although the code did not. The CPU
 * calibration runs it on one thread alone (see `#cpuCalibration`).
 *
 * Wall-clock rates on a shared machine move at the scale of a second: on the 2-vCPU box this
 * was built on, one engine window ran at anything from 7k to 20k tx/s and one calibration at 10k
 * to 29k verifications/s, so a single engine window between one calibration before and one
 * after (seconds apart) gave efficiency ±30% from trial to trial. Interleaving short windows
 * (calibration, segment, calibration, ...) and taking the median of per-segment ratios brought
 * it to about ±8%; cpuRatio, CPU time rather than wall time, to about ±1.5% once a full GC runs
 * before each trial's timed region (docs/gate.md).
 *
 * The workload (pre-signed independent transfers) and a journal holding its genesis are built
 * once per process; each trial copies that journal, so it starts from the same state without
 * re-applying a thousand genesis transactions one fsync at a time.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BackendName } from '../engine/crypto/index.js';
import type { Tx } from '../engine/domain/index.js';
import {
  defaultEngineConfig,
  type EngineConfig,
  type EngineService,
  openEngineService,
} from '../engine/service/index.js';
import { ownTempDir } from '../lifecycle/index.js';
import { measureSingleRate, type Rate } from './calibration.js';
import { gateRatios } from './decision.js';
import { GateTrialError } from './errors.js';
import { median } from './stats.js';
import { buildTransferWorkload } from './transfer-workload.js';

/** Options of {@link GateTrials}; every field has a default sized for a 2-4 s trial. */
export interface GateTrialOptions {
  /** Verification backend of both the engine and the calibration. Default 'native'. */
  readonly backend?: BackendName;
  /** Cores the ratio normalises by, and calibration threads. Default availableParallelism(). */
  readonly cores?: number;
  /** Engine verification worker threads. Default = cores. */
  readonly threads?: number;
  /** Engine max batch size. Default the engine's (256). */
  readonly maxBatch?: number;
  /** Transfers timed per trial, over all segments. Default 6000 (0.3-1 s on 2 shared cores). */
  readonly transfers?: number;
  /**
   * Transfers sent before the timed region. Default 2000: the JIT, and each verification
   * worker's key cache (a key's first use costs an OpenSSL key import in that worker); with
   * fewer, the first timed segment kept paying for imports the later ones did not.
   */
  readonly warmupTransfers?: number;
  /** Segments the timed transfers are sent in, each between two calibration windows. Default 3. */
  readonly segments?: number;
  /** Timed seconds of each all-cores calibration window. Default 0.2. */
  readonly calibrationSeconds?: number;
  /** Timed seconds of each single-thread calibration (the CPU per verification). Default 0.25. */
  readonly cpuSeconds?: number;
  /**
   * Distinct signed items the calibration cycles through. Default 64: signing them is set-up
   * time inside `measureSingleRate`, and 512 of them cost more than the timed loop.
   */
  readonly calibrationItems?: number;
  /**
   * Test-only: extra SHA-256 rounds per verified signature in the ENGINE's workers (never in the
   * calibration), so a test can prove the gate catches a slowdown. Default 0.
   */
  readonly extraWorkPerItem?: number;
  /** Transactions in flight during the engine measurement. Default 4096. */
  readonly window?: number;
}

/** One timed engine segment and the calibration windows on either side of it. */
export interface TrialSegment {
  readonly settled: number;
  readonly seconds: number;
  readonly settledPerSecond: number;
  /** Process CPU of the segment alone, µs (calibration threads are idle meanwhile). */
  readonly cpuMicros: number;
  /** Pure verifications/s on all cores in the window before and the window after. */
  readonly calibrationBefore: number;
  readonly calibrationAfter: number;
  /** settledPerSecond ÷ geometric mean of the two windows: this segment's efficiency. */
  readonly efficiency: number;
}

/** The engine part of a trial. */
export interface EngineMeasurement {
  readonly threads: number;
  readonly maxBatch: number;
  readonly extraWorkPerItem: number;
  readonly settled: number;
  /** Wall seconds of all segments together. */
  readonly seconds: number;
  /** Settled tx/s over all segments together. */
  readonly settledPerSecond: number;
  /** Process CPU (main thread + verify workers) per settled transaction over all segments, µs. */
  readonly cpuMicrosPerTx: number;
  readonly meanBatch: number;
  readonly fsyncs: number;
  readonly segments: readonly TrialSegment[];
}

/** Everything one trial measured, and the two ratios the gate judges. */
export interface GateTrialResult {
  readonly metrics: { readonly efficiency: number; readonly cpuRatio: number };
  readonly engine: EngineMeasurement;
  /** Pure verifications/s on all cores, every window in order (segments + 1 of them). */
  readonly calibrationWindows: readonly number[];
  /** The single-thread CPU calibration before and after the engine. */
  readonly cpuBefore: Rate;
  readonly cpuAfter: Rate;
  /** Summary: median window rate, geometric mean of the two CPU figures. */
  readonly calibration: {
    readonly totalWallRate: number;
    readonly cpuMicrosPerVerification: number;
  };
  readonly wallSeconds: number;
}

interface Resolved {
  readonly backend: BackendName;
  readonly cores: number;
  readonly threads: number;
  readonly maxBatch: number;
  readonly transfers: number;
  readonly warmupTransfers: number;
  readonly segments: number;
  readonly calibrationSeconds: number;
  readonly cpuSeconds: number;
  readonly calibrationItems: number;
  readonly extraWorkPerItem: number;
  readonly window: number;
}

function resolveOptions(o: GateTrialOptions): Resolved {
  const cores = o.cores ?? availableParallelism();
  const r: Resolved = {
    backend: o.backend ?? 'native',
    cores,
    threads: o.threads ?? cores,
    maxBatch: o.maxBatch ?? defaultEngineConfig().maxBatch,
    transfers: o.transfers ?? 6000,
    warmupTransfers: o.warmupTransfers ?? 2000,
    segments: o.segments ?? 3,
    calibrationSeconds: o.calibrationSeconds ?? 0.2,
    cpuSeconds: o.cpuSeconds ?? 0.25,
    calibrationItems: o.calibrationItems ?? 64,
    extraWorkPerItem: o.extraWorkPerItem ?? 0,
    window: o.window ?? 4096,
  };
  const ints: (keyof Resolved)[] = [
    'cores',
    'threads',
    'maxBatch',
    'transfers',
    'segments',
    'window',
    'calibrationItems',
  ];
  for (const k of ints) {
    const v = r[k] as number;
    if (!(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`${k} must be an integer >= 1`);
  }
  if (r.segments > r.transfers) throw new RangeError('segments must not exceed transfers');
  if (!(Number.isSafeInteger(r.warmupTransfers) && r.warmupTransfers >= 0))
    throw new RangeError('warmupTransfers must be an integer >= 0');
  if (!(Number.isSafeInteger(r.extraWorkPerItem) && r.extraWorkPerItem >= 0))
    throw new RangeError('extraWorkPerItem must be an integer >= 0');
  if (!(r.calibrationSeconds > 0 && r.cpuSeconds > 0))
    throw new RangeError('calibrationSeconds and cpuSeconds must be > 0');
  return r;
}

/** Message a calibration worker receives / sends. */
interface CalibrationRequest {
  readonly backend: BackendName;
  readonly seconds: number;
  readonly items: number;
}

const WORKER_MARK = 'ecny-bench/gate-calibration';

/**
 * Repeated gate trials in one process. `open` builds the workload and the genesis journal once
 * (a few seconds of signing, outside every timed region); `run` measures one trial; `close`
 * stops the calibration threads and removes the scratch directory.
 */
export class GateTrials {
  readonly options: Readonly<Resolved>;
  readonly #dir: string;
  readonly #template: string;
  readonly #centralBankKey: string;
  readonly #day: number;
  readonly #transfers: readonly Tx[];
  readonly #workers: Worker[];
  #trial = 0;

  private constructor(
    options: Resolved,
    dir: string,
    template: string,
    centralBankKey: string,
    day: number,
    transfers: readonly Tx[],
    workers: Worker[],
  ) {
    this.options = options;
    this.#dir = dir;
    this.#template = template;
    this.#centralBankKey = centralBankKey;
    this.#day = day;
    this.#transfers = transfers;
    this.#workers = workers;
  }

  /**
   * Builds the workload, writes the genesis journal, starts the calibration threads and runs
   * one warm-up trial whose figures are thrown away.
   */
  static async open(options: GateTrialOptions = {}): Promise<GateTrials> {
    const o = resolveOptions(options);
    const workload = buildTransferWorkload(o.warmupTransfers + o.transfers, 'gate');
    const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-gate-'));
    // Removed by close(); registered so that a forced stop (a second Ctrl-C) removes it too.
    ownTempDir(dir);
    const workers: Worker[] = [];
    try {
      const template = join(dir, 'genesis.ecj');
      const service = await openEngineService(
        engineConfig(o, template, workload.centralBankKey, workload.day),
      );
      try {
        // Genesis phases depend on each other, so one at a time; this is set-up, not measured.
        for (const tx of workload.genesis) {
          const outcome = await service.engine.submit(tx);
          if (outcome.status !== 'settled')
            throw new GateTrialError(`gate genesis failed: ${JSON.stringify(outcome)}`);
        }
      } finally {
        await service.close();
      }
      for (let i = 0; i < o.cores; i++) {
        workers.push(new Worker(new URL(import.meta.url), { workerData: WORKER_MARK }));
      }
      const trials = new GateTrials(
        o,
        dir,
        template,
        workload.centralBankKey,
        workload.day,
        workload.transfers,
        workers,
      );
      // One whole trial, discarded: the JIT keeps improving the engine's main-thread code over
      // the first trials in a process (CPU per tx fell from 107 to 95 µs over a quiet run), which
      // would otherwise make a 5-trial run look worse than the first 5 of a 10-trial baseline.
      await trials.run();
      return trials;
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * One trial. CPU calibration on one thread; the engine opened on a copy of the genesis
   * journal and warmed up; then calibration window, segment, calibration window, segment, ...,
   * calibration window; the engine closed; CPU calibration again.
   *
   * efficiency = median over segments of (segment tx/s ÷ the geometric mean of the windows on
   * either side of it). Neighbours on a shared machine come and go over seconds; a segment and
   * the windows around it lie within about half a second, so they see the same neighbours and
   * the ratio cancels them, and the median drops a segment that was hit alone.
   *
   * cpuRatio = CPU per settled tx over all segments ÷ the geometric mean of the two CPU
   * calibrations: CPU time is not stolen by neighbours, so totals need no such care.
   */
  async run(): Promise<GateTrialResult> {
    const started = performance.now();
    const o = this.options;
    fullGc();
    const cpuBefore = this.#cpuCalibration();
    const journal = join(this.#dir, `trial-${++this.#trial}.ecj`);
    await copyFile(this.#template, journal);
    let service: EngineService | null = null;
    let engine: EngineMeasurement;
    const windows: number[] = [];
    try {
      service = await openEngineService(engineConfig(o, journal, this.#centralBankKey, this.#day));
      await drive(service, this.#transfers.slice(0, o.warmupTransfers), o.window);
      // The previous trial's engine is garbage by now; collecting it here keeps its cost out of
      // this trial's CPU per transaction (without it, cpuRatio crept up trial after trial).
      fullGc();
      const timed = this.#transfers.slice(o.warmupTransfers);
      const per = Math.ceil(timed.length / o.segments);
      const s0 = service.stats();
      windows.push(await this.calibrationWindow());
      const segments: TrialSegment[] = [];
      for (let from = 0; from < timed.length; from += per) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const settled = await drive(service, timed.slice(from, from + per), o.window);
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        windows.push(await this.calibrationWindow());
        const [before, after] = windows.slice(-2) as [number, number];
        segments.push({
          settled,
          seconds,
          settledPerSecond: settled / seconds,
          cpuMicros: cpu.user + cpu.system,
          calibrationBefore: before,
          calibrationAfter: after,
          efficiency: settled / seconds / Math.sqrt(before * after),
        });
      }
      const s1 = service.stats();
      const settled = segments.reduce((a, x) => a + x.settled, 0);
      const seconds = segments.reduce((a, x) => a + x.seconds, 0);
      const batches = s1.pool.batches - s0.pool.batches;
      engine = {
        threads: o.threads,
        maxBatch: o.maxBatch,
        extraWorkPerItem: o.extraWorkPerItem,
        settled,
        seconds,
        settledPerSecond: settled / seconds,
        cpuMicrosPerTx: segments.reduce((a, x) => a + x.cpuMicros, 0) / settled,
        meanBatch: batches > 0 ? (s1.pool.items - s0.pool.items) / batches : 0,
        fsyncs: (s1.journal?.fsyncs ?? 0) - (s0.journal?.fsyncs ?? 0),
        segments,
      };
    } finally {
      await service?.close();
      await rm(journal, { force: true });
    }
    const cpuAfter = this.#cpuCalibration();
    const cpuMicrosPerVerification = Math.sqrt(
      cpuBefore.cpuMicrosPerVerification * cpuAfter.cpuMicrosPerVerification,
    );
    // gateRatios with the segments' median standing in for "tx/s ÷ (rate per core × cores)".
    const efficiency = median(engine.segments.map((x) => x.efficiency));
    const { cpuRatio } = gateRatios({
      settledPerSecond: engine.settledPerSecond,
      verifyPerSecondPerCore: median(windows) / o.cores,
      cores: o.cores,
      cpuPerTx: engine.cpuMicrosPerTx,
      cpuPerVerify: cpuMicrosPerVerification,
    });
    return {
      metrics: { efficiency, cpuRatio },
      engine,
      calibrationWindows: windows,
      cpuBefore,
      cpuAfter,
      calibration: { totalWallRate: median(windows), cpuMicrosPerVerification },
      wallSeconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * Pure verification on every core at once for `calibrationSeconds`: each calibration thread
   * runs `measureSingleRate`, and their wall rates add up to the per-core rate × cores, under
   * the same contention the engine's workers see. Returns that sum.
   */
  async calibrationWindow(): Promise<number> {
    const { backend, calibrationSeconds: seconds, calibrationItems: items } = this.options;
    const request: CalibrationRequest = { backend, seconds, items };
    const rates = await Promise.all(this.#workers.map((worker) => ask(worker, request)));
    return rates.reduce((s, r) => s + r.wallRate, 0);
  }

  /**
   * One thread alone, in this thread while every other is idle: the CPU per verification.
   * Not from the parallel windows: `process.cpuUsage()` is process-wide, so the threads' CPU
   * readings count each other, and with every core busy the CPU per verification swings by
   * ±15% on a shared 2-vCPU machine (siblings, caches) against ±5% alone.
   */
  #cpuCalibration(): Rate {
    const { backend, cpuSeconds: seconds, calibrationItems: items } = this.options;
    return measureSingleRate(backend, { seconds, items });
  }

  /** Stops the calibration threads and removes the scratch files. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    await rm(this.#dir, { recursive: true, force: true });
  }
}

let gcFunction: (() => void) | undefined;

/** A full, synchronous GC: `--expose-gc`'s gc(), obtained at run time when not started with it. */
function fullGc(): void {
  if (gcFunction === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) gcFunction = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

function engineConfig(
  o: Resolved,
  journalPath: string,
  centralBankKey: string,
  today: number,
): EngineConfig {
  return {
    ...defaultEngineConfig(),
    backend: o.backend,
    threads: o.threads,
    maxBatch: o.maxBatch,
    extraWorkPerItem: o.extraWorkPerItem,
    journalPath,
    centralBankKey,
    today,
  };
}

/** Keeps up to `window` transfers in flight; every one must settle (else the trial is void). */
async function drive(service: EngineService, txs: readonly Tx[], window: number): Promise<number> {
  let next = 0;
  let settled = 0;
  const lane = async () => {
    while (next < txs.length) {
      const tx = txs[next++]!;
      const outcome = await service.engine.submit(tx);
      if (outcome.status !== 'settled')
        throw new GateTrialError(`gate transfer not settled: ${JSON.stringify(outcome)}`);
      settled++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, txs.length) }, lane));
  return settled;
}

function ask(worker: Worker, request: CalibrationRequest): Promise<Rate> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { rate?: Rate; error?: string }) => {
      worker.off('error', onError);
      if (m.rate) resolve(m.rate);
      else reject(new GateTrialError(`calibration thread: ${m.error ?? 'no answer'}`));
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(request);
  });
}

// Calibration thread: this same module, started with the marker as workerData.
if (!isMainThread && workerData === WORKER_MARK && parentPort) {
  const port = parentPort;
  port.on('message', (request: CalibrationRequest) => {
    try {
      const { backend, seconds, items } = request;
      port.postMessage({ rate: measureSingleRate(backend, { seconds, items }) });
    } catch (error) {
      port.postMessage({ error: String(error) });
    }
  });
}
