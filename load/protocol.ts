/**
 * The messages between the coordinator and its load-generator processes, declared once.
 * Histograms travel as compressed base64 (exact; merged with `add()` on arrival), the workload
 * never travels: each generator loads it from `workloadPath`.
 */
import type { RuntimeSnapshot } from '../engine/metrics/index.js';
import type {
  HistogramKind,
  MismatchSample,
  SecondCounters,
  WireClasses,
} from '../result-format/index.js';
import type { GeneratorConfig } from './options.js';
import type { Segment } from './segment.js';

/** The data one generator gathered for one second since its previous message (a delta). */
export interface WireBucket {
  readonly t: number;
  readonly counters: SecondCounters;
  readonly histograms: Partial<Record<HistogramKind, string>>;
}

/** Outcome counts of one generator at the end. */
export interface GeneratorTally {
  readonly planned: number;
  readonly matched: number;
  readonly mismatched: number;
  readonly lost: number;
  readonly retried: number;
  readonly samples: readonly MismatchSample[];
  /** Per operation type and channel: counts, answers per second, latency histogram. */
  readonly classes?: WireClasses;
}

export type ToGenerator =
  | {
      readonly type: 'init';
      readonly workloadPath: string;
      readonly segment: Segment;
      readonly config: GeneratorConfig;
    }
  | { readonly type: 'start'; readonly startAtMs: number }
  | { readonly type: 'abort' };

export type FromGenerator =
  | { readonly type: 'ready'; readonly planned: number }
  | { readonly type: 'interval'; readonly buckets: readonly WireBucket[] }
  /** The generator process itself, once a second of the run: cumulative, read at `atMs` (epoch). */
  | { readonly type: 'resources'; readonly atMs: number; readonly runtime: RuntimeSnapshot }
  | {
      readonly type: 'done';
      readonly buckets: readonly WireBucket[];
      readonly tally: GeneratorTally;
      /** process.cpuUsage() user + system of the generator process, µs, from init to done. */
      readonly cpuMicros: number;
    }
  | { readonly type: 'failed'; readonly message: string; readonly code: string };

export function isFromGenerator(value: unknown): value is FromGenerator {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (
    type === 'ready' ||
    type === 'interval' ||
    type === 'resources' ||
    type === 'done' ||
    type === 'failed'
  );
}

export function isToGenerator(value: unknown): value is ToGenerator {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'init' || type === 'start' || type === 'abort';
}
