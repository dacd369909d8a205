/**
 * Resolution: a scenario definition plus run options becomes one explicit ResolvedScenario.
 * Everything is validated first and all problems are thrown together, before any work starts.
 */
import { DEFAULT_TIERS, DEFAULT_TIERS_NAME } from '../../engine/domain/index.js';
import {
  DEFAULT_INVALID_SHARE,
  DEFAULT_SEED,
  INVALID_CODES,
  type InvalidCode,
  type InvalidSplit,
  type ResolvedScenario,
  ScenarioConfigError,
  type ScenarioDefinition,
  type ScenarioOptions,
} from './types.js';
import { validateDefinition, validateOptions } from './validate.js';

/** Normalises a split to weights over every invalid code that sum to 1. */
export function normaliseSplit(split: InvalidSplit): Readonly<Record<InvalidCode, number>> {
  let sum = 0;
  for (const c of INVALID_CODES) sum += split[c] ?? 0;
  const out = {} as Record<InvalidCode, number>;
  for (const c of INVALID_CODES) out[c] = sum > 0 ? (split[c] ?? 0) / sum : 0;
  return out;
}

/** Validates the definition and options together and fills in every default. */
export function resolveScenario(
  def: ScenarioDefinition,
  options: ScenarioOptions = {},
): ResolvedScenario {
  const tiers = options.tiers ?? { name: DEFAULT_TIERS_NAME, table: DEFAULT_TIERS };
  const issues = [
    ...validateDefinition(def, tiers.table),
    ...validateOptions(options, def).map((i) => ({ ...i, path: `options.${i.path}` })),
  ];
  if (issues.length > 0) throw new ScenarioConfigError(issues);
  const spec = def.variants[options.variant ?? def.defaultVariant]!;
  const scale = options.scale ?? 'small';
  const sc = spec.scales[scale];
  const durationS = options.durationS ?? sc.durationS;
  return {
    spec,
    scale,
    seed: options.seed ?? DEFAULT_SEED,
    suite: options.suite ?? 'ed25519',
    durationS,
    timeCompression: options.timeCompression ?? spec.windowS / durationS,
    invalidShare: options.invalidShare ?? spec.invalid?.share ?? DEFAULT_INVALID_SHARE,
    invalidSplit: options.invalidSplit ? normaliseSplit(options.invalidSplit) : null,
    payments: sc.payments,
    tiers,
  };
}

/** Milliseconds of Beijing wall-clock time, counted as if it were UTC (value days are Beijing dates). */
export function startLocalMs(start: string): number {
  return Date.parse(`${start}:00Z`);
}
