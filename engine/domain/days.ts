/**
 * Value days: days since 1970-01-01 UTC. The engine's clock decides the day a payment counts
 * against (docs/api.md, `day`), so limits cannot be spread across days a payer invents.
 */

export const MS_PER_DAY = 86_400_000;

/**
 * How far back an offline transfer's device day may lie from the engine's day when it syncs.
 * Offline spells are meant to be short (the back end settles them later); the bound also caps
 * how many days' limits a payer could claim for payments it says it made offline.
 */
export const OFFLINE_SYNC_DAYS = 7;

/** The UTC day of a time in ms since the epoch. */
export function dayOfMs(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** `YYYY-MM-DD` (UTC) of a value day. */
export function isoDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The value day of a `YYYY-MM-DD` date, or null if it is not one. */
export function parseIsoDay(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (!Number.isFinite(ms) || isoDay(ms / MS_PER_DAY) !== text || ms < 0) return null;
  return ms / MS_PER_DAY;
}
