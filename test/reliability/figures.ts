/**
 * The reliability suites' figures (docs/reliability.md quotes them): each suite records its own
 * section into results/reliability/last-run.json (git-ignored). Test files run in parallel
 * processes, so the read-merge-write happens under a lock directory.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled to dist/test/reliability/figures.js: the repository root is three levels up. */
const DIR = fileURLToPath(new URL('../../../results/reliability/', import.meta.url));
export const FIGURES_PATH = join(DIR, 'last-run.json');
const LOCK = join(DIR, '.lock');

async function lock(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed test run is stale after a few seconds.
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 5_000 || attempt > 200) await rm(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Merges `{ [suite]: figures }` into last-run.json, stamped with the time of recording. */
export async function recordFigures(
  suite: string,
  figures: Record<string, unknown>,
): Promise<void> {
  await mkdir(DIR, { recursive: true });
  await lock();
  try {
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(await readFile(FIGURES_PATH, 'utf8')) as Record<string, unknown>;
    } catch {
      // first suite of the run, or an unreadable file: start over
    }
    all[suite] = { ...figures, recordedAt: new Date().toISOString() };
    const tmp = `${FIGURES_PATH}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
    await rename(tmp, FIGURES_PATH);
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}
