/**
 * The engines a run starts for itself: one engine on the memory store (the default), or N
 * engine nodes on the postgres store sharing one ledger database (`--store postgres
 * --engine-nodes N`), on a private PostgreSQL cluster started for the run (local-postgres) or
 * in a fresh database on a server the user names (`--database-url`). Whatever was started is
 * stopped, and whatever database was created is dropped, when the run ends, Ctrl-C included
 * (the processes and the cluster are owned: lifecycle/ and local-postgres stop them on exit).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError } from '../engine/domain/index.js';
import { ownTempDir } from '../lifecycle/index.js';
import type { WatchedProcess } from '../load/index.js';
import {
  createDatabase,
  dropDatabase,
  runDatabaseName,
  startLocalCluster,
  treeUsage,
} from '../local-postgres/index.js';
import {
  checkEngineFits,
  checkTarget,
  type EngineFor,
  type EngineProcess,
  engineArgsFor,
  startEngineProcess,
  TARGET_WAIT_MS,
  withEngine,
} from './engine-process.js';

export type StoreName = 'memory' | 'postgres';
export const STORE_NAMES: readonly StoreName[] = ['memory', 'postgres'];

/** What `run` and `capacity` start when no `--target` is given. */
export interface EngineDeployment {
  readonly store: StoreName;
  /** Engine processes; more than one only with the postgres store (they share its ledger). */
  readonly nodes: number;
  /**
   * Postgres store: a server to use instead of a private cluster (`postgres://...`); each run
   * creates its own database there and drops it afterwards, so the user needs CREATEDB.
   */
  readonly databaseUrl?: string;
}

export const DEFAULT_DEPLOYMENT: EngineDeployment = { store: 'memory', nodes: 1 };

/** A deployment that cannot be (exit 2). */
export class DeploymentError extends CodedError {
  readonly code = 'BAD_DEPLOYMENT';
  readonly kind = 'input';
}

/** Throws DeploymentError naming the first problem. */
export function checkDeployment(d: EngineDeployment): EngineDeployment {
  if (!STORE_NAMES.includes(d.store))
    throw new DeploymentError(`store must be memory or postgres, got "${d.store}"`);
  if (!(Number.isSafeInteger(d.nodes) && d.nodes >= 1 && d.nodes <= 64))
    throw new DeploymentError(`engine nodes must be an integer in [1, 64], got ${d.nodes}`);
  if (d.store === 'memory' && d.nodes > 1)
    throw new DeploymentError(
      'several engine nodes need the postgres store (--store postgres): memory engines do not share a ledger',
    );
  if (d.databaseUrl !== undefined) {
    if (d.store !== 'postgres') throw new DeploymentError('--database-url is for --store postgres');
    if (!/^postgres(ql)?:\/\//.test(d.databaseUrl))
      throw new DeploymentError('--database-url must be a postgres:// or postgresql:// URL');
  }
  return d;
}

/**
 * The server the ledger databases of a run live on: a private cluster (stopped and removed by
 * `close`) or the user's server (the databases this run created dropped by `close`).
 */
export interface LedgerServer {
  /** True for a private cluster started here (its CPU can be read: `postmasterPid`). */
  readonly private: boolean;
  /** The postmaster of a private cluster while it runs; null for the user's server. */
  postmasterPid(): number | null;
  /** A new database for the run: empty, or a copy of `template` (no connections open to it). */
  create(template?: string): Promise<{ readonly name: string; readonly url: string }>;
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the server for a postgres deployment: the user's (`databaseUrl`) or a private cluster. */
export async function openLedgerServer(databaseUrl?: string): Promise<LedgerServer> {
  const created = new Set<string>();
  const cluster = databaseUrl === undefined ? await startLocalCluster() : null;
  const serverUrl = cluster?.url ?? databaseUrl!;
  return {
    private: cluster !== null,
    postmasterPid: () => cluster?.postmasterPid() ?? null,
    async create(template) {
      const name = runDatabaseName('ecny_run');
      const url = await createDatabase(serverUrl, name, template);
      created.add(name);
      return { name, url };
    },
    async drop(name) {
      await dropDatabase(serverUrl, name);
      created.delete(name);
    },
    async close() {
      if (cluster !== null) {
        await cluster.stop();
        return;
      }
      for (const name of created) await dropDatabase(serverUrl, name).catch(() => undefined);
      created.clear();
    },
  };
}

/**
 * The database server as a watched process of the run's resources (`postgres`: CPU and memory
 * of the postmaster's whole process tree), for a private cluster; nothing for the user's server,
 * whose processes this machine may not even run.
 */
export function databaseWatch(server: LedgerServer): WatchedProcess[] {
  if (!server.private) return [];
  return [
    {
      name: 'postgres',
      read: () => {
        const pid = server.postmasterPid();
        return pid === null ? null : treeUsage(pid);
      },
    },
  ];
}

/** `serve` flags of a node: the store, and its share of the cores unless `args` name threads. */
export function nodeArgs(databaseUrl: string, nodes: number, args: readonly string[]): string[] {
  const threads = args.includes('--threads')
    ? []
    : ['--threads', String(Math.max(1, Math.floor(availableParallelism() / nodes)))];
  return [...args, '--store', 'postgres', '--database-url', databaseUrl, ...threads];
}

export interface StartNodesOptions {
  readonly databaseUrl: string;
  readonly nodes: number;
  /** `serve` flags of every node (the workload's key and day, backend, ...). */
  readonly args: readonly string[];
  /** A directory for the nodes' (unused) journal paths. */
  readonly dir: string;
  readonly startTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Starts `nodes` engine nodes on the database: the first alone (it applies the migrations), the
 * others together. If one fails to start, the ones started are stopped and the error thrown.
 */
export async function startEngineNodes(o: StartNodesOptions): Promise<EngineProcess[]> {
  const args = nodeArgs(o.databaseUrl, o.nodes, o.args);
  const start = (i: number) =>
    startEngineProcess({
      journalPath: join(o.dir, `node-${i}.ecj`),
      args,
      ...(o.startTimeoutMs === undefined ? {} : { startTimeoutMs: o.startTimeoutMs }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
  const first = await start(0);
  const rest = await Promise.allSettled(
    Array.from({ length: o.nodes - 1 }, (_, i) => start(i + 1)),
  );
  const started = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = rest.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((n) => n.stop(5_000)));
    throw failed.reason;
  }
  return started;
}

/**
 * Runs `body` against the engines of a run: the given `targets` (each checked to answer and to
 * fit the workload), else engines started here by `deployment` (one memory engine with a fresh
 * journal, or N nodes on a fresh postgres ledger), stopped and removed afterwards.
 */
export async function withEngines<T>(
  targets: readonly string[] | undefined,
  workload: EngineFor,
  args: readonly string[],
  body: (
    urls: readonly string[],
    embedded: readonly EngineProcess[],
    watch: readonly WatchedProcess[],
  ) => Promise<T>,
  options: {
    readonly signal?: AbortSignal;
    readonly targetWaitMs?: number;
    readonly deployment?: EngineDeployment;
  } = {},
): Promise<T> {
  const { signal } = options;
  if (targets !== undefined && targets.length > 0) {
    const origins: string[] = [];
    for (const target of targets) {
      const origin = await checkTarget(target, options.targetWaitMs ?? TARGET_WAIT_MS, signal);
      await checkEngineFits(origin, workload);
      origins.push(origin);
    }
    return body(origins, [], []);
  }
  const deployment = checkDeployment(options.deployment ?? DEFAULT_DEPLOYMENT);
  if (deployment.store === 'memory') {
    return withEngine(
      undefined,
      workload,
      args,
      (url, engine) => body([url], [engine!], []),
      signal,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-nodes-'));
  const disown = ownTempDir(dir);
  let server: LedgerServer | null = null;
  let nodes: EngineProcess[] = [];
  try {
    server = await openLedgerServer(deployment.databaseUrl);
    const ledger = await server.create();
    nodes = await startEngineNodes({
      databaseUrl: ledger.url,
      nodes: deployment.nodes,
      args: [...engineArgsFor(workload), ...args],
      dir,
      ...(signal === undefined ? {} : { signal }),
    });
    return await body(
      nodes.map((n) => n.url),
      nodes,
      databaseWatch(server),
    );
  } finally {
    const grace = signal?.aborted ? 5_000 : undefined;
    const codes = await Promise.all(nodes.map((n) => n.stop(grace)));
    if (!signal?.aborted && codes.some((c) => c !== 0))
      console.error(`ecny-bench: engine nodes exited with codes ${codes.join(', ')}`);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    disown();
  }
}
