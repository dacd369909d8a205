/** Validation reports every problem, with paths, before anything starts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getScenario, SCENARIOS, scenarioNames } from '../../../scenarios/catalog/index.js';
import {
  type ConfigIssue,
  formatIssue,
  isSourced,
  resolveScenario,
  ScenarioConfigError,
  type ScenarioDefinition,
  type ScenarioSpec,
  type SourcedFact,
  validateDefinition,
  validateFacts,
  validateOptions,
  validateSpec,
} from '../../../scenarios/model/index.js';
import { generateWorkload, workloadKey } from '../../../scenarios/workload/index.js';

const messages = (issues: readonly ConfigIssue[]) => issues.map(formatIssue);

describe('the catalog', () => {
  it('registers the five pilot scenarios, each valid', () => {
    assert.deepEqual(scenarioNames(), [
      'suzhou-subsidy',
      'xiongan-retail',
      'shenzhen-lottery',
      'chengdu-lottery',
      'offline-burst',
    ]);
    for (const def of SCENARIOS.values()) assert.deepEqual(messages(validateDefinition(def)), []);
    assert.deepEqual(Object.keys(getScenario('suzhou-subsidy').variants).sort(), [
      'double12',
      'hotspot',
      'presplit',
    ]);
  });

  it('names the known scenarios when asked for an unknown one', () => {
    assert.throws(
      () => getScenario('atlantis'),
      /unknown scenario "atlantis" \(known: suzhou-subsidy/,
    );
  });
});

describe('validateSpec', () => {
  const good = getScenario('xiongan-retail').variants.default!;

  it('collects every error of a broken spec, each with its path', () => {
    const bad = {
      ...good,
      windowS: -1,
      banks: ['ICBC', 'ICBC'],
      mix: { catering: -1, teleport: 1 },
      arrival: { kind: 'curve', points: [{ t: 0.2, rate: 1 }] },
      groups: {
        ...good.groups,
        consumers: {
          ...good.groups.consumers!,
          tiers: { 5: 1 },
          funding: [{ share: 2, coins: 1, yuan: 0.001 }],
        },
      },
      flows: {
        ...good.flows,
        catering: {
          ...good.flows.catering!,
          payer: 'nobody',
          amount: { kind: 'lognormal', medianYuan: 10, sigma: 0, minYuan: 5, maxYuan: 1 },
        },
      },
      phases: [{ name: 'evening', from: 0.9, to: 0.5, mix: { retail: 1 } }],
      scales: { ...good.scales, small: { payments: 0, durationS: 10, note: '' } },
    };
    const got = messages(validateSpec(bad));
    const want = [
      'windowS: must be > 0',
      'banks[1]: is listed twice',
      'groups.consumers.tiers.5: must be a tier 1, 2, 3 or 4',
      'groups.consumers.funding[0].share: must be <= 1',
      'groups.consumers.funding[0].yuan: must be a whole number of fen (0.01 yuan)',
      'flows.catering.payer: is not a group of this scenario',
      'flows.catering.amount.sigma: must be > 0',
      'flows.catering.amount.maxYuan: must be >= minYuan',
      'arrival.points: must have at least two points',
      'mix.catering: must be >= 0',
      'mix.teleport: is not a flow of this scenario',
      'phases[0].to: must be > from',
      'scales.small.payments: must be >= 1',
    ];
    for (const m of want) assert.ok(got.includes(m), `missing "${m}" in:\n${got.join('\n')}`);
    assert.ok(got.length >= want.length);
  });

  it('rejects funding above a tier balance limit and offline flows sent before reconnecting', () => {
    const ob = getScenario('offline-burst').variants.default!;
    const bad: ScenarioSpec = {
      ...ob,
      groups: {
        ...ob.groups,
        visitors: { ...ob.groups.visitors!, funding: [{ share: 1, coins: 30, yuan: 50 }] },
      },
      mix: { online: 1, offline: 1 },
    };
    const got = messages(validateSpec(bad));
    assert.ok(
      got.includes(
        'groups.visitors.funding: 1500 yuan at scale small exceeds the tier 4 balance limit of 1000 yuan',
      ),
      got.join('\n'),
    );
    assert.ok(
      got.includes(
        'mix.offline: an offline flow may only be weighted in a phase after it reconnects',
      ),
      got.join('\n'),
    );
  });
});

describe('two-tier flows', () => {
  const week = getScenario('shenzhen-lottery').variants.default!;

  it('collects every problem of the two-tier flows and claims, with paths', () => {
    const bad = {
      ...week,
      groups: {
        ...week.groups,
        merchants: {
          ...week.groups.merchants!,
          claim: { from: 0.5, to: 0.2, arrival: { kind: 'constant' } },
        },
      },
      twoTier: {
        topUps: [
          { group: 'merchants', share: 0, amount: { kind: 'fixed', yuan: 5 }, from: 0, to: 1 },
        ],
        sweeps: [{ group: 'winners', share: 0.3, hour: 25, spreadMinutes: 30 }],
        expiry: { groups: ['nobody'], at: 0.9, spread: 0.2, returnToIssuer: 'yes' },
        replenish: { floatYuan: 100, lowWaterYuan: 100, amountYuan: 50 },
        lottery: true,
      },
    };
    const got = messages(validateSpec(bad));
    const want = [
      'groups.merchants.claim.to: must be > from',
      'groups.merchants.claim: a claimed group needs funding to claim',
      'groups.merchants.claim: a claimed group cannot be a payee (its wallets open during the run)',
      'groups.merchants.claim: a claimed group must pay in some flow',
      'twoTier.lottery: unknown field (allowed: topUps, redemptions, sweeps, expiry, replenish)',
      'twoTier.topUps[0].group: must be a personal group',
      'twoTier.topUps[0].share: must be > 0',
      'twoTier.sweeps[0].group: must be a merchant group',
      'twoTier.sweeps[0].hour: must be <= 23.99',
      'twoTier.expiry.groups[0]: is not a group of this scenario',
      'twoTier.expiry.spread: must end by the end of the run (at + spread <= 1)',
      'twoTier.expiry.returnToIssuer: must be a boolean',
      'twoTier.replenish.lowWaterYuan: must be below floatYuan',
    ];
    for (const m of want) assert.ok(got.includes(m), `missing "${m}" in:\n${got.join('\n')}`);
  });
});

describe('facts', () => {
  const good = getScenario('shenzhen-lottery').variants.default!;

  it('every registered variant cites a source or a modelled label for every figure', () => {
    for (const def of SCENARIOS.values())
      for (const spec of Object.values(def.variants)) {
        assert.deepEqual(messages(validateFacts(spec as unknown as Record<string, unknown>)), []);
        assert.ok(spec.facts.some(isSourced), `${def.name}/${spec.variant} cites no source`);
      }
  });

  it('refuses a figure no fact covers, naming its path', () => {
    const facts = good.facts
      .map((f) => ({ ...f, uses: f.uses.filter((u) => !u.startsWith('groups.merchants')) }))
      .filter((f) => f.uses.length > 0);
    const got = messages(validateSpec({ ...good, facts }));
    assert.deepEqual(got, [
      'groups.merchants.count: a figure with neither a source nor a modelled label (no fact uses it)',
      'groups.merchants.tiers: a figure with neither a source nor a modelled label (no fact uses it)',
      'groups.merchants.popularity: a figure with neither a source nor a modelled label (no fact uses it)',
    ]);
  });

  it('refuses a fact with neither a source nor a modelled label, or with both', () => {
    const bare = { figure: 'merchants', value: '3,389', uses: ['groups.merchants.count'] };
    const both = { ...good.facts[0]!, modelled: 'also a guess' };
    const got = messages(validateSpec({ ...good, facts: [...good.facts, bare, both] }));
    const n = good.facts.length;
    assert.deepEqual(got, [
      `facts[${n}]: has neither a source nor a modelled label`,
      `facts[${n + 1}]: has both a source and a modelled label: choose one`,
    ]);
  });

  it('checks every field of a source and every path a fact names', () => {
    const bad = {
      figure: 'merchants',
      value: '3,389',
      source: {
        publisher: '',
        date: '2020-13-01',
        title: 'T',
        url: 'ftp://example.org/x',
        by: 'me',
      },
      uses: ['groups.merchants.count', 'groups.shoppers.count', 'phases[0]'],
    };
    const got = messages(validateSpec({ ...good, facts: [...good.facts, bad] }));
    const n = good.facts.length;
    assert.deepEqual(got, [
      `facts[${n}].source.by: unknown field (allowed: publisher, date, title, url, note)`,
      `facts[${n}].source.publisher: must be a non-empty string`,
      `facts[${n}].source.date: must be a date YYYY-MM-DD, YYYY-MM or YYYY`,
      `facts[${n}].source.url: must be an http(s) URL`,
      `facts[${n}].uses[1]: "groups.shoppers.count" is not a parameter of this spec`,
      `facts[${n}].uses[2]: "phases[0]" is not a parameter of this spec`,
    ]);
  });

  it('accepts month- and year-only dates but not impossible days', () => {
    const dated = (date: string) => ({
      ...good,
      facts: [{ ...good.facts[0]!, source: { ...(good.facts[0] as SourcedFact).source, date } }],
    });
    const dateIssue = (date: string) =>
      messages(validateSpec(dated(date))).filter((m) => m.includes('.date'));
    assert.deepEqual(dateIssue('2021'), []);
    assert.deepEqual(dateIssue('2021-02'), []);
    assert.deepEqual(dateIssue('2021-02-29'), [
      'facts[0].source.date: must be a date YYYY-MM-DD, YYYY-MM or YYYY',
    ]);
  });

  it('leaves facts out of the workload: a corrected citation keeps every byte', () => {
    const def = getScenario('shenzhen-lottery');
    const edited: ScenarioDefinition = {
      ...def,
      variants: {
        default: {
          ...good,
          facts: good.facts.map((f) =>
            isSourced(f) ? { ...f, value: `${f.value} (corrected)` } : f,
          ),
        },
      },
    };
    const options = { durationS: 2 };
    const a = generateWorkload(def, options);
    const b = generateWorkload(edited, options);
    assert.equal(
      workloadKey(resolveScenario(edited, options)),
      workloadKey(resolveScenario(def, options)),
    );
    assert.deepEqual(b.ops.bodies, a.ops.bodies);
  });
});

describe('options', () => {
  const def = getScenario('suzhou-subsidy');

  it('collects every bad option', () => {
    const got = messages(
      validateOptions(
        {
          scale: 'galactic',
          durationS: 0,
          invalidShare: 0.9,
          invalidSplit: { LOST: 1 },
          variant: 'x',
          colour: 'red',
          suite: 'rsa',
        },
        def,
      ),
    );
    assert.deepEqual(got.sort(), [
      'colour: unknown field (allowed: variant, scale, durationS, timeCompression, seed, suite, invalidShare, invalidSplit, tiers)',
      'durationS: must be > 0',
      'invalidShare: must be <= 0.5',
      'invalidSplit.LOST: is not an injectable code (BAD_SIGNATURE, ALREADY_SPENT, TIER_LIMIT, UNKNOWN_COIN)',
      'scale: must be one of small, city, national',
      'suite: must be "ed25519" or "sm2"',
      'variant: must be one of hotspot, presplit, double12',
    ]);
  });

  it('throws all problems at once, before generating anything', () => {
    const broken: ScenarioDefinition = {
      ...def,
      variants: {
        ...def.variants,
        presplit: { ...def.variants.presplit!, mix: { transport: -1 } },
      },
    };
    assert.throws(
      () => generateWorkload(broken, { durationS: -5 }),
      (e: unknown) => {
        assert.ok(e instanceof ScenarioConfigError);
        const m = messages(e.issues);
        assert.ok(m.includes('variants.presplit.mix.transport: must be >= 0'), m.join('\n'));
        assert.ok(m.includes('options.durationS: must be > 0'), m.join('\n'));
        return true;
      },
    );
  });

  it('fills defaults: time compression keeps the scenario window', () => {
    const r = resolveScenario(def, { durationS: 10 });
    assert.equal(r.spec.variant, 'presplit');
    assert.equal(r.scale, 'small');
    assert.equal(r.timeCompression * r.durationS, r.spec.windowS);
    assert.equal(r.invalidShare, 0.02);
  });
});
