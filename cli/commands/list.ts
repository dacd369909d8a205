import {
  factLines,
  factSummary,
  factsOf,
  getScenario,
  SCENARIOS,
  TIER_PRESETS,
} from '../../scenarios/catalog/index.js';
import { formatSource, sourcesOf } from '../../scenarios/model/index.js';
import { type Command, parse, UsageError } from './args.js';

const USAGE = `usage: ecny-bench list [<scenario> [--variant V]]
Without a scenario: every scenario, its variants, default thresholds and the sources of its figures.
With one: every figure of the variant (default: the scenario's default), each with its source
or its "modelled" label, then the sources.`;

const PAD = ''.padEnd(20);

function listAll(): void {
  for (const def of SCENARIOS.values()) {
    const variants = Object.keys(def.variants);
    const facts = factsOf(def);
    console.log(`${def.name.padEnd(20)}${def.summary}`);
    console.log(
      `${PAD}variants: ${variants.map((v) => (v === def.defaultVariant ? `${v} (default)` : v)).join(', ')}`,
    );
    if ((def.thresholds ?? []).length > 0)
      console.log(`${PAD}default thresholds: ${def.thresholds!.join(', ')}`);
    console.log(`${PAD}figures: ${factSummary(facts)}; sources:`);
    for (const s of sourcesOf(facts)) console.log(`${PAD}  ${formatSource(s)}`);
    console.log('');
  }
  console.log('wallet tier presets (--tiers on serve and run; or a JSON file in yuan):');
  for (const p of TIER_PRESETS.values()) {
    console.log(`${''.padEnd(2)}${p.name.padEnd(18)}${p.description}`);
    for (const s of sourcesOf(p.facts)) console.log(`${PAD}  ${formatSource(s)}`);
  }
  console.log('\nEvery figure with its source: ecny-bench list <scenario> [--variant V]');
}

function listOne(name: string, variant: string | undefined): void {
  const def = getScenario(name);
  const v = variant ?? def.defaultVariant;
  const spec = def.variants[v];
  if (!spec)
    throw new UsageError(
      `scenario ${name} has no variant "${v}" (variants: ${Object.keys(def.variants).join(', ')})`,
    );
  console.log(`${def.name}/${v}: ${spec.description}`);
  console.log(`figures (${factSummary(spec.facts)}):`);
  for (const line of factLines(spec.facts)) console.log(`  ${line}`);
  console.log('sources:');
  sourcesOf(spec.facts).forEach((s, i) => {
    console.log(`  [${i + 1}] ${formatSource(s)}`);
  });
}

export const list: Command = {
  name: 'list',
  summary: 'list the scenarios, their variants and the sources of their figures',
  async run(argv) {
    const { values, positionals } = parse(argv, { variant: { type: 'string' } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const name = positionals[0];
    if (name === undefined) {
      if (values.variant !== undefined)
        throw new UsageError(`--variant needs a scenario\n${USAGE}`);
      listAll();
    } else listOne(name, values.variant);
    return 0;
  },
};
