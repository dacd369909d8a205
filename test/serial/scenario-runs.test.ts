/**
 * A short real run of every scenario variant under Ed25519, and of a covering few under SM2:
 * workload -> embedded engines over HTTP -> open-model load -> every answer checked against its
 * expected outcome -> books reconciled through the API (and equal to the workload's). Both
 * stores: under Ed25519 on two engine nodes sharing a postgres ledger (a fresh database per run
 * on this file's private cluster, through `--database-url`), under SM2 on one engine on the
 * memory store. Slow (real engines per run), so it lives in test/serial.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SUITE_NAMES } from '../../engine/crypto/index.js';
import { type EngineDeployment, runScenario } from '../../runner/index.js';
import { getScenario, scenarioVariants } from '../../scenarios/catalog/index.js';
import { postgresSkipReason, testCluster } from '../registry/postgres/helpers.js';

/**
 * Seconds of the measured phase. An SM2 verification costs ~9x an Ed25519 one here, so the
 * same small workload is spread over more time under SM2: the run checks outcomes and the books,
 * not how much a shared 2-core machine can take (an overloaded run drops late sends). 8 s keeps
 * the SM2 runs inside CI's time budget.
 */
const DURATION_S = { ed25519: 4, sm2: 8 } as const;

const NODES = 2;
const noPostgres = postgresSkipReason();
if (noPostgres) console.log(`# ${noPostgres}: the Ed25519 runs use the memory store instead`);

/** Ed25519: two postgres nodes (when PostgreSQL is here; in CI it must be); SM2: memory. */
async function deploymentFor(suite: string): Promise<EngineDeployment> {
  if (suite === 'sm2' || noPostgres) return { store: 'memory', nodes: 1 };
  return { store: 'postgres', nodes: NODES, databaseUrl: (await testCluster()).url };
}

/**
 * The variants run under SM2. A variant draws the same plan under both suites (only keys,
 * signatures and ids differ), so SM2 must carry every kind of op and every outcome through the
 * engine, not every variant again: these two cover the Ed25519 runs' op types (shenzhen: the
 * two-tier flows, redemptions and expiry; olympics: wallet openings, claims and offline
 * payments) and expected outcomes, which the last test checks. Dependency chains, tiers and
 * books do not depend on the suite: the Ed25519 runs of every variant check them.
 */
const SM2_VARIANTS = new Set(['shenzhen-lottery/default', 'offline-burst/olympics']);

/** Op types and expected outcomes each suite's runs carried. */
const carried = Object.fromEntries(
  SUITE_NAMES.map((suite) => [suite, { types: new Set<string>(), outcomes: new Set<string>() }]),
);

/**
 * Two runs at a time: most of a small run is its fixed measured phase and its engine's start,
 * not CPU, so pairs take little longer than one, and the checks below hold whatever the pace
 * (a late send is dropped and counted, never mismatched). The SM2 runs, the longest, go first
 * so that no long run is left alone at the end.
 */
describe('every scenario variant under Ed25519, a covering few under SM2', {
  concurrency: 2,
}, () => {
  for (const suite of ['sm2', 'ed25519'] as const)
    for (const { scenario, variant } of scenarioVariants()) {
      if (suite === 'sm2' && !SM2_VARIANTS.has(`${scenario}/${variant}`)) continue;
      test(`${scenario}/${variant} (${suite}): a short run passes outcome checking and reconciles`, async () => {
        const out = await mkdtemp(join(tmpdir(), 'ecny-bench-run-'));
        try {
          const deployment = await deploymentFor(suite);
          const report = await runScenario({
            scenario,
            scenarioOptions: {
              variant,
              scale: 'small',
              durationS: DURATION_S[suite],
              seed: 'ci',
              suite,
            },
            engineArgs: [],
            deployment,
            load: { processes: 2, connections: 8 },
            sloMs: 50,
            outDir: out,
            charts: false,
            log: () => {},
          });
          const r = report.result;
          assert.equal(r.totals.mismatched, 0, JSON.stringify(r.outcome.samples));
          assert.equal(r.totals.lost, 0);
          assert.equal(r.totals.matched, r.totals.planned - r.totals.dropped);
          assert.ok(r.totals.settled > 0, 'something settled');
          assert.equal(r.reconciliation?.ok, true, JSON.stringify(r.reconciliation));
          // Every op sent and answered as expected: the engine holds the books the workload computed.
          if (r.totals.dropped === 0)
            assert.equal(r.reconciliation?.matchesWorkload, true, JSON.stringify(r.reconciliation));
          // Every op type of the workload is counted, payments also per channel.
          assert.ok(r.byType !== undefined && Object.keys(r.byType).length > 0);
          for (const type of Object.keys(r.byType)) carried[suite]!.types.add(type);
          for (const outcome of Object.keys(r.scenario.expectedCounts ?? {}))
            carried[suite]!.outcomes.add(outcome);
          assert.equal(report.passed, r.totals.dropped === 0);
          // The scenario's default thresholds were judged, each with a value.
          assert.deepEqual(
            r.thresholds?.map((t) => t.expression) ?? [],
            getScenario(scenario).thresholds ?? [],
          );
          for (const t of r.thresholds ?? []) assert.notEqual(t.value, null, t.expression);
          // The files on disk say the same as the returned result.
          const onDisk = JSON.parse(
            await readFile(join(report.dir, 'result.json'), 'utf8'),
          ) as typeof r;
          assert.deepEqual(onDisk.totals, r.totals);
          // The engines spoke the workload's suite (each verification pool reports it); on the
          // postgres store each node took a share of the load, and the result names every node.
          const engine = r.config['engine'] as { targets: string[]; store: string };
          assert.equal(engine.store, deployment.store);
          assert.equal(engine.targets.length, deployment.nodes);
          const nodes = (
            deployment.nodes === 1 ? [r.engine] : (r.engine?.['nodes'] as unknown[])
          ) as ({ pool?: { suite?: string }; settled?: number; store?: string } | undefined)[];
          assert.equal(nodes.length, deployment.nodes);
          for (const node of nodes) {
            assert.equal(node?.pool?.suite, suite);
            assert.equal(node?.store, deployment.store);
            assert.ok((node?.settled ?? 0) > 0, 'every node settled some of the load');
          }
          assert.equal(r.scenario.params['suite'], suite);
        } finally {
          await rm(out, { recursive: true, force: true });
        }
      });
    }
});

test('the SM2 runs carried every op type and expected outcome the Ed25519 runs did', () => {
  const { ed25519, sm2 } = carried;
  assert.ok(ed25519!.types.size > 0, 'the Ed25519 runs ran');
  assert.deepEqual(
    [...ed25519!.types].filter((t) => !sm2!.types.has(t)),
    [],
  );
  assert.deepEqual(
    [...ed25519!.outcomes].filter((o) => !sm2!.outcomes.has(o)),
    [],
  );
});
