/**
 * Starts the engine as a child process (`ecny-bench serve --port 0`), waits until it listens
 * and reports healthy, and stops it with SIGTERM (graceful: drains and flushes the journal).
 * The engine is a separate process, as on a real deployment: the load side shares only HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SuiteName } from '../engine/crypto/index.js';
import {
  DEFAULT_TIERS,
  DEFAULT_TIERS_NAME,
  isoDay,
  tierTableYuan,
} from '../engine/domain/index.js';
import { ENGINE_NODE_FLAGS } from '../engine/service/index.js';
import { ownChild, ownTempDir } from '../lifecycle/index.js';
import { canonicalJson } from '../scenarios/workload/index.js';
import {
  EngineMismatchError,
  EngineOptionsError,
  EngineStartError,
  EngineUnreachableError,
  TargetError,
} from './errors.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface EngineProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for exit; SIGKILL after `graceMs`. Resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface EngineProcessOptions {
  /** Extra `serve` flags, e.g. ['--backend', 'noble', '--threads', '2']. */
  readonly args: readonly string[];
  readonly journalPath: string;
  readonly startTimeoutMs?: number;
  /** Where the engine's stderr goes (default: this process's stderr, so its log shows). */
  readonly stderr?: 'inherit' | 'ignore';
  /** Aborting while the engine starts kills it and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The exit status of `serve` when its flags are unusable (docs/cli.md). */
const SERVE_USAGE_EXIT = 2;

export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const child = spawn(
    process.execPath,
    [
      ...ENGINE_NODE_FLAGS,
      CLI,
      'serve',
      '--port',
      '0',
      '--journal',
      options.journalPath,
      ...options.args,
    ],
    {
      // stderr is held back until the engine listens: if it refuses to start, its reason
      // becomes part of one error line instead of a second, unexplained one.
      stdio: ['ignore', 'pipe', options.stderr === 'ignore' ? 'ignore' : 'pipe'],
    },
  );
  ownChild(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const held: string[] = [];
  let forwarding = false;
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (forwarding) process.stderr.write(`${line}\n`);
      else held.push(line);
    });
  }
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw options.signal.reason;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new EngineStartError(`the embedded engine did not start within ${startTimeoutMs} ms`),
        );
      }, startTimeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const event = JSON.parse(line) as { event?: string; url?: string };
          if (event.event === 'listening' && event.url) {
            clearTimeout(timer);
            resolve(event.url);
          }
        } catch {
          // not an event line
        }
      });
      exited.then((code) => {
        clearTimeout(timer);
        if (options.signal?.aborted) return reject(options.signal.reason);
        // Give the stderr reader the engine's last words before quoting them.
        setImmediate(() => reject(startFailure(code, held)));
      });
    });
    await waitHealthy(url, startTimeoutMs, options.signal);
    forwarding = true;
    for (const line of held.splice(0)) process.stderr.write(`${line}\n`);
    options.signal?.removeEventListener('abort', onAbort);
    return engineHandle(url, child, exited);
  } catch (error) {
    options.signal?.removeEventListener('abort', onAbort);
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** The engine exited before listening: its own reason (last stderr line) in one error. */
function startFailure(
  code: number | null,
  stderr: readonly string[],
): EngineOptionsError | EngineStartError {
  const said = stderr
    .map((l) => l.replace(/^ecny-bench serve: /, '').trim())
    .filter((l) => l !== '')
    .at(-1);
  if (code === SERVE_USAGE_EXIT)
    return new EngineOptionsError(
      `the embedded engine refused its options: ${said ?? 'see ecny-bench serve --help'}`,
    );
  return new EngineStartError(
    `the embedded engine exited with code ${code} before listening${said ? `: ${said}` : ''}`,
  );
}

function engineHandle(
  url: string,
  child: ChildProcess,
  exited: Promise<number | null>,
): EngineProcess {
  return {
    url,
    pid: child.pid!,
    child,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function waitHealthy(
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `/healthz answered ${res.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      last = cause?.code ?? cause?.message ?? (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new EngineUnreachableError(
        `the engine at ${url} is not reachable or not ready after ${(timeoutMs / 1000).toFixed(0)} s (${last})`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What an engine must trust and read from its clock to run a workload. */
export interface EngineFor {
  /** The workload's central bank public key (hex). */
  readonly centralBankKey: string;
  /** The workload's value day. */
  readonly day: number;
  /** The workload's signature suite (absent: Ed25519). */
  readonly suite?: SuiteName;
  /** The workload's parameters: `tiers` names the tier table it was made for. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The `--tiers` argument of the table a workload was made for; null for the default. */
export function tiersArgOf(workload: EngineFor): string | null {
  const name = (workload.params?.tiers as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === DEFAULT_TIERS_NAME) return null;
  return name.replace(/^file:/, '');
}

/** The `serve` flags that make an engine fit a workload. */
export function engineArgsFor(workload: EngineFor): string[] {
  return [
    '--central-bank-key',
    workload.centralBankKey,
    '--today',
    isoDay(workload.day),
    '--suite',
    workload.suite ?? 'ed25519',
    ...(tiersArgOf(workload) === null ? [] : ['--tiers', tiersArgOf(workload)!]),
  ];
}

/** How long `run --target` waits for an external engine to answer /healthz before giving up. */
export const TARGET_WAIT_MS = 10_000;

/**
 * Checks an external engine before anything is sent: a URL that is not http(s) is unusable
 * input; an engine that does not answer /healthz within `timeoutMs` is unreachable.
 */
export async function checkTarget(
  target: string,
  timeoutMs = TARGET_WAIT_MS,
  signal?: AbortSignal,
): Promise<string> {
  let origin: string;
  try {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    origin = url.origin;
  } catch {
    throw new TargetError(`--target must be an http(s) URL, got "${target}"`);
  }
  await waitHealthy(origin, timeoutMs, signal);
  return origin;
}

/**
 * Checks that the engine at `url` trusts the workload's central bank and reads its value day,
 * as its /healthz says: otherwise genesis would be refused (UNKNOWN_SIGNER, BAD_DAY) and the run
 * would only fail after its whole schedule.
 */
export async function checkEngineFits(url: string, workload: EngineFor): Promise<void> {
  const health = (await getEngineJson(`${url}/healthz`)) as
    | { centralBankKey?: unknown; day?: unknown }
    | undefined;
  if (health === undefined) throw new EngineMismatchError(`no /healthz answer from ${url}`);
  const problems: string[] = [];
  if (health.centralBankKey !== workload.centralBankKey)
    problems.push(`it trusts central bank key ${String(health.centralBankKey)}`);
  if (health.day !== workload.day)
    problems.push(
      `its value day is ${typeof health.day === 'number' ? isoDay(health.day) : String(health.day)}`,
    );
  // Expected outcomes (TIER_LIMIT or not) hold only under the tier table they were made for.
  const want = workload.params?.tiers;
  if (want !== undefined) {
    const stats = (await getEngineJson(`${url}/v1/stats`)) as { tiers?: unknown } | undefined;
    const limits = (t: unknown) => {
      if (typeof t !== 'object' || t === null) return canonicalJson(tierTableYuan(DEFAULT_TIERS));
      const { name: _name, ...table } = t as Record<string, unknown>;
      return canonicalJson(table);
    };
    if (stats !== undefined && limits(stats.tiers) !== limits(want)) {
      const name = (stats.tiers as { name?: unknown } | undefined)?.name ?? DEFAULT_TIERS_NAME;
      problems.push(`it enforces other wallet tier limits ("${String(name)}")`);
    }
  }
  if (problems.length > 0) {
    throw new EngineMismatchError(
      `the engine at ${url} does not fit this workload: ${problems.join(' and ')}; ` +
        `start it with: ecny-bench serve ${engineArgsFor(workload).join(' ')}`,
    );
  }
}

/**
 * Runs `body` against `target` if given (after checking it fits the workload), else against a
 * fresh embedded engine (new journal in a temp dir, trusting the workload's central bank key and
 * reading its value day) that is stopped and removed afterwards.
 */
export async function withEngine<T>(
  target: string | undefined,
  workload: EngineFor,
  args: readonly string[],
  body: (url: string, embedded: EngineProcess | null) => Promise<T>,
  signal?: AbortSignal,
  targetWaitMs: number = TARGET_WAIT_MS,
): Promise<T> {
  if (target) {
    const origin = await checkTarget(target, targetWaitMs, signal);
    await checkEngineFits(origin, workload);
    return body(origin, null);
  }
  // A fresh journal per run: genesis needs a blank registry.
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-engine-'));
  const disown = ownTempDir(dir);
  let engine: EngineProcess | null = null;
  try {
    engine = await startEngineProcess({
      journalPath: join(dir, 'journal.ecj'),
      args: [...engineArgsFor(workload), ...args],
      ...(signal === undefined ? {} : { signal }),
    });
    return await body(engine.url, engine);
  } finally {
    if (engine) {
      // Interrupted: the journal is thrown away, so a long drain buys nothing.
      const code = await engine.stop(signal?.aborted ? INTERRUPTED_GRACE_MS : undefined);
      if (code !== 0 && !signal?.aborted)
        console.error(`ecny-bench: the engine exited with code ${code}`);
    }
    await rm(dir, { recursive: true, force: true });
    disown();
  }
}

/** How long an interrupted run's engine may drain before it is killed. */
const INTERRUPTED_GRACE_MS = 5_000;

/** GET a JSON document from the engine (e.g. /v1/stats, /v1/reconcile); undefined if it cannot. */
export async function getEngineJson(url: string, timeoutMs = 60_000): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return (await res.json()) as unknown;
  } catch {
    return undefined;
  }
}
