/**
 * Which lanes a load generator owns. Every generator computes its own share from its position,
 * with no central dispatcher (k6's execution segments): lanes are dealt round-robin first to
 * shards (hosts, `--shard i/N`), then within a shard to its local processes. Dependencies stay
 * inside one lane by contract, so one process owns an op and everything it depends on.
 */
import { DriverError } from './errors.js';

/** This host's part of a multi-host run: shard `index` of `count` (0-based). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One generator's share: lanes where `lane % count === index`. */
export interface Segment {
  readonly index: number;
  readonly count: number;
}

/** The whole run on one host. */
export const WHOLE: Shard = { index: 0, count: 1 };

/**
 * The segment of local process `local` of `processes` within `shard`.
 * Shard i of N owns lanes with lane % N === i; its process j of P owns those whose
 * floor(lane / N) % P === j, which is lane % (N·P) === i + N·j.
 */
export function segmentOf(shard: Shard, local: number, processes: number): Segment {
  return { index: shard.index + shard.count * local, count: shard.count * processes };
}

export function ownsLane(lane: number, segment: Segment): boolean {
  return lane % segment.count === segment.index;
}

/**
 * The target a segment's generator sends to, of several engine nodes: segment index modulo the
 * targets. Every lane then goes to one target (a lane's ops, which depend on each other, to one
 * node), and with `count` a multiple of the targets, lane L goes to target L mod targets.
 */
export function targetOf<T>(segment: Segment, targets: readonly T[]): T {
  if (targets.length === 0) throw new RangeError('no targets');
  return targets[segment.index % targets.length]!;
}

/** Parses `--shard i/N` (0 <= i < N). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match === null ? Number.NaN : Number(match[1]);
  const count = match === null ? Number.NaN : Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new DriverError(
      'DRIVER_BAD_OPTIONS',
      `--shard must be i/N with 0 <= i < N, got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/**
 * Parses `--start-at`: epoch milliseconds, an ISO-8601 time, or `+<seconds>` from now
 * (handy when starting shards by hand). Returns epoch ms.
 */
export function parseStartAt(text: string, now: number = Date.now()): number {
  const t = text.trim();
  let value = Number.NaN;
  if (/^\+\d+(\.\d+)?$/.test(t)) value = now + Number(t.slice(1)) * 1000;
  else if (/^\d+$/.test(t)) value = Number(t);
  else value = Date.parse(t);
  if (!Number.isFinite(value)) {
    throw new DriverError(
      'DRIVER_BAD_OPTIONS',
      `--start-at must be epoch ms, an ISO time or +seconds, got ${JSON.stringify(text)}`,
    );
  }
  return Math.round(value);
}
