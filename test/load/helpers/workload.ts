/**
 * Synthetic workloads for driver tests. A body is `{"id":i,"want":"...","dep":d}`: the stub
 * servers answer what `want` says unless told otherwise, so expected outcomes are known.
 */
import {
  type Expected,
  OFFLINE_TRANSFER,
  type PlannedOps,
  type Workload,
} from '../../../scenarios/workload/index.js';

export interface SyntheticSpec {
  readonly ops: number;
  /** Intended rate of the measured phase (ops/s); `at` is evenly spaced. */
  readonly rate: number;
  readonly lanes?: number;
  /** Dependency of op i (an earlier op of the same lane) or -1. Default: none. */
  readonly dependsOn?: (i: number, lane: number) => number;
  /** Expected outcome of op i. Default SETTLED. */
  readonly expected?: (i: number) => Expected;
  readonly genesis?: number;
  /**
   * Whether op i was made offline (typed OFFLINE_TRANSFER); such ops are all made in second 0
   * of the measured phase (`params.offlineMade`) and synced at their send time.
   */
  readonly offline?: (i: number) => boolean;
  /** Report label (operation type) and payment channel of op i. Default transfer, none. */
  readonly type?: (i: number) => string;
  readonly channel?: (i: number) => string;
  readonly seed?: string;
}

export function syntheticWorkload(spec: SyntheticSpec): Workload {
  const lanes = spec.lanes ?? 8;
  const n = spec.ops;
  const interval = 1000 / spec.rate;
  const lane = Array.from({ length: n }, (_, i) => i % lanes);
  const dependsOn = lane.map((l, i) => spec.dependsOn?.(i, l) ?? -1);
  const expected = lane.map((_, i) => spec.expected?.(i) ?? 'SETTLED');
  const ops: PlannedOps = {
    bodies: lane.map((l, i) =>
      JSON.stringify({ id: i, want: expected[i], dep: dependsOn[i], lane: l }),
    ),
    expected,
    at: lane.map((_, i) => i * interval),
    dependsOn,
    lane,
    type: lane.map((_, i) => spec.type?.(i) ?? (spec.offline?.(i) ? OFFLINE_TRANSFER : 'transfer')),
    ...(spec.channel ? { channel: lane.map((_, i) => spec.channel!(i)) } : {}),
  };
  const offlineOps = ops.type.filter((t) => t === OFFLINE_TRANSFER).length;
  const g = spec.genesis ?? 0;
  const genesis: PlannedOps = {
    bodies: Array.from({ length: g }, (_, i) =>
      JSON.stringify({ id: `g${i}`, want: 'SETTLED', dep: -1 }),
    ),
    expected: Array.from({ length: g }, () => 'SETTLED' as const),
    at: Array.from({ length: g }, () => 0),
    dependsOn: Array.from({ length: g }, () => -1),
    lane: Array.from({ length: g }, () => 0),
    type: Array.from({ length: g }, (_, i) => (i < g / 2 ? 'enroll' : 'issue')),
  };
  const counts: Record<string, number> = {};
  for (const e of expected) counts[e] = (counts[e] ?? 0) + 1;
  return {
    meta: {
      format: 'ecny-bench/workload/v1',
      scenario: 'synthetic',
      seed: spec.seed ?? 'seed-1',
      params: {
        ops: n,
        rate: spec.rate,
        lanes,
        scale: 'test',
        ...(spec.offline === undefined ? {} : { offlineMade: [offlineOps] }),
      },
      centralBankKey: '00'.repeat(32),
      day: 0,
      durationMs: n * interval,
      plannedRate: [],
      expectedCounts: counts,
      lanes,
    },
    genesis,
    ops,
  };
}
