/**
 * A private PostgreSQL cluster in a temporary directory: initdb, pg_ctl start, one database, and
 * everything removed again on stop. Listens on 127.0.0.1 (a free port) and a Unix socket in its
 * own directory, with trust authentication: it is a scratch server for one test, bench or run,
 * reachable only from this machine. Stopped on process exit and on SIGINT/SIGTERM too.
 *
 * Settings are PostgreSQL's defaults (fsync and synchronous_commit on: the WAL is the journal)
 * except where `settings` says otherwise.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { asServerUser, findPostgresBinaries, type PostgresBinaries } from './binaries.js';
import { processTree } from './cpu.js';

const run = promisify(execFile);

export interface LocalClusterOptions {
  /** Extra server settings (`-c name=value`), e.g. { shared_buffers: '256MB' }. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Database created for the caller (default `ecny`). */
  readonly database?: string;
  /** Keep the directory after stop (for post-mortems). Default false. */
  readonly keep?: boolean;
}

export interface LocalCluster {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  readonly url: string;
  readonly port: number;
  readonly database: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly binaries: PostgresBinaries;
  /** The postmaster's pid while it runs, else null. */
  postmasterPid(): number | null;
  /** SIGKILLs the postmaster (a crash: no shutdown checkpoint) and waits for its children to go. */
  crash(): Promise<void>;
  /** Starts the server again (after `crash` or `stop({ keepData: true })`): crash recovery runs. */
  start(): Promise<void>;
  /**
   * Stops the server and removes the directory, unless `keep` (then a fast shutdown, with its
   * checkpoint, and the directory kept). Idempotent.
   */
  stop(): Promise<void>;
}

const live = new Set<ClusterImpl>();
let hooksInstalled = false;

/** Starts a fresh private cluster. Throws PostgresUnavailable when the binaries are missing. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const binaries = findPostgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'ecny-pg-'));
  if (binaries.runAs) chownSync(dir, binaries.runAs.uid, binaries.runAs.gid);
  const cluster = new ClusterImpl(binaries, dir, await freePort(), options);
  live.add(cluster);
  installExitHooks();
  try {
    await cluster.init();
    await cluster.start();
    await cluster.createDatabase();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

class ClusterImpl implements LocalCluster {
  readonly binaries: PostgresBinaries;
  readonly dir: string;
  readonly dataDir: string;
  readonly port: number;
  readonly database: string;
  readonly url: string;
  readonly #options: LocalClusterOptions;
  #stopped = false;

  constructor(b: PostgresBinaries, dir: string, port: number, options: LocalClusterOptions) {
    this.binaries = b;
    this.dir = dir;
    this.dataDir = join(dir, 'data');
    this.port = port;
    this.database = options.database ?? 'ecny';
    this.url = `postgres://postgres@127.0.0.1:${port}/${this.database}`;
    this.#options = options;
  }

  async init(): Promise<void> {
    const pwfile = join(this.dir, 'initdb.pw');
    writeFileSync(pwfile, 'unused\n');
    if (this.binaries.runAs) chownSync(pwfile, this.binaries.runAs.uid, this.binaries.runAs.gid);
    const cmd = asServerUser(this.binaries, 'initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
      // A scratch cluster: its files need not reach the disk before it starts (the WAL the
      // tests rely on is fsynced by the server as usual; only a machine crash would lose it).
      '--no-sync',
    ]);
    await run(cmd.file, cmd.args, { cwd: this.dir });
    // Loopback only, trust: a scratch server nobody else can reach.
    writeFileSync(
      join(this.dataDir, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 trust\n',
    );
  }

  async start(): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(this.port),
      unix_socket_directories: this.dir,
      max_connections: '200',
      ...this.#options.settings,
    };
    const opts = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    const cmd = asServerUser(this.binaries, 'pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      opts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    try {
      await run(cmd.file, cmd.args, { cwd: this.dir });
    } catch (error) {
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${this.logTail()}`);
    }
  }

  async createDatabase(): Promise<void> {
    const cmd = asServerUser(this.binaries, 'createdb', [
      '-h',
      this.dir,
      '-p',
      String(this.port),
      '-U',
      'postgres',
      this.database,
    ]);
    await run(cmd.file, cmd.args, { cwd: this.dir });
  }

  postmasterPid(): number | null {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  async crash(): Promise<void> {
    const pid = this.postmasterPid();
    if (pid === null) return;
    const children = [...processTree(pid)].filter((p) => p !== pid);
    process.kill(pid, 'SIGKILL');
    // Backends notice the postmaster's death and exit; a restart waits for the last of them
    // (they still hold the shared memory segment).
    const deadline = Date.now() + 30_000;
    for (const p of [pid, ...children]) {
      while (alive(p) && Date.now() < deadline) await sleep(20);
      if (alive(p)) process.kill(p, 'SIGKILL');
    }
    // A killed postmaster adopted by a parent that has not reaped it yet still "exists" to the
    // next postmaster's stale-lock check: its lock file goes, as it would after a reboot.
    rmSync(join(this.dataDir, 'postmaster.pid'), { force: true });
    rmSync(join(this.dir, `.s.PGSQL.${this.port}.lock`), { force: true });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    live.delete(this);
    if (this.postmasterPid() !== null) {
      // A cluster about to be removed needs no shutdown checkpoint (seconds of writes and
      // fsyncs on a busy disk): immediate. One kept for a post-mortem shuts down cleanly.
      const cmd = asServerUser(this.binaries, 'pg_ctl', [
        '-D',
        this.dataDir,
        '-m',
        this.#options.keep ? 'fast' : 'immediate',
        '-w',
        'stop',
      ]);
      await run(cmd.file, cmd.args, { cwd: this.dir }).catch(() => this.stopNow());
    }
    if (!this.#options.keep) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous stop for exit and signal hooks: immediate shutdown, then remove. */
  stopNow(): void {
    this.#stopped = true;
    live.delete(this);
    const pid = this.postmasterPid();
    if (pid !== null) {
      const cmd = asServerUser(this.binaries, 'pg_ctl', [
        '-D',
        this.dataDir,
        '-m',
        'immediate',
        '-w',
        'stop',
      ]);
      try {
        execFileSync(cmd.file, cmd.args, { stdio: 'ignore', timeout: 20_000 });
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (!this.#options.keep) rmSync(this.dir, { recursive: true, force: true });
  }

  logTail(): string {
    const log = join(this.dir, 'server.log');
    if (!existsSync(log)) return '';
    return readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', () => {
    for (const c of [...live]) c.stopNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      for (const c of [...live]) c.stopNow();
      // Only ours listening: die of the signal as the process would have without us.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Running (a zombie, dead but not yet reaped by whoever adopted it, counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
