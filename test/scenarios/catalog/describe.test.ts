/** docs/scenarios.md gives every figure with its source: the generated part matches the catalog. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { factLines, factsOf, sourcesMarkdown } from '../../../scenarios/catalog/describe.js';
import { getScenario, SCENARIOS } from '../../../scenarios/catalog/index.js';
import { DOC_PATH, withSources } from '../../../scenarios/catalog/write-doc.js';
import { isSourced } from '../../../scenarios/model/index.js';

describe('the sources in the docs', () => {
  it('docs/scenarios.md carries the generated table of every figure', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    assert.equal(
      withSources(doc),
      doc,
      'docs/scenarios.md is out of date: run `node dist/scenarios/catalog/write-doc.js`',
    );
  });

  it('names every source URL and every modelled figure of every variant', () => {
    const md = sourcesMarkdown();
    for (const def of SCENARIOS.values())
      for (const spec of Object.values(def.variants))
        for (const f of spec.facts) {
          if (isSourced(f)) assert.ok(md.includes(f.source.url), f.source.url);
          else assert.ok(md.includes(`modelled: ${f.modelled.replaceAll('|', '\\|')}`), f.figure);
        }
  });

  it('lists each shared fact once per scenario and numbers its source', () => {
    const def = getScenario('offline-burst');
    const facts = factsOf(def);
    assert.equal(facts.filter((f) => f.figure === 'the Games').length, 1);
    const lines = factLines(facts);
    assert.ok(
      lines.some((l) => /^the Games: February 4-20, 2022 \[\d+\]$/.test(l)),
      lines.join('\n'),
    );
  });
});
