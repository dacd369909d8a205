/**
 * The scenario registry: every scenario by name, one file per scenario beside this one.
 * Adding a scenario = a new file exporting a ScenarioDefinition, and one line in DEFINITIONS.
 */
import { CodedError } from '../../engine/domain/index.js';
import type { ScenarioDefinition } from '../model/index.js';
import { chengduLottery } from './chengdu-lottery.js';
import { offlineBurst } from './offline-burst.js';
import { shenzhenLottery } from './shenzhen-lottery.js';
import { suzhouSubsidy } from './suzhou-subsidy.js';
import { xionganRetail } from './xiongan-retail.js';

const DEFINITIONS: readonly ScenarioDefinition[] = [
  suzhouSubsidy,
  xionganRetail,
  shenzhenLottery,
  chengduLottery,
  offlineBurst,
];

/** Every registered scenario, by name. */
export const SCENARIOS: ReadonlyMap<string, ScenarioDefinition> = new Map(
  DEFINITIONS.map((d) => [d.name, d]),
);

/** A scenario name that is not registered; the message lists the known ones. */
export class UnknownScenarioError extends CodedError {
  readonly code = 'UNKNOWN_SCENARIO';
  readonly kind = 'input';
  constructor(name: string) {
    super(`unknown scenario "${name}" (known: ${[...SCENARIOS.keys()].join(', ')})`);
  }
}

/** Names of the registered scenarios, in registration order. */
export function scenarioNames(): string[] {
  return [...SCENARIOS.keys()];
}

/** The definition registered as `name`; throws UnknownScenarioError listing the known names. */
export function getScenario(name: string): ScenarioDefinition {
  const def = SCENARIOS.get(name);
  if (!def) throw new UnknownScenarioError(name);
  return def;
}

/** Every (scenario, variant) pair, for listings and tests. */
export function scenarioVariants(): { scenario: string; variant: string }[] {
  return DEFINITIONS.flatMap((d) =>
    Object.keys(d.variants).map((variant) => ({ scenario: d.name, variant })),
  );
}
