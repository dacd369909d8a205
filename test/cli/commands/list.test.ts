/** `ecny-bench list`: every scenario with its sources; with a scenario, every figure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { list } from '../../../cli/commands/list.js';
import { factsOf } from '../../../scenarios/catalog/describe.js';
import { SCENARIOS } from '../../../scenarios/catalog/index.js';
import { isSourced } from '../../../scenarios/model/index.js';

async function output(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.join(' '));
  };
  try {
    const code = await list.run(argv);
    return { code, text: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

describe('list', () => {
  it('shows every scenario, its variants and every source of its figures', async () => {
    const { code, text } = await output([]);
    assert.equal(code, 0);
    for (const def of SCENARIOS.values()) {
      assert.match(text, new RegExp(`^${def.name} `, 'm'));
      for (const f of factsOf(def))
        if (isSourced(f)) assert.ok(text.includes(f.source.url), f.source.url);
    }
    assert.match(text, /^ {2}public-2021 /m);
  });

  it('with a scenario, gives every figure with its source number or modelled label', async () => {
    const { text } = await output(['chengdu-lottery', '--variant', 'claims']);
    const spec = SCENARIOS.get('chengdu-lottery')!.variants.claims!;
    for (const f of spec.facts) assert.ok(text.includes(`${f.figure}: ${f.value}`), f.figure);
    assert.match(text, /\[modelled: /);
    assert.match(text, /^ {2}\[1\] China Daily/m);
  });

  it('refuses an unknown variant with a usage error', async () => {
    await assert.rejects(output(['chengdu-lottery', '--variant', 'nope']), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'USAGE');
      assert.match((e as Error).message, /variants: default, claims/);
      return true;
    });
  });
});
