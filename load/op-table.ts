/**
 * The per-op bookkeeping of one load generator, in one place: its share of the workload's ops,
 * indexed by local op k (ascending intended time), as parallel typed arrays (no object per op:
 * a city share is hundreds of thousands of ops, touched on every send and answer).
 */
import { OFFLINE_TRANSFER, type Workload } from '../scenarios/workload/index.js';
import { DriverError } from './errors.js';
import { ownsLane, type Segment } from './segment.js';

export class OpTable {
  /** Ops in the share. */
  readonly size: number;
  // What each op is (fixed at set-up).
  /** The op's index in the workload. */
  readonly global: Int32Array;
  /** Intended send time, ms from the run's start. */
  readonly intended: Float64Array;
  readonly expected: string[];
  /** 1 for a payment made offline and synced now: its answers drain the offline backlog. */
  readonly offline: Uint8Array;
  /** Local index of the op this one waits for, or -1. */
  readonly dep: Int32Array;
  // Where each op stands (changes as the run goes).
  /** The generator's op state (PENDING, WAITING, READY, ...). */
  readonly state: Uint8Array;
  /** performance.now() when the op became sendable (intended time, answer of its dependency, retry time). */
  readonly release: Float64Array;
  /**
   * performance.now() from which latency counts: the intended send time, or the answer of the
   * op's dependency when that came later (a retry keeps it: its wait is part of the latency).
   */
  readonly origin: Float64Array;
  /** performance.now() of the op's latest write to a socket. */
  readonly sentAt: Float64Array;
  readonly overloads: Uint8Array;
  readonly connectFailures: Uint8Array;
  /** 1 when the op may have reached the engine twice (resent after a connection error). */
  readonly maybeDuplicate: Uint8Array;
  /** First-waiter / next-waiter lists of ops waiting for a dependency (-1: none). */
  readonly waitHead: Int32Array;
  readonly waitNext: Int32Array;

  private constructor(share: readonly number[]) {
    const m = share.length;
    this.size = m;
    this.global = Int32Array.from(share);
    this.intended = new Float64Array(m);
    this.expected = new Array<string>(m);
    this.offline = new Uint8Array(m);
    this.dep = new Int32Array(m);
    this.state = new Uint8Array(m);
    this.release = new Float64Array(m);
    this.origin = new Float64Array(m);
    this.sentAt = new Float64Array(m);
    this.overloads = new Uint8Array(m);
    this.connectFailures = new Uint8Array(m);
    this.maybeDuplicate = new Uint8Array(m);
    this.waitHead = new Int32Array(m).fill(-1);
    this.waitNext = new Int32Array(m).fill(-1);
  }

  /**
   * The share of `segment` among the first `n` ops, at the arrival times `at`, and each op's
   * request body (`probe` instead of every body when given). Throws DRIVER_BAD_WORKLOAD when an
   * op depends on one outside the share.
   */
  static build(
    workload: Workload,
    at: ArrayLike<number>,
    n: number,
    segment: Segment,
    probe: Buffer | null,
  ): { table: OpTable; bodies: Array<Buffer | string> } {
    const ops = workload.ops;
    const share: number[] = [];
    for (let i = 0; i < n; i++) if (ownsLane(ops.lane[i]!, segment)) share.push(i);
    const table = new OpTable(share);
    const bodies = new Array<Buffer | string>(share.length);
    const localOf = new Map<number, number>();
    for (let k = 0; k < share.length; k++) {
      const i = share[k]!;
      localOf.set(i, k);
      table.intended[k] = at[i]!;
      bodies[k] = probe ?? ops.bodies[i]!;
      table.expected[k] = ops.expected[i]!;
      if (ops.type[i] === OFFLINE_TRANSFER) table.offline[k] = 1;
      const d = ops.dependsOn[i]!;
      const local = d < 0 ? -1 : localOf.get(d);
      if (local === undefined) {
        throw new DriverError(
          'DRIVER_BAD_WORKLOAD',
          `op ${i} depends on op ${d}, which segment ${segment.index}/${segment.count} does not own; ` +
            'a dependency must stay in the same lane',
        );
      }
      table.dep[k] = local;
    }
    return { table, bodies };
  }
}
