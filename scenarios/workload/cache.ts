/**
 * On-disk workload cache: `<cacheDir>/<key>.workload`, where the key hashes the generator
 * version, the full scenario data and the resolved options (seed included). A hit skips
 * generation; an unreadable file is regenerated and replaced. Writes are atomic (temp + rename),
 * so concurrent runs never see a half-written file.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { ScenarioDefinition, ScenarioOptions } from '../model/index.js';
import { generateWorkload, type ProgressListener, resolve, workloadKey } from './generate.js';
import { createProgressBar } from './progress.js';
import { parseWorkload, serializeWorkload } from './serialize.js';
import type { Workload } from './types.js';

/** Relative to the working directory (git-ignored). */
export const DEFAULT_CACHE_DIR = '.cache/workloads';

/** How loadOrGenerateWorkload uses the cache and reports progress. */
export interface LoadOptions {
  readonly cacheDir?: string;
  /** Skip the cache: always generate, never write. */
  readonly noCache?: boolean;
  /**
   * Progress: true (default) draws a bar on stderr when it is a TTY and generation passes 1 s;
   * false is silent; a function receives every update.
   */
  readonly progress?: boolean | ProgressListener;
}

/** A workload and where it came from. */
export interface LoadedWorkload {
  readonly workload: Workload;
  /** True when read from the cache. */
  readonly cached: boolean;
  /** The cache file (read or written), or null with noCache. */
  readonly path: string | null;
  readonly key: string;
  /** Wall time of generation or load, ms. */
  readonly ms: number;
}

/** Where the workload for these inputs is (or would be) cached. */
export function workloadCachePath(
  scenario: string | ScenarioDefinition,
  options: ScenarioOptions = {},
  cacheDir: string = DEFAULT_CACHE_DIR,
): string {
  return resolvePath(join(cacheDir, `${workloadKey(resolve(scenario, options))}.workload`));
}

/** Loads the workload from the cache, or generates (and caches) it. */
export async function loadOrGenerateWorkload(
  scenario: string | ScenarioDefinition,
  options: ScenarioOptions = {},
  load: LoadOptions = {},
): Promise<LoadedWorkload> {
  const started = performance.now();
  const key = workloadKey(resolve(scenario, options));
  const path = load.noCache
    ? null
    : resolvePath(join(load.cacheDir ?? DEFAULT_CACHE_DIR, `${key}.workload`));
  if (path) {
    try {
      const workload = parseWorkload(await readFile(path, 'utf8'));
      return { workload, cached: true, path, key, ms: performance.now() - started };
    } catch (e) {
      // Missing is the normal miss; a corrupt or foreign file is replaced below.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await rm(path, { force: true });
    }
  }
  const bar =
    load.progress === false || typeof load.progress === 'function' ? null : createProgressBar();
  const onProgress = typeof load.progress === 'function' ? load.progress : bar?.listener;
  let workload: Workload;
  try {
    workload = generateWorkload(scenario, options, onProgress ? { onProgress } : {});
  } finally {
    bar?.done();
  }
  if (path) {
    await mkdir(resolvePath(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, serializeWorkload(workload));
    await rename(tmp, path);
  }
  return { workload, cached: false, path, key, ms: performance.now() - started };
}
