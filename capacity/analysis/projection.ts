/**
 * Capacity projection: how many engine cores and machines of the measured kind are needed to
 * serve a target rate at the SLO, naively (linear scaling) and with the USL's scaling losses,
 * falling back to shared-nothing shards when one engine cannot get there.
 */
import { fmtInt, fmtRate, fmtSig } from './format.js';
import { type UslParams, uslPeakN, uslThroughput } from './usl.js';

/** The rate publicly reported as e-CNY's design target (transactions per second). */
export const E_CNY_DESIGN_TPS = 300_000;

/** A USL model to project with: a {@link UslFit} fits, as do bare parameters. */
export type UslModel = UslParams & {
  readonly trustworthy?: boolean;
  readonly reason?: string;
};

/** Context for the assumption lines; free text, printed as given. */
export interface ProjectionAssumptions {
  /** e.g. "Ed25519 (RFC 8032), one signature per transfer". */
  readonly signatureSuite: string;
  /** e.g. "@noble/curves" or "node:crypto (OpenSSL)". */
  readonly backend: string;
  /** How and where `perCoreTps` was measured, e.g. "elbow of a stepped ramp, 2-core CI runner". */
  readonly perCoreSource: string;
  /** Further lines, appended as given. */
  readonly extra?: readonly string[];
}

/** Input of {@link projectCapacity}. */
export interface ProjectionInput {
  /** Target rate, tx/s. Default {@link E_CNY_DESIGN_TPS}. */
  readonly targetTps?: number;
  /** Settled tx/s one engine core sustains at the SLO (e.g. elbow rate ÷ engine cores). */
  readonly perCoreTps: number;
  /** USL fitted on engine cores (N) -> settled tx/s; omit for the linear projection only. */
  readonly usl?: UslModel;
  /** Cores per machine of the measured kind (an engine cannot span machines). */
  readonly coresPerMachine: number;
  /** Planned utilisation, (0, 1]: 0.7 plans every core at 70% of what it was measured to do. */
  readonly headroom: number;
  /** The p99 SLO in ms the per-core rate was measured under. */
  readonly sloMs: number;
  readonly assumptions: ProjectionAssumptions;
}

/** Linear scaling: target ÷ (per-core rate × headroom). */
export interface LinearProjection {
  /** perCoreTps × headroom. */
  readonly usablePerCoreTps: number;
  readonly cores: number;
  readonly machines: number;
}

/** One engine per machine, partitioned by coin-id prefix. */
export interface ShardPlan {
  /** Cores per shard: the N ≤ coresPerMachine with the highest predicted throughput. */
  readonly coresPerShard: number;
  /** Usable rate of one shard: X(coresPerShard) × headroom. */
  readonly tpsPerShard: number;
  readonly shards: number;
  readonly totalCores: number;
  /** One shard per machine. */
  readonly machines: number;
}

/** What one engine can do according to the USL. */
export interface SingleEngine {
  /** Whether some N gives X(N) × headroom >= target. */
  readonly reachable: boolean;
  /** Smallest such N, or null. */
  readonly cores: number | null;
  /** reachable and cores <= coresPerMachine. */
  readonly fitsOneMachine: boolean;
  readonly reason: string;
}

/** USL-based part of the projection. */
export interface UslProjection {
  readonly params: UslParams;
  /** Copied from the model; true when the model does not say (bare parameters). */
  readonly trustworthy: boolean;
  /** The model's reason, or null for bare parameters (quality unknown). */
  readonly trustReason: string | null;
  /** Continuous peak of X(N), null when κ = 0. */
  readonly peak: { readonly n: number; readonly x: number } | null;
  /**
   * Most one engine can do at any integer N (before headroom): X at the best integer near the
   * peak; λ/σ (approached, never reached) when κ = 0 < σ; null when unbounded (σ = κ = 0).
   */
  readonly ceilingTps: number | null;
  readonly singleEngine: SingleEngine;
  readonly sharded: ShardPlan;
}

/** Result of {@link projectCapacity}. */
export interface CapacityProjection {
  readonly targetTps: number;
  readonly perCoreTps: number;
  readonly coresPerMachine: number;
  readonly headroom: number;
  readonly sloMs: number;
  readonly linear: LinearProjection;
  readonly usl: UslProjection | null;
  /** One printable sentence: what to provision. */
  readonly recommendation: string;
  /** Every assumption behind the numbers, as printable lines. */
  readonly assumptions: readonly string[];
}

/** ceil that forgives floating-point dust: 40.000000000001 -> 40. */
function ceilTol(x: number): number {
  return Math.max(1, Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x))));
}

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0))
    throw new RangeError(`${name} must be a positive number, got ${v}`);
}

/** Smallest integer N >= 1 with X(N) >= need, or null if no N reaches it. */
export function uslCoresFor(p: UslParams, need: number): number | null {
  const { lambda, sigma, kappa } = p;
  if (lambda >= need) return 1;
  let root: number;
  if (kappa === 0) {
    if (sigma === 0) root = need / lambda;
    // X(N) -> λ/σ from below and never reaches it.
    else if (need >= lambda / sigma) return null;
    else root = (need * (1 - sigma)) / (lambda - sigma * need);
  } else {
    const best = uslBestInteger(p, Number.POSITIVE_INFINITY);
    if (uslThroughput(p, best) < need) return null;
    // X(N) >= need  <=>  need·κ·N² + (need·(σ−κ) − λ)·N + need·(1−σ) <= 0; smallest root, in
    // the cancellation-free form 2c / (−b + √disc).
    const a = need * kappa;
    const b = need * (sigma - kappa) - lambda;
    const c = need * (1 - sigma);
    const disc = Math.max(0, b * b - 4 * a * c);
    root = -b > 0 ? (2 * c) / (-b + Math.sqrt(disc)) : best;
  }
  // Round, then fix the last unit against the model itself (floating point near the root).
  let n = Math.max(1, Math.ceil(root - 1e-9 * Math.max(1, root)));
  for (let i = 0; i < 8 && uslThroughput(p, n) < need; i++) n++;
  for (let i = 0; i < 8 && n > 1 && uslThroughput(p, n - 1) >= need; i++) n--;
  return uslThroughput(p, n) >= need ? n : null;
}

/** Integer N in [1, limit] with the highest X(N) (X is unimodal, so check around the peak). */
export function uslBestInteger(p: UslParams, limit: number): number {
  const peak = uslPeakN(p);
  if (peak === null)
    return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : Number.MAX_SAFE_INTEGER;
  const candidates = [Math.floor(peak), Math.ceil(peak)].map((n) =>
    Math.min(Math.max(1, n), Math.max(1, Math.floor(limit))),
  );
  return uslThroughput(p, candidates[0]!) >= uslThroughput(p, candidates[1]!)
    ? candidates[0]!
    : candidates[1]!;
}

function projectUsl(model: UslModel, target: number, input: ProjectionInput): UslProjection {
  const params = { lambda: model.lambda, sigma: model.sigma, kappa: model.kappa };
  positive('usl.lambda', params.lambda);
  for (const k of ['sigma', 'kappa'] as const) {
    if (!(params[k] >= 0 && params[k] <= 1)) throw new RangeError(`usl.${k} must be in [0, 1]`);
  }
  const { headroom, coresPerMachine } = input;
  const need = target / headroom;
  const peakN = uslPeakN(params);
  const peak = peakN === null ? null : { n: peakN, x: uslThroughput(params, peakN) };
  let ceilingTps: number | null;
  if (params.kappa > 0)
    ceilingTps = uslThroughput(params, uslBestInteger(params, Number.POSITIVE_INFINITY));
  else ceilingTps = params.sigma > 0 ? params.lambda / params.sigma : null;

  const cores = uslCoresFor(params, need);
  const fitsOneMachine = cores !== null && cores <= coresPerMachine;
  let reason: string;
  if (cores === null) {
    reason =
      `one shared-nothing engine cannot reach ${fmtInt(target)} TPS with cores at ${fmtSig(headroom * 100, 3)}%: ` +
      `it tops out at ${fmtInt(ceilingTps ?? 0)} TPS` +
      (peak === null
        ? ' (λ/σ, approached but never reached)'
        : ` near N = ${fmtSig(peak.n, 3)} cores`);
  } else if (!fitsOneMachine) {
    reason = `one engine would need ${fmtInt(cores)} cores, more than the ${coresPerMachine} of one machine`;
  } else {
    reason =
      `one engine with ${cores} of the machine's ${coresPerMachine} cores reaches ${fmtInt(target)} TPS ` +
      `with cores at ${fmtSig(headroom * 100, 3)}%`;
  }

  const coresPerShard = uslBestInteger(params, coresPerMachine);
  const tpsPerShard = uslThroughput(params, coresPerShard) * headroom;
  const shards = ceilTol(target / tpsPerShard);
  return {
    params,
    trustworthy: model.trustworthy ?? true,
    trustReason: model.reason ?? null,
    peak,
    ceilingTps,
    singleEngine: { reachable: cores !== null, cores, fitsOneMachine, reason },
    sharded: {
      coresPerShard,
      tpsPerShard,
      shards,
      totalCores: shards * coresPerShard,
      machines: shards,
    },
  };
}

function assumptionLines(
  input: ProjectionInput,
  target: number,
  linear: LinearProjection,
  usl: UslProjection | null,
): string[] {
  const a = input.assumptions;
  const spare = Math.round((1 - input.headroom) * 100);
  const lines = [
    target === E_CNY_DESIGN_TPS
      ? `Target: ${fmtInt(target)} TPS, the figure publicly reported as e-CNY's design target, served at p99 <= ${fmtSig(input.sloMs)} ms.`
      : `Target: ${fmtInt(target)} TPS, served at p99 <= ${fmtSig(input.sloMs)} ms.`,
    `Signature suite: ${a.signatureSuite}.`,
    `Crypto backend: ${a.backend}.`,
    `Per-core rate: ${fmtRate(input.perCoreTps)} settled TPS per engine core, measured as ${a.perCoreSource}.`,
    `SLO: p99 <= ${fmtSig(input.sloMs)} ms; the per-core rate carries over only if it was measured at the elbow under this same SLO.`,
    `Headroom: cores planned at ${fmtSig(input.headroom * 100, 3)}% of their measured capacity (${spare}% spare for bursts, GC pauses and failover).`,
    `Machines: of the measured kind, ${input.coresPerMachine} cores each; an engine runs on one machine with its own journal device; load generators are not counted.`,
    `Linear projection: perfect scaling (no contention, no coherency cost), ${fmtInt(linear.cores)} cores; optimistic, since real scaling losses only add cores.`,
  ];
  if (usl === null) {
    lines.push('USL: no fit supplied, so scaling losses are not modelled at all.');
    return [...lines, ...(a.extra ?? [])];
  }
  const p = usl.params;
  lines.push(
    `USL: λ = ${fmtRate(p.lambda)} TPS at N = 1 (per-core rate used for the linear projection: ${fmtRate(input.perCoreTps)}).`,
    `USL contention σ = ${fmtSig(p.sigma)}: ${fmtSig(p.sigma * 100, 3)}% of the work is serialised, capping one engine at λ/σ${p.sigma > 0 ? ` = ${fmtInt(p.lambda / p.sigma)} TPS` : ' (no cap)'} even without coherency cost.`,
    `USL coherency penalty κ = ${fmtSig(p.kappa)}: cross-core coordination growing with N²; ${
      usl.peak === null
        ? 'κ = 0 predicts no retrograde region'
        : `throughput peaks at N* = ${fmtSig(usl.peak.n, 3)} cores (${fmtInt(usl.peak.x)} TPS) and falls beyond`
    }.`,
    usl.trustReason === null
      ? 'USL parameters supplied without a fit report: their quality (points, R²) is not known.'
      : usl.trustworthy
        ? `USL fit trusted: ${usl.trustReason.replace(/\.$/, '')}.`
        : `USL fit NOT trustworthy: ${usl.trustReason.replace(/\.$/, '')}. The USL-based numbers are indicative only.`,
  );
  if (usl.singleEngine.fitsOneMachine) {
    lines.push('Sharding: not needed, one engine on one machine reaches the target.');
  } else {
    lines.push(
      `Sharding: shards are independent engines partitioned by coin-id prefix (as OpenCBDC shards its unspent set), one per machine with ${usl.sharded.coresPerShard} cores, sharing nothing; coin ids are hashes, so load spreads evenly.`,
      'Cross-shard transactions (inputs in several shards) need coordination (OpenCBDC: atomizer or two-phase commit) that is not modelled; if many transactions span shards, more shards are needed.',
    );
  }
  return [...lines, ...(a.extra ?? [])];
}

/**
 * Project the engine cores and machines needed to serve `targetTps` (default 300,000) at the
 * SLO: a linear estimate (target ÷ per-core rate ÷ headroom) and, when a USL model is given,
 * the smallest N with X(N) × headroom >= target — or, when one engine cannot get there (the USL
 * peak is below the target, or the N needed exceeds one machine), the number of shared-nothing
 * shards of the best size that fits a machine. Returns every assumption as printable lines.
 *
 * @throws RangeError on non-positive rates, headroom outside (0, 1], a non-integer
 *   coresPerMachine or USL parameters out of range.
 */
export function projectCapacity(input: ProjectionInput): CapacityProjection {
  const target = input.targetTps ?? E_CNY_DESIGN_TPS;
  positive('targetTps', target);
  positive('perCoreTps', input.perCoreTps);
  positive('sloMs', input.sloMs);
  if (!(input.headroom > 0 && input.headroom <= 1)) {
    throw new RangeError(`headroom must be in (0, 1], got ${input.headroom}`);
  }
  if (!(Number.isInteger(input.coresPerMachine) && input.coresPerMachine >= 1)) {
    throw new RangeError(`coresPerMachine must be an integer >= 1, got ${input.coresPerMachine}`);
  }
  const usablePerCoreTps = input.perCoreTps * input.headroom;
  const linearCores = ceilTol(target / usablePerCoreTps);
  const linear = {
    usablePerCoreTps,
    cores: linearCores,
    machines: ceilTol(linearCores / input.coresPerMachine),
  };
  const usl = input.usl === undefined ? null : projectUsl(input.usl, target, input);

  let recommendation: string;
  if (usl === null) {
    recommendation =
      `${fmtInt(linear.cores)} engine cores on ${fmtInt(linear.machines)} machine(s), assuming linear ` +
      'scaling (no USL fit, so this is a lower bound)';
  } else {
    const s = usl.sharded;
    const prefix = usl.trustworthy ? '' : 'Indicative only (USL fit not trustworthy): ';
    if (usl.singleEngine.fitsOneMachine) {
      recommendation = `${prefix}${usl.singleEngine.reason}: 1 machine`;
    } else {
      recommendation =
        `${prefix}${usl.singleEngine.reason}; partition by coin-id prefix into ${fmtInt(s.shards)} shards ` +
        `of ${s.coresPerShard} cores (${fmtRate(s.tpsPerShard)} usable TPS each): ${fmtInt(s.machines)} machines, ` +
        `${fmtInt(s.totalCores)} cores`;
    }
  }
  return {
    targetTps: target,
    perCoreTps: input.perCoreTps,
    coresPerMachine: input.coresPerMachine,
    headroom: input.headroom,
    sloMs: input.sloMs,
    linear,
    usl,
    recommendation,
    assumptions: assumptionLines(input, target, linear, usl),
  };
}
