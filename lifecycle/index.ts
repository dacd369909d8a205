/**
 * Door of lifecycle/: what a command started, it stops. Signal handling for the commands that
 * run load (first Ctrl-C or SIGTERM: stop in order and keep what was measured; second: stop at
 * once; exit 130 / 143), and the registry of child processes and temporary directories that is
 * emptied on every way out.
 */
export {
  abortable,
  InterruptedError,
  type InterruptWatch,
  SIGNAL_EXIT_CODES,
  type StopSignal,
  type WatchOptions,
  watchInterrupts,
} from './interrupt.js';
export {
  killOwnedChildren,
  ownChild,
  ownedChildCount,
  ownTempDir,
  removeOwnedTempDirs,
} from './owned.js';
