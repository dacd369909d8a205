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
import { isoDay } from '../engine/domain/index.js';
import { ENGINE_NODE_FLAGS } from '../engine/service/index.js';
import { EngineMismatchError, EngineStartError } from './errors.js';

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
  /** Where the engine's stderr goes (default: inherited, so its log shows). */
  readonly stderr?: 'inherit' | 'ignore';
}

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
      stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new EngineStartError(
          `the engine did not start within ${options.startTimeoutMs ?? 30_000} ms`,
        ),
      );
    }, options.startTimeoutMs ?? 30_000);
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
      reject(new EngineStartError(`the engine exited with code ${code} before listening`));
    });
  });
  await waitHealthy(url, options.startTimeoutMs ?? 30_000);
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

export async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new EngineStartError(`${url} did not become healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
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
  ];
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
): Promise<T> {
  if (target) {
    await checkEngineFits(target, workload);
    return body(target, null);
  }
  // A fresh journal per run: genesis needs a blank registry.
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-engine-'));
  let engine: EngineProcess | null = null;
  try {
    engine = await startEngineProcess({
      journalPath: join(dir, 'journal.ecj'),
      args: [...engineArgsFor(workload), ...args],
    });
    return await body(engine.url, engine);
  } finally {
    if (engine) {
      const code = await engine.stop();
      if (code !== 0) console.error(`ecny-bench: the engine exited with code ${code}`);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** GET a JSON document from the engine (e.g. /v1/stats, /v1/reconcile); undefined if it cannot. */
export async function getEngineJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url);
    return (await res.json()) as unknown;
  } catch {
    return undefined;
  }
}
