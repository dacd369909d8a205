/**
 * The engines of a capacity run, one set per ramp, each starting from the same post-genesis
 * ledger, and the CPU they (and PostgreSQL) use around every step:
 * - memory store: genesis into one engine's journal once; each ramp's engine replays a copy of
 *   it, all started together before the first ramp (the replay is CPU-bound and would otherwise
 *   sit in front of every ramp; an engine waiting for its ramp costs nothing);
 * - postgres store: genesis into a template database once (one node); each ramp gets a copy of
 *   it (CREATE DATABASE ... TEMPLATE: the files are copied, nothing replays) and its own nodes,
 *   started when the ramp begins and stopped, with its database dropped, when it ends.
 * Everything started is stopped by `close` (and on exit: the processes and the cluster are owned).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../engine/domain/index.js';
import { abortable, ownTempDir } from '../lifecycle/index.js';
import { type LoadRun, sendGenesis, type WatchedProcess } from '../load/index.js';
import { machineCpuSeconds, treeCpuSeconds } from '../local-postgres/index.js';
import {
  databaseWatch,
  type EngineProcess,
  type LedgerServer,
  openLedgerServer,
  startEngineNodes,
  startEngineProcess,
} from '../runner/index.js';
import type { Workload } from '../scenarios/workload/index.js';
import type { RampSetting, StepCpu } from './analysis/index.js';

/**
 * How long an engine may take to start: replaying a city genesis journal re-validates some
 * 62,000 wallet keys, about a minute on a shared 2-core machine.
 */
export const ENGINE_START_TIMEOUT_MS = 15 * 60_000;

/** A capacity run that could not measure: the genesis engine failed, or no step ran. */
export class CapacityRunError extends CodedError {
  readonly code = 'CAPACITY_RUN_FAILED';
  readonly kind = 'failure';
}

/** One ramp's engines. */
export interface RampEngines {
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  /** Stops them (and drops the ramp's database); the exit codes. */
  stop(graceMs?: number): Promise<(number | null)[]>;
}

/** CPU seconds so far: the ramp's engines, and PostgreSQL when it runs here. */
export interface CpuReading {
  readonly engineS: number;
  readonly databaseS: number | null;
  /** Every process on the machine (NaN where /proc/stat is not readable). */
  readonly machineS: number;
  /** performance.now() of the reading. */
  readonly at: number;
}

export interface Fleet {
  /** Ramp `r`'s engines, ready for load. */
  ramp(r: number): Promise<RampEngines>;
  cpu(engines: RampEngines): CpuReading;
  /** Processes each step samples into its resources besides engines and generators. */
  readonly watch: readonly WatchedProcess[];
  close(graceMs?: number): Promise<void>;
}

export interface FleetOptions {
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Postgres store: the user's server instead of a private cluster. */
  readonly databaseUrl?: string;
}

const f0 = (v: number) => Math.round(v).toLocaleString('en-US');

/** CPU over a step from two readings and the step's load run; null when not measured. */
export function stepCpu(before: CpuReading, after: CpuReading, load: LoadRun): StepCpu | null {
  if (!Number.isFinite(before.engineS) || !Number.isFinite(after.engineS)) return null;
  let settled = 0;
  for (const s of load.measured.timeseries) settled += s.settled;
  return {
    engineS: after.engineS - before.engineS,
    databaseS:
      before.databaseS === null || after.databaseS === null
        ? null
        : after.databaseS - before.databaseS,
    loadS: load.measured.generator?.cpuSeconds ?? 0,
    // The machine's rate over the readings' interval, scaled to the measured phase.
    machineS: Number.isFinite(after.machineS - before.machineS)
      ? ((after.machineS - before.machineS) * load.measured.durationS * 1000) /
        Math.max(1, after.at - before.at)
      : null,
    // The measured phase: the generators' CPU covers it alone; the engines' readings bracket it
    // with a second or so of near-idle set-up.
    wallS: load.measured.durationS,
    settled,
  };
}

function engineCpu(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
}

function settingArgs(setting: RampSetting): string[] {
  return ['--threads', String(setting.threads), '--max-batch', String(setting.maxBatch)];
}

async function genesisInto(
  url: string,
  workload: Workload,
  o: FleetOptions,
): Promise<{ ops: number; durationMs: number }> {
  return abortable(
    sendGenesis(workload.genesis, { target: url, path: '/v1/tx', concurrency: 64, maxRetries: 5 }),
    o.signal,
  );
}

/** Memory store: genesis into a journal once, one engine per ramp replaying a copy. */
export async function memoryFleet(
  o: FleetOptions,
  workload: Workload,
  settings: readonly RampSetting[],
  baseArgs: readonly string[],
): Promise<Fleet> {
  const { signal } = o;
  const journalDir = await mkdtemp(join(tmpdir(), 'ecny-bench-capacity-'));
  const disown = ownTempDir(journalDir);
  const template = join(journalDir, 'genesis.ecj');
  const started: EngineProcess[] = [];
  const close = async (graceMs?: number) => {
    // Engines of ramps that never ran (an error) must not outlive the command.
    await Promise.all(started.map((e) => e.stop(graceMs)));
    await rm(journalDir, { recursive: true, force: true });
    disown();
  };
  try {
    const genesisEngine = await startEngineProcess({
      journalPath: template,
      args: baseArgs,
      startTimeoutMs: ENGINE_START_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
    let genesisError: unknown = null;
    try {
      const g = await genesisInto(genesisEngine.url, workload, o);
      o.log(
        `genesis: ${f0(g.ops)} ops in ${(g.durationMs / 1000).toFixed(1)} s, once for every ramp`,
      );
    } catch (error) {
      genesisError = error;
    }
    // A clean stop flushes the journal the ramps copy; anything else makes it unusable.
    const code = await genesisEngine.stop(signal?.aborted ? 5_000 : undefined);
    if (genesisError !== null) throw genesisError;
    if (code !== 0) throw new CapacityRunError(`the genesis engine exited with code ${code}`);
    const replayStarted = performance.now();
    const engines = await Promise.allSettled(
      settings.map(async (setting, r) => {
        const journal = join(journalDir, `ramp-${r}.ecj`);
        await copyFile(template, journal);
        return startEngineProcess({
          journalPath: journal,
          startTimeoutMs: ENGINE_START_TIMEOUT_MS,
          ...(signal === undefined ? {} : { signal }),
          args: [...baseArgs, ...settingArgs(setting)],
        });
      }),
    );
    started.push(...engines.flatMap((e) => (e.status === 'fulfilled' ? [e.value] : [])));
    o.log(
      `${settings.length} engine(s) replayed the genesis journal in ${((performance.now() - replayStarted) / 1000).toFixed(1)} s`,
    );
    return {
      async ramp(r) {
        const e = engines[r]!;
        if (e.status === 'rejected') throw e.reason;
        const engine = e.value;
        return {
          urls: [engine.url],
          pids: [engine.pid],
          async stop(graceMs) {
            const code = await engine.stop(graceMs);
            await rm(join(journalDir, `ramp-${r}.ecj`), { force: true });
            return [code];
          },
        };
      },
      cpu: (engines) => ({
        engineS: engineCpu(engines.pids),
        databaseS: null,
        machineS: machineCpuSeconds(),
        at: performance.now(),
      }),
      watch: [],
      close,
    };
  } catch (error) {
    await close(5_000);
    throw error;
  }
}

/**
 * Postgres store: genesis into a template database once (through one node), each ramp a copy of
 * it with `setting.nodes` nodes of `setting.threads` threads.
 */
export async function postgresFleet(
  o: FleetOptions,
  workload: Workload,
  settings: readonly RampSetting[],
  baseArgs: readonly string[],
): Promise<Fleet> {
  const { signal } = o;
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-capacity-'));
  const disown = ownTempDir(dir);
  let server: LedgerServer | null = null;
  const close = async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    disown();
  };
  try {
    server = await abortable(openLedgerServer(o.databaseUrl), signal);
    o.log(
      server.private
        ? 'ledger: a private PostgreSQL cluster for this run'
        : 'ledger: databases on the server of --database-url, dropped after the run',
    );
    const template = await server.create();
    const [genesisNode] = await startEngineNodes({
      databaseUrl: template.url,
      nodes: 1,
      args: baseArgs,
      dir,
      startTimeoutMs: ENGINE_START_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
    let genesisError: unknown = null;
    try {
      const g = await genesisInto(genesisNode!.url, workload, o);
      o.log(
        `genesis: ${f0(g.ops)} ops in ${(g.durationMs / 1000).toFixed(1)} s into a template database, copied for every ramp`,
      );
    } catch (error) {
      genesisError = error;
    }
    // The template must have no connections left when it is copied.
    const code = await genesisNode!.stop(signal?.aborted ? 5_000 : undefined);
    if (genesisError !== null) throw genesisError;
    if (code !== 0) throw new CapacityRunError(`the genesis node exited with code ${code}`);
    const ledger = server;
    return {
      async ramp(r) {
        const setting = settings[r]!;
        const db = await ledger.create(template.name);
        let nodes: EngineProcess[];
        try {
          nodes = await startEngineNodes({
            databaseUrl: db.url,
            nodes: setting.nodes ?? 1,
            args: [...baseArgs, ...settingArgs(setting)],
            dir,
            startTimeoutMs: ENGINE_START_TIMEOUT_MS,
            ...(signal === undefined ? {} : { signal }),
          });
        } catch (error) {
          await ledger.drop(db.name);
          throw error;
        }
        return {
          urls: nodes.map((n) => n.url),
          pids: nodes.map((n) => n.pid),
          async stop(graceMs) {
            const codes = await Promise.all(nodes.map((n) => n.stop(graceMs)));
            await ledger.drop(db.name);
            return codes;
          },
        };
      },
      cpu(engines) {
        const pid = ledger.postmasterPid();
        return {
          engineS: engineCpu(engines.pids),
          databaseS: pid === null ? null : treeCpuSeconds(pid),
          machineS: machineCpuSeconds(),
          at: performance.now(),
        };
      },
      watch: databaseWatch(ledger),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
