/**
 * The machine and software a run happened on, so a result can be reproduced and compared.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from './schema.js';

/** Packages whose versions shape the figures; recorded in every result. */
export const TRACKED_PACKAGES = [
  'undici',
  'piscina',
  '@noble/curves',
  'hdr-histogram-js',
  'autocannon',
] as const;

/** Describes this host, the installed package versions and the git commit (null outside git). */
export function collectEnvironment(root: string = projectRoot()): Environment {
  const cpuList = cpus();
  const packages: Record<string, string> = {};
  for (const name of TRACKED_PACKAGES) {
    const version = packageVersion(root, name);
    if (version !== null) packages[name] = version;
  }
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryBytes: totalmem(),
    os: `${type()} ${release()} ${process.arch}`,
    node: process.version,
    packages,
    gitCommit: gitCommit(root),
    hostname: hostname(),
  };
}

/** The directory holding the project's package.json (found from this module, not the cwd). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (isRecord(parsed) && parsed['name'] === 'ecny-bench') return dir;
      } catch {
        // not ours: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function packageVersion(root: string, name: string): string | null {
  try {
    const parsed: unknown = JSON.parse(
      readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
    );
    return isRecord(parsed) && typeof parsed['version'] === 'string' ? parsed['version'] : null;
  } catch {
    return null;
  }
}

function gitCommit(root: string): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
