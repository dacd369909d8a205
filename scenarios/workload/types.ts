/**
 * The workload contract between generation (scenarios) and the load driver.
 *
 * A workload is fully determined by (scenario name, parameters, seed): same inputs, same bytes.
 * It has two parts:
 *  - `genesis`: set-up operations (enroll banks, open wallets, issue, allocate, exchange) sent
 *    before measurement, in order, each acknowledged before the next phase starts. A phase is a
 *    maximal run of consecutive ops of the same `type` (enroll, open, issue, allocate, exchange):
 *    within a phase ops may go concurrently (respecting `dependsOn`), but every op of a phase
 *    must be acknowledged before the next phase starts (an exchange pays a wallet its open
 *    registered). Genesis `at` is 0 and its lanes are operator banks.
 *  - `ops`: the measured operations, sorted by intended send time.
 * Every operation carries the outcome it must get, so the driver can check every response.
 *
 * Lanes and dependencies (the rule every generator keeps, so lanes can be split across
 * load-generator processes with no coordination):
 *  - a measured op's lane is its payer (one lane per paying wallet, numbered 0..lanes-1);
 *  - an op may spend coins from genesis (settled before measurement) and outputs of at most one
 *    earlier op, its `dependsOn`, which is always in the same lane;
 *  - coins a wallet receives from another lane during measurement are never spent in the run,
 *    so no dependency crosses lanes;
 *  - expected outcomes hold under any interleaving of lanes and any order of in-flight ops
 *    within a lane, as long as each op is sent after its dependency is acknowledged.
 */
import type { SuiteName } from '../../engine/crypto/index.js';
import type { RejectionCode } from '../../engine/domain/index.js';

/**
 * Op type of a payment made offline (hardware wallet tap, both sides offline) and sent when the
 * payer reconnects: on the wire an `offline-transfer`, dated by the device. The driver counts its
 * answers so a run can chart the offline backlog draining: made per second
 * (`meta.params.offlineMade`, the scenario's model of tap times) minus answered per second.
 */
export const OFFLINE_TRANSFER = 'offline-transfer';

/**
 * Report labels of measured ops (PlannedOps.type) and the wire op each one is. A red-packet
 * claim and a top-up are both an `exchange`; a redemption, a merchant's day-end sweep and the
 * recovery of an expired packet are all a `redeem`; a payment is a `transfer` or, made offline
 * and synced later, an `offline-transfer`.
 */
export const OP_LABELS = {
  transfer: 'transfer',
  [OFFLINE_TRANSFER]: 'offline-transfer',
  open: 'open',
  claim: 'exchange',
  'top-up': 'exchange',
  redeem: 'redeem',
  sweep: 'redeem',
  expiry: 'redeem',
  return: 'return',
  allocate: 'allocate',
} as const;

/** One of OP_LABELS. */
export type OpLabel = keyof typeof OP_LABELS;

/** The answer an op must get: settled, or refused with this code. */
export type Expected = 'SETTLED' | RejectionCode;

/** One pre-signed operation. Arrays are parallel for compactness on disk and in memory. */
export interface PlannedOps {
  /** JSON request body (docs/api.md), exactly as it goes on the wire. */
  readonly bodies: string[];
  readonly expected: Expected[];
  /** Intended send time, ms from the start of the phase (ascending for `ops`). */
  readonly at: number[];
  /**
   * Index (in the same list) of an earlier op whose outputs this one spends, or -1.
   * The driver does not send an op before its dependency is acknowledged. Generators keep a
   * dependency in the same lane so that one process owns both (see the lane rule above). An
   * op expected ALREADY_SPENT depends on the op that spent its coin, so it is refused for that
   * reason whatever the timing.
   */
  readonly dependsOn: number[];
  /** Lane: the unit of partitioning across load-generator processes (usually the payer). */
  readonly lane: number[];
  /**
   * Operation type, for reporting: the wire op type, or a finer label where one wire op plays
   * several roles (OP_LABELS): "transfer", "offline-transfer", "claim", "top-up", "sweep", ...
   */
  readonly type: string[];
  /** Payment channel of a payment ("scan", "tap", "online"), "" for other ops; for reporting. */
  readonly channel?: string[];
}

/** What a workload is and how it was made; everything but the ops. */
export interface WorkloadMeta {
  readonly format: 'ecny-bench/workload/v1';
  readonly scenario: string;
  readonly variant?: string;
  readonly seed: string;
  /** The parameters it was generated from (cache key together with scenario and seed). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Signature suite of every key, signature and transaction id (absent in older files: Ed25519). */
  readonly suite?: SuiteName;
  /** Central bank public key (hex) the engine must trust. */
  readonly centralBankKey: string;
  /**
   * Value day of every op (days since 1970-01-01 UTC): the engine must read this day from its
   * clock (`serve --today <YYYY-MM-DD>`), or it refuses the ops with BAD_DAY.
   */
  readonly day: number;
  /** Duration of the measured phase in ms (after time compression). */
  readonly durationMs: number;
  /** Planned offered rate per second of the measured phase (index = second). */
  readonly plannedRate: number[];
  /** Count of each expected outcome among `ops`. */
  readonly expectedCounts: Readonly<Record<string, number>>;
  readonly lanes: number;
}

/** A complete workload: set-up, then the measured ops. */
export interface Workload {
  readonly meta: WorkloadMeta;
  readonly genesis: PlannedOps;
  readonly ops: PlannedOps;
}
