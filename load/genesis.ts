/**
 * The genesis phase: set-up operations (enroll banks, open wallets, issue, allocate, exchange)
 * sent before measurement, closed-loop with bounded concurrency. Consecutive ops of one type form
 * a step; a step starts only when every op of the previous one is answered (an `open` needs its
 * bank enrolled even without a coin dependency), and within a step an op waits for its
 * `dependsOn`. Any answer other than the expected one aborts: the engine's state would no longer
 * match what the workload assumes, and every measured outcome would be wrong.
 */
import { Pool } from 'undici';
import type { PlannedOps } from '../scenarios/workload/index.js';
import { classifyAnswer } from './answer.js';
import { DriverError, GenesisMismatchError } from './errors.js';

export interface GenesisOptions {
  /** The engine, or several engine nodes on one ledger: op i goes to target i mod count. */
  readonly target: string | readonly string[];
  readonly path: string;
  readonly concurrency: number;
  /** Retries of an op answered 503 OVERLOADED (at least GENESIS_MIN_RETRIES). */
  readonly maxRetries: number;
}

/**
 * Genesis is setup, not measurement: an op the engine sheds (503 OVERLOADED, nothing applied)
 * is sent again after its Retry-After until the engine catches up. The engine sheds by how long
 * work has waited, so a starved machine sheds genesis too; at ~1 s per Retry-After this floor
 * allows minutes of shedding before a run gives up.
 */
export const GENESIS_MIN_RETRIES = 300;

export interface GenesisReport {
  readonly ops: number;
  readonly steps: number;
  readonly retried: number;
  readonly durationMs: number;
}

/** Sends every genesis op and checks every answer; rejects with GenesisMismatchError. */
export async function sendGenesis(
  genesis: PlannedOps,
  options: GenesisOptions,
): Promise<GenesisReport> {
  const started = performance.now();
  const n = genesis.bodies.length;
  const targets = typeof options.target === 'string' ? [options.target] : options.target;
  // Round-robin over the nodes: an op waits for its step's predecessors and its dependency to be
  // answered (committed on the shared ledger) before it is sent, whichever node it goes to.
  const pools = targets.map((t) => new Pool(t, { connections: options.concurrency }));
  const answered = new Uint8Array(n);
  const waiters = new Map<number, Array<() => void>>();
  let retried = 0;
  let steps = 0;
  const maxRetries = Math.max(options.maxRetries, GENESIS_MIN_RETRIES);

  const whenAnswered = (i: number): Promise<void> | undefined => {
    if (answered[i] === 1) return undefined;
    return new Promise((resolve) => {
      const list = waiters.get(i) ?? [];
      list.push(resolve);
      waiters.set(i, list);
    });
  };

  const sendOne = async (i: number): Promise<void> => {
    const dep = genesis.dependsOn[i]!;
    if (dep >= 0) await whenAnswered(dep);
    for (let attempt = 0; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: string | string[] | undefined;
      try {
        const res = await pools[i % pools.length]!.request({
          path: options.path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: genesis.bodies[i]!,
        });
        status = res.statusCode;
        retryAfter = res.headers['retry-after'];
        text = await res.body.text();
      } catch (error) {
        throw new DriverError(
          'DRIVER_GENESIS_FAILED',
          `genesis op ${i} (${genesis.type[i]}) got no answer from ${targets[i % targets.length]}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const answer = classifyAnswer(status, text, retryAfter);
      if (answer.kind === 'overloaded' && attempt < maxRetries) {
        retried++;
        await new Promise((resolve) => setTimeout(resolve, answer.retryAfterMs));
        continue;
      }
      const got =
        answer.kind === 'settled'
          ? 'SETTLED'
          : answer.kind === 'rejected'
            ? answer.code
            : answer.kind === 'overloaded'
              ? 'OVERLOADED'
              : answer.got;
      if (got !== genesis.expected[i]) {
        throw new GenesisMismatchError(i, genesis.type[i] ?? '?', genesis.expected[i]!, got);
      }
      answered[i] = 1;
      for (const resolve of waiters.get(i) ?? []) resolve();
      waiters.delete(i);
      return;
    }
  };

  try {
    let begin = 0;
    while (begin < n) {
      let end = begin + 1;
      while (end < n && genesis.type[end] === genesis.type[begin]) end++;
      steps++;
      await runBounded(begin, end, options.concurrency, sendOne);
      begin = end;
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
  return { ops: n, steps, retried, durationMs: performance.now() - started };
}

/** Runs `task(i)` for i in [begin, end), in order, at most `limit` at a time; fails fast. */
async function runBounded(
  begin: number,
  end: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = begin;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < end && failure === undefined) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, end - begin) }, worker));
  if (failure !== undefined) throw failure;
}
