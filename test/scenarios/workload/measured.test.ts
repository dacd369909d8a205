/**
 * The measured phase refuses, with a coded error naming the op and its flow, a plan the
 * population cannot carry: payments no payer can fund, invalid ops no payer can build.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIERS, type TierTable } from '../../../engine/domain/index.js';
import { getScenario } from '../../../scenarios/catalog/index.js';
import type { ScenarioDefinition } from '../../../scenarios/model/index.js';
import { generateWorkload, WorkloadGenerationError } from '../../../scenarios/workload/index.js';

/** xiongan-retail with its consumers' genesis funding replaced. */
function xionganFundedWith(coins: number, yuan: number): ScenarioDefinition {
  const def = getScenario('xiongan-retail');
  const spec = def.variants[def.defaultVariant]!;
  const consumers = spec.groups.consumers!;
  return {
    ...def,
    variants: {
      [def.defaultVariant]: {
        ...spec,
        groups: {
          ...spec.groups,
          consumers: { ...consumers, funding: [{ share: 1, coins, yuan }] },
        },
      },
    },
  };
}

describe('the measured phase refuses what the population cannot carry', () => {
  it('payments beyond the funding: population exhausted, naming the op and the flow', () => {
    assert.throws(
      () => generateWorkload(xionganFundedWith(1, 1), { scale: 'small', seed: 'exhausted' }),
      (error: unknown) =>
        error instanceof WorkloadGenerationError &&
        error.code === 'WORKLOAD_GENERATION' &&
        /^population exhausted: op \d+ of flow "\w+" \(consumers -> \w+\)/.test(error.message),
    );
  });

  it('TIER_LIMIT ops where no tier lets a coin exceed its single limit', () => {
    // Balance limits no higher than single limits: no payer can hold a coin above its single.
    const flat = Object.fromEntries(
      ([1, 2, 3, 4] as const).map((t) => [
        t,
        { ...DEFAULT_TIERS[t], balance: DEFAULT_TIERS[t].single },
      ]),
    );
    const tiers = { ...DEFAULT_TIERS, ...flat } as TierTable;
    assert.throws(
      () =>
        generateWorkload('xiongan-retail', {
          scale: 'small',
          seed: 'no-reserves',
          invalidShare: 0.01,
          invalidSplit: { TIER_LIMIT: 1 },
          tiers: { name: 'flat', table: tiers },
        }),
      (error: unknown) =>
        error instanceof WorkloadGenerationError &&
        /^TIER_LIMIT op \d+ of flow "\w+": no payer can build it/.test(error.message),
    );
  });
});
