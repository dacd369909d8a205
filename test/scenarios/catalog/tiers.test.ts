/** Tier presets, custom tables from files, and the engine refusing a workload made for others. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { engineConfigFromFlags } from '../../../cli/commands/serve.js';
import {
  DEFAULT_TIERS,
  deriveKeyPair,
  parseTierTable,
  TierTableError,
  tierTableYuan,
} from '../../../engine/domain/index.js';
import { defaultEngineConfig, openEngineService } from '../../../engine/service/index.js';
import {
  checkEngineFits,
  EngineMismatchError,
  engineArgsFor,
  factsFor,
} from '../../../runner/index.js';
import { resolveTiers, TIER_PRESETS } from '../../../scenarios/catalog/tiers.js';
import { isSourced } from '../../../scenarios/model/index.js';
import { startStub } from '../../load/helpers/stub-server.js';

const KEY = deriveKeyPair('tiers-test', 'central-bank').publicKey;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-tiers-'));
  dirs.push(dir);
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The problems a TierTableError lists, or a failure if `fn` does not throw one. */
function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TierTableError, String(error));
    assert.equal(error.code, 'BAD_TIERS');
    return error.problems;
  }
  assert.fail('no TierTableError');
}

describe('tier presets', () => {
  it('operator-2020 is the default table; public-2021 has the 2021 public figures', () => {
    assert.equal(resolveTiers(undefined).table, DEFAULT_TIERS);
    assert.equal(resolveTiers('operator-2020').table, DEFAULT_TIERS);
    const t = tierTableYuan(resolveTiers('public-2021').table);
    assert.deepEqual(t[4], { balance: 10_000, single: 2_000, daily: 5_000, annual: 50_000 });
    assert.deepEqual(t[1], { balance: 500_000, single: 50_000, daily: 100_000, annual: 500_000 });
  });

  it('cites a source or a modelled label for every limit of every preset', () => {
    const limits = ['balance', 'single', 'daily', 'annual'];
    for (const p of TIER_PRESETS.values()) {
      parseTierTable(tierTableYuan(p.table)); // a preset is a valid table
      assert.ok(p.facts.some(isSourced), `${p.name} cites no source`);
      const used = p.facts.flatMap((f) => f.uses);
      for (const tier of ['1', '2', '3', '4'])
        for (const l of limits)
          assert.ok(
            used.some((u) => u === tier || u === `${tier}.${l}`),
            `${p.name}: ${tier}.${l} has no fact`,
          );
      assert.ok(used.includes('merchantBalance'), `${p.name}: merchantBalance`);
    }
  });

  it('no tier of a preset is stricter than the tier below it', () => {
    for (const p of TIER_PRESETS.values())
      for (const tier of [1, 2, 3] as const)
        for (const k of ['balance', 'single', 'daily', 'annual'] as const)
          assert.ok(
            p.table[tier][k]! >= p.table[(tier + 1) as 2 | 3 | 4][k]!,
            `${p.name} tier ${tier}.${k}`,
          );
  });

  it('travel with a run: the result cites the tier sources under tiers.', () => {
    const facts = factsFor('shenzhen-lottery', undefined, 'public-2021');
    assert.ok(facts.some((f) => isSourced(f) && f.source.url.includes('shine.cn')));
    assert.ok(facts.some((f) => f.uses.includes('tiers.4.balance')));
    const custom = factsFor('shenzhen-lottery', undefined, 'file:/tmp/t.json');
    assert.ok(custom.some((f) => !isSourced(f) && f.value.includes('/tmp/t.json')));
  });
});

describe('a custom tier table from a file', () => {
  const good = tierTableYuan(DEFAULT_TIERS);

  it('reads a table in yuan, null meaning no limit', async () => {
    const path = await file(
      't.json',
      JSON.stringify({ ...good, 4: { ...(good[4] as object), annual: null } }),
    );
    const r = resolveTiers(path);
    assert.equal(r.name, `file:${path}`);
    assert.equal(r.table[4].annual, null);
    assert.equal(r.table[4].single, 500 * 100);
  });

  it('lists every problem of a bad table, each with its path, under BAD_TIERS', async () => {
    const bad = {
      1: good[1],
      2: { balance: 10_000, single: 20_000, daily: 10_000, annual: 5_000 },
      4: { balance: -1, single: 0.001, daily: '1000', colour: 'red' },
      merchantBalance: null,
      5: {},
    };
    const path = await file('bad.json', JSON.stringify(bad));
    assert.deepEqual(
      problemsOf(() => resolveTiers(path)),
      [
        '5: unknown key (allowed: 1, 2, 3, 4, merchantBalance)',
        '2.single: must not exceed the daily limit',
        '2.daily: must not exceed the annual limit',
        '3: missing; must be {balance, single, daily, annual}',
        '4.colour: unknown limit (allowed: balance, single, daily, annual)',
        '4.balance: must be a positive number of yuan in whole fen, or null for no limit',
        '4.single: must be a positive number of yuan in whole fen, or null for no limit',
        '4.daily: must be a positive number of yuan in whole fen, or null for no limit',
        '4.annual: missing (use null for no limit)',
      ].map((p) => `${path}: ${p}`),
    );
  });

  it('refuses an unknown name, a missing file and a file that is not JSON', async () => {
    const [missing] = problemsOf(() => resolveTiers('public-2099'));
    assert.match(
      missing!,
      /"public-2099" is neither a preset \(operator-2020, public-2021\) nor a readable file: ENOENT/,
    );
    const path = await file('t.json', '{"1": ');
    assert.match(problemsOf(() => resolveTiers(path))[0]!, /t\.json: not JSON/);
  });

  it('serve takes --tiers, and refuses a bad one before starting', () => {
    const config = engineConfigFromFlags({ tiers: 'public-2021' }, KEY);
    assert.equal(config.tiers.name, 'public-2021');
    assert.equal(config.tiers.table[4].balance, 10_000 * 100);
    assert.equal(engineConfigFromFlags({}, KEY).tiers.table, DEFAULT_TIERS);
    problemsOf(() => engineConfigFromFlags({ tiers: 'nope' }, KEY));
  });
});

describe('the engine and the workload agree on tiers', () => {
  it('an engine started with a preset reports it in its stats', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecny-tiers-engine-'));
    dirs.push(dir);
    const tiers = resolveTiers('public-2021');
    const service = await openEngineService({
      ...defaultEngineConfig(),
      journalPath: join(dir, 'journal.ecj'),
      centralBankKey: KEY,
      threads: 1,
      tiers: { name: tiers.name, table: tiers.table },
    });
    try {
      const stats = service.stats().tiers as Record<string, unknown>;
      assert.equal(stats.name, 'public-2021');
      assert.deepEqual(stats[4], { balance: 10_000, single: 2_000, daily: 5_000, annual: 50_000 });
    } finally {
      await service.close();
    }
  });

  const DAY = 18_000;
  async function engineWith(tiers: unknown) {
    return startStub(
      () => {},
      (req, res) => {
        const doc =
          req.url === '/healthz'
            ? { centralBankKey: KEY, day: DAY }
            : req.url === '/v1/stats'
              ? { tiers }
              : null;
        if (doc === null) return false;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        return true;
      },
    );
  }
  const workload = (tiers: unknown) => ({ centralBankKey: KEY, day: DAY, params: { tiers } });

  it('fits an engine on the same limits and refuses one on others, saying how to start it', async () => {
    const publicTiers = {
      name: 'public-2021',
      ...tierTableYuan(resolveTiers('public-2021').table),
    };
    const engine = await engineWith(publicTiers);
    try {
      await checkEngineFits(engine.url, workload(publicTiers));
      // Same limits under another name (a copy of the preset in a file) are the same table.
      await checkEngineFits(engine.url, workload({ ...publicTiers, name: 'file:copy.json' }));
      await assert.rejects(
        checkEngineFits(
          engine.url,
          workload({ name: 'operator-2020', ...tierTableYuan(DEFAULT_TIERS) }),
        ),
        (e: unknown) =>
          e instanceof EngineMismatchError &&
          e.code === 'ENGINE_MISMATCH' &&
          /it enforces other wallet tier limits \("public-2021"\)/.test(e.message),
      );
      // The flags that fit a workload name its table, unless it is the default.
      assert.deepEqual(engineArgsFor(workload(publicTiers)).slice(-2), ['--tiers', 'public-2021']);
      assert.deepEqual(
        engineArgsFor(workload({ ...publicTiers, name: 'file:/tmp/t.json' })).slice(-2),
        ['--tiers', '/tmp/t.json'],
      );
      assert.ok(
        !engineArgsFor(workload({ name: 'operator-2020' })).includes('--tiers'),
        'the default table needs no flag',
      );
    } finally {
      await engine.close();
    }
  });
});
