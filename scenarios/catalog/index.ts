/**
 * The scenario catalog: the registered pilot scenarios (one file each), the wallet tier presets,
 * and their facts as text for `list`, the report and docs/scenarios.md.
 */
export { factLines, factSummary, factsOf, sourcesMarkdown } from './describe.js';
export {
  getScenario,
  SCENARIOS,
  scenarioNames,
  scenarioVariants,
  UnknownScenarioError,
} from './registry.js';
export { type ResolvedTiers, resolveTiers, TIER_PRESETS, type TierPreset } from './tiers.js';
