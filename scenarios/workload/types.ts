/**
 * The workload contract between generation (scenarios) and the load driver.
 *
 * A workload is fully determined by (scenario name, parameters, seed): same inputs, same bytes.
 * It has two parts:
 *  - `genesis`: set-up operations (enroll banks, open wallets, issue, allocate, exchange) sent
 *    before measurement, in order, each acknowledged before the next phase starts;
 *  - `ops`: the measured operations, sorted by intended send time.
 * Every operation carries the outcome it must get, so the driver can check every response.
 */
import type { RejectionCode } from '../../engine/domain/index.js';

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
   * dependency in the same lane so that one process owns both.
   */
  readonly dependsOn: number[];
  /** Lane: the unit of partitioning across load-generator processes (usually the payer). */
  readonly lane: number[];
  /** Operation type, for reporting ("transfer", "exchange", ...). */
  readonly type: string[];
}

export interface WorkloadMeta {
  readonly format: 'ecny-bench/workload/v1';
  readonly scenario: string;
  readonly variant?: string;
  readonly seed: string;
  /** The parameters it was generated from (cache key together with scenario and seed). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Central bank public key (hex) the engine must trust. */
  readonly centralBankKey: string;
  /** Duration of the measured phase in ms (after time compression). */
  readonly durationMs: number;
  /** Planned offered rate per second of the measured phase (index = second). */
  readonly plannedRate: number[];
  /** Count of each expected outcome among `ops`. */
  readonly expectedCounts: Readonly<Record<string, number>>;
  readonly lanes: number;
}

export interface Workload {
  readonly meta: WorkloadMeta;
  readonly genesis: PlannedOps;
  readonly ops: PlannedOps;
}
