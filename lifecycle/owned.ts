/**
 * What this process started and must not leave behind: child processes (the embedded engine,
 * load generators) and temporary directories (journals, workload copies). Owners stop and remove
 * them in order on every normal path; this registry is the backstop for the paths that are not
 * normal (a second Ctrl-C, an uncaught error, `process.exit`): on exit, synchronously, every
 * child still running is killed and every directory still registered is removed.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    killOwnedChildren('SIGKILL');
    removeOwnedTempDirs();
  });
}

/** Registers a child process until it exits. */
export function ownChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  installExitHook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Registers a temporary directory; call the returned function once it has been removed. */
export function ownTempDir(path: string): () => void {
  installExitHook();
  tempDirs.add(path);
  return () => {
    tempDirs.delete(path);
  };
}

/** Signals every registered child still running (synchronous; safe in an exit handler). */
export function killOwnedChildren(signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
        n++;
      } catch {
        // already gone
      }
    }
  }
  return n;
}

/** Removes every registered temporary directory (synchronous; safe in an exit handler). */
export function removeOwnedTempDirs(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // nothing more can be done on the way out
    }
  }
  tempDirs.clear();
}

/** Children still registered (for tests and diagnostics). */
export function ownedChildCount(): number {
  return children.size;
}
