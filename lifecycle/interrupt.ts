/**
 * Ctrl-C and SIGTERM (what `timeout` and a CI cancel send) for the commands that run load:
 * the first signal aborts an AbortSignal so the command stops in order (load generators, then
 * the engine, then temporary files) and writes what it measured, marked incomplete; a second
 * signal stops at once (children killed, temporary directories removed). Either way the exit
 * status is the shell's: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
 */
import { killOwnedChildren, removeOwnedTempDirs } from './owned.js';

/** Exit status after a signal, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Thrown (as an AbortSignal's reason) when a signal cut the work short. */
export class InterruptedError extends Error {
  readonly code = 'INTERRUPTED';
  readonly signal: StopSignal;
  constructor(signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

export interface InterruptWatch {
  /** Aborted at the first signal, with an InterruptedError as its reason. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  received(): StopSignal | null;
  /** 130 / 143 once a signal arrived, else null. */
  exitCode(): number | null;
  /** Removes the handlers (the default behaviour of the signals returns). */
  dispose(): void;
}

export interface WatchOptions {
  /** One line per signal (default: stderr). */
  readonly say?: (line: string) => void;
  /**
   * False for work that cannot stop in order (a closed-loop autocannon run): the first signal
   * then already stops at once. Default true.
   */
  readonly orderly?: boolean;
}

/** Installs SIGINT and SIGTERM handlers for the duration of a command. */
export function watchInterrupts(options: WatchOptions = {}): InterruptWatch {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const orderly = options.orderly ?? true;
  const controller = new AbortController();
  let first: StopSignal | null = null;
  const handler = (signal: StopSignal) => {
    if (first === null && orderly) {
      first = signal;
      say(
        `\necny-bench: ${signal} received: stopping the load and the engine, then writing what was measured ` +
          `(${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once)`,
      );
      controller.abort(new InterruptedError(signal));
      return;
    }
    first ??= signal;
    say(`ecny-bench: ${signal}: stopping now (child processes killed, temporary files removed)`);
    killOwnedChildren('SIGKILL');
    removeOwnedTempDirs();
    process.exit(SIGNAL_EXIT_CODES[first]);
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => first,
    exitCode: () => (first === null ? null : SIGNAL_EXIT_CODES[first]),
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/**
 * Resolves like `work`, or rejects with the signal's reason as soon as `signal` aborts (the work
 * itself goes on in the background until its owner stops what it talks to).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
