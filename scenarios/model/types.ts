/**
 * The scenario model: a scenario is pure data (k6-style), validated before anything starts.
 *
 * A scenario variant = a population (groups of wallets with tiers, kinds and genesis funding),
 * an arrival-rate curve (the shape of the offered load over the measured phase), and a
 * transaction mix (weighted flows: who pays whom, how much, with which coins). The workload
 * generator interprets this data generically; it never looks at a scenario's name.
 *
 * Time inside a scenario is normalised: `u` in [0, 1] spans the measured phase. The same `u`
 * maps to wall-clock send times (over `durationS`) and to simulated time (over the scenario's
 * real-world `windowS`, compressed by `timeCompression`), which dates each payment's value day.
 * Money is in yuan here (readable); the workload is in fen.
 */
import type { SuiteName } from '../../engine/crypto/index.js';
import {
  CodedError,
  type TierTable,
  type WalletKind,
  type WalletTier,
} from '../../engine/domain/index.js';
import type { ArrivalCurve } from '../../rates/index.js';
import type { Fact } from './facts.js';

/** The scales every scenario defines, smallest first. */
export const SCALES = ['small', 'city', 'national'] as const;
/** `small` generates and runs in well under a minute on a laptop; the others scale up. */
export type Scale = (typeof SCALES)[number];
/** A value given per scale. */
export type PerScale<T> = Readonly<Record<Scale, T>>;

/** The invalid operations a workload injects, each built to fail for exactly this reason. */
export const INVALID_CODES = [
  'BAD_SIGNATURE',
  'ALREADY_SPENT',
  'TIER_LIMIT',
  'UNKNOWN_COIN',
] as const;
/** One of INVALID_CODES. */
export type InvalidCode = (typeof INVALID_CODES)[number];
/** Relative weights over the invalid codes (normalised; missing codes weigh 0). */
export type InvalidSplit = Readonly<Partial<Record<InvalidCode, number>>>;

/** A payment amount distribution, in yuan; drawn amounts are rounded to the fen. */
export type AmountModel =
  | { readonly kind: 'fixed'; readonly yuan: number }
  | {
      readonly kind: 'choice';
      readonly yuan: readonly number[];
      readonly weights?: readonly number[];
    }
  | { readonly kind: 'uniform'; readonly minYuan: number; readonly maxYuan: number }
  /** Log-normal with the given median and log-space sigma, clamped to [minYuan, maxYuan]. */
  | {
      readonly kind: 'lognormal';
      readonly medianYuan: number;
      readonly sigma: number;
      readonly minYuan: number;
      readonly maxYuan: number;
    };

/** How payees of a group are chosen. */
export type Popularity =
  | { readonly kind: 'uniform' }
  /** Zipf over the group's members: member at rank r (0-based) weighs 1/(r+1)^s. */
  | { readonly kind: 'zipf'; readonly s: number }
  /** Each member once, in a seeded shuffled order, then again (payroll-style fan-out). */
  | { readonly kind: 'each' };

/** Genesis funding of a share of a group's wallets: `coins` coins of `yuan` each. */
export interface FundingSpec {
  /** Fraction of the group's wallets funded this way, chosen by the seeded PRNG. */
  readonly share: number;
  readonly coins: number | PerScale<number>;
  readonly yuan: number;
}

/**
 * Wallets that open and receive their funding during the run (a red-packet claim: the bank
 * registers the wallet, then exchanges the packet into it), instead of in genesis. Members
 * without funding never open.
 */
export interface ClaimSpec {
  /** Window of normalised time in which the claims arrive. */
  readonly from: number;
  readonly to: number;
  /** Relative claim rate over the window (normalised to it): the claim storm's shape. */
  readonly arrival: ArrivalCurve;
}

/** A population group: wallets of one role in the scenario (payers, payees or both). */
export interface GroupSpec {
  readonly kind: WalletKind;
  /** Relative weights over wallet tiers. */
  readonly tiers: Readonly<Partial<Record<WalletTier, number>>>;
  readonly count: PerScale<number>;
  /** Genesis coins (bank exchange). Several coins per wallet allow parallel spending. */
  readonly funding?: readonly FundingSpec[];
  /** How the group's members are picked as payees. Default uniform. */
  readonly popularity?: Popularity;
  /** Open and fund the group's wallets during the run (a claim storm) rather than in genesis. */
  readonly claim?: ClaimSpec;
}

/** Bank exchanges into wallets during the run (top-ups): one per chosen wallet. */
export interface TopUpSpec {
  readonly group: string;
  /** Share of the group's wallets (those opened by then) that top up once. */
  readonly share: number;
  readonly amount: AmountModel;
  /** Window of normalised time (a claimed wallet tops up after its claim). */
  readonly from: number;
  readonly to: number;
}

/** Wallets redeeming e-CNY to their bank accounts during the run: one per chosen wallet. */
export interface RedemptionSpec {
  readonly group: string;
  readonly share: number;
  /** Drawn amount; a wallet pays at most one coin's worth (what it can spend in one op). */
  readonly amount: AmountModel;
  readonly from: number;
  readonly to: number;
}

/** Merchants sweeping the day's takings to their bank at day end. */
export interface SweepSpec {
  /** A merchant group that receives payments. */
  readonly group: string;
  /** Share of the group's merchants that sweep. */
  readonly share: number;
  /** Beijing hour of the day-end sweep (each simulated day in the window). */
  readonly hour: number;
  /** Sweeps spread over this many simulated minutes after the hour. */
  readonly spreadMinutes: number;
}

/** Expiry of red packets: what is left of each wallet's funding is recovered after the window. */
export interface ExpirySpec {
  /** Funded groups whose funding is a packet (spent first, so a payment uses it before own money). */
  readonly groups: readonly string[];
  /** When recovery starts (normalised time) and how long it takes. */
  readonly at: number;
  readonly spread: number;
  /** The bank hands recovered money back to the issuance vault (a `return` after the redeem). */
  readonly returnToIssuer: boolean;
}

/** Bank vault replenishment: an `allocate` from the issuance vault when a bank's float runs low. */
export interface ReplenishSpec {
  /** The modelled working float of each bank at the start, yuan. */
  readonly floatYuan: number;
  /** Below this, the central bank allocates `amountYuan` to the bank. */
  readonly lowWaterYuan: number;
  readonly amountYuan: number;
}

/**
 * The two-tier flows in the measured load, besides payments: the central bank and the banks at
 * work while wallets pay. Their ops come on top of the scale's `payments`.
 */
export interface TwoTierSpec {
  readonly topUps?: readonly TopUpSpec[];
  readonly redemptions?: readonly RedemptionSpec[];
  readonly sweeps?: readonly SweepSpec[];
  readonly expiry?: ExpirySpec;
  readonly replenish?: ReplenishSpec;
}

/**
 * Coin selection of a payer.
 * - `chain`: spend the latest change first, so every payment depends on the previous one (a
 *   serial dependency chain per payer: the hotspot).
 * - `fresh`: spend a genesis coin that covers the amount when one is left (independent
 *   payments), falling back to change.
 */
export type CoinStrategy = 'chain' | 'fresh';

/** A kind of payment: a transfer from a payer group to a payee group. */
export interface FlowSpec {
  readonly payer: string;
  readonly payee: string;
  readonly amount: AmountModel;
  readonly coins: CoinStrategy;
  /** If the drawn amount exceeds what the payer may still spend, pay that instead (spend down). */
  readonly capToAvailable?: boolean;
  /** Payment channel labels (scan, tap, online) and weights: reported, the wire op is a transfer. */
  readonly channels?: Readonly<Record<string, number>>;
  /**
   * Offline payments: made during [from, to] (normalised time) while disconnected, sent when the
   * flow is weighted in the mix (which must be after `to`). Their value day is the day made.
   */
  readonly offline?: { readonly from: number; readonly to: number };
  /** Invalid split for this flow's invalid ops, unless the run overrides the split. */
  readonly invalidSplit?: InvalidSplit;
}

/** Relative flow weights. */
export type Mix = Readonly<Record<string, number>>;

/** A window of normalised time with its own mix. */
export interface Phase {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly mix: Mix;
}

/** Load at one scale: the measured valid payments and the default run length. */
export interface ScaleSpec {
  /** Valid measured payments (invalid ops are added on top, as `invalidShare` of all ops). */
  readonly payments: number;
  readonly durationS: number;
  /** How this scale relates to the real figures (e.g. "real counts", "1/20 of city"). */
  readonly note: string;
}

/** One fully specified scenario variant: pure data. */
export interface ScenarioSpec {
  readonly name: string;
  readonly variant: string;
  readonly description: string;
  /** Simulated start, Beijing wall-clock time as `YYYY-MM-DDTHH:MM` (value days are Beijing dates). */
  readonly start: string;
  /** Real-world span of the measured phase in seconds (compressed into `durationS`). */
  readonly windowS: number;
  /** Operator banks enrolled in genesis; wallets are spread over them. */
  readonly banks: readonly string[];
  readonly groups: Readonly<Record<string, GroupSpec>>;
  readonly flows: Readonly<Record<string, FlowSpec>>;
  readonly arrival: ArrivalCurve;
  /** Mix outside any phase. */
  readonly mix: Mix;
  /** Time windows with their own mix (non-overlapping). */
  readonly phases?: readonly Phase[];
  readonly scales: PerScale<ScaleSpec>;
  /** Scenario defaults for the invalid share and split (run options override). */
  readonly invalid?: { readonly share?: number; readonly split?: InvalidSplit };
  /** Two-tier flows in the measured load (top-ups, redemptions, sweeps, expiry, replenishment). */
  readonly twoTier?: TwoTierSpec;
  /**
   * Where every figure above comes from: a public source or a `modelled` label, each naming
   * the parameters it is used for (scenarios/model/facts.ts). Validation refuses a figure that
   * no fact covers. Not an input of generation.
   */
  readonly facts: readonly Fact[];
}

/** A registered scenario: its variants, each a full spec. */
export interface ScenarioDefinition {
  readonly name: string;
  readonly summary: string;
  readonly defaultVariant: string;
  readonly variants: Readonly<Record<string, ScenarioSpec>>;
  /**
   * Default thresholds of a run of this scenario (`p99<1s`, docs/cli.md), used unless the run
   * gives its own. Not part of the workload: changing them regenerates nothing.
   */
  readonly thresholds?: readonly string[];
}

/** Run options (all optional; defaults from the scenario and its scale). */
export interface ScenarioOptions {
  readonly variant?: string;
  readonly scale?: Scale;
  /** Length of the measured phase, seconds. */
  readonly durationS?: number;
  /** Simulated seconds per wall second. Default: the scenario window over `durationS`. */
  readonly timeCompression?: number;
  readonly seed?: string;
  /** Signature suite of keys, signatures and transaction ids. Default 'ed25519'. */
  readonly suite?: SuiteName;
  /** Share of all measured ops that are invalid, in [0, 0.5]. Default 0.02. */
  readonly invalidShare?: number;
  /** Overrides every flow's split over the invalid codes. */
  readonly invalidSplit?: InvalidSplit;
  /**
   * The wallet tier table the engine enforces (scenarios/catalog/tiers.ts); default the 2020
   * operator-bank table. The workload is generated against it.
   */
  readonly tiers?: RunTiers;
}

/** A named tier table (a preset, or `file:<path>`). */
export interface RunTiers {
  readonly name: string;
  readonly table: TierTable;
}

/** A scenario resolved against run options: everything the generator needs, nothing implicit. */
export interface ResolvedScenario {
  readonly spec: ScenarioSpec;
  readonly scale: Scale;
  readonly seed: string;
  readonly suite: SuiteName;
  readonly durationS: number;
  readonly timeCompression: number;
  readonly invalidShare: number;
  /** The run-level split override, if any (else each flow's or the scenario's). */
  readonly invalidSplit: Readonly<Record<InvalidCode, number>> | null;
  readonly payments: number;
  readonly tiers: RunTiers;
}

/** Seed used when a run names none. */
export const DEFAULT_SEED = 'ecny-bench';
/** Share of invalid ops when neither the run nor the scenario says. */
export const DEFAULT_INVALID_SHARE = 0.02;
/** Split over invalid codes when neither the run, the flow nor the scenario says. */
export const DEFAULT_INVALID_SPLIT: Readonly<Record<InvalidCode, number>> = {
  BAD_SIGNATURE: 0.25,
  ALREADY_SPENT: 0.25,
  TIER_LIMIT: 0.25,
  UNKNOWN_COIN: 0.25,
};

/** One configuration error: where and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by `resolveScenario` with every problem found, not just the first. */
export class ScenarioConfigError extends CodedError {
  readonly code = 'BAD_SCENARIO';
  readonly kind = 'input';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid scenario configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
    );
    this.issues = issues;
  }
}

/** `path: message`, e.g. `mix.transfer: must be >= 0`. */
export function formatIssue(issue: ConfigIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
