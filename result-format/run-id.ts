/**
 * Run ids: sortable by time, readable, unique.
 * Format: `2026-11-23T11-05-00Z-xiongan-retail-small-1a2b3c4` (UTC start, scenario name,
 * variant if any, scale, 7 hex of a hash over everything that makes the run distinct).
 */
import { createHash } from 'node:crypto';

export interface RunIdParts {
  readonly startedAt: Date;
  readonly scenario: string;
  readonly variant?: string;
  readonly scale: string;
  /** Anything else that distinguishes runs started in the same second (seed, host, shard). */
  readonly salt: string;
}

export function makeRunId(parts: RunIdParts): string {
  const stamp = parts.startedAt
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        parts.startedAt.getTime(),
        parts.scenario,
        parts.variant ?? '',
        parts.scale,
        parts.salt,
      ]),
    )
    .digest('hex')
    .slice(0, 7);
  const name = [parts.scenario, parts.variant, parts.scale]
    .filter((s): s is string => s !== undefined && s !== '')
    .map(slug)
    .join('-');
  return `${stamp}-${name}-${hash}`;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
