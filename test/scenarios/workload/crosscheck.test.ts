/**
 * The cross-check: every scenario's workload applied to the engine's own Registry gets exactly
 * the expected outcome of every op, and the books reconcile. Run twice: in send order, and in a
 * random order that only respects `dependsOn` (any interleaving the driver might produce).
 * The Registry does not check signatures; here node:crypto verify stands in for the pipeline:
 * BAD_SIGNATURE ops must fail it, and (in the send-order pass) every other op must pass it.
 */
import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_TIERS, parseTierTable, type TierTable } from '../../../engine/domain/index.js';
import { Registry } from '../../../engine/registry/index.js';
import { resolveTiers } from '../../../scenarios/catalog/tiers.js';
import {
  generateWorkload,
  OP_LABELS,
  type OpLabel,
  type Workload,
} from '../../../scenarios/workload/index.js';
import { Rng } from '../../../scenarios/workload/rng.js';
import { decode, decodedOps, TEST_OPTIONS, VARIANTS, workloadOf } from '../helpers.js';

const keyObjects = new Map<string, KeyObject>();
function publicKey(hex: string): KeyObject {
  let k = keyObjects.get(hex);
  if (!k) {
    // JWK import: OpenSSL 3's DER (SPKI) decoder is several times slower.
    k = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') },
      format: 'jwk',
    });
    keyObjects.set(hex, k);
  }
  return k;
}

/** A random order of all ops in which each op comes after its dependency. */
function randomTopologicalOrder(w: Workload, seed: string): number[] {
  const rng = new Rng(seed);
  const n = w.ops.bodies.length;
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const done = new Uint8Array(n);
  const waiting = new Map<number, number[]>();
  const out: number[] = [];
  const emit = (i: number): void => {
    out.push(i);
    done[i] = 1;
    const next = waiting.get(i);
    waiting.delete(i);
    for (const j of next ?? []) emit(j);
  };
  for (const i of order) {
    const dep = w.ops.dependsOn[i]!;
    if (dep >= 0 && !done[dep]) waiting.set(dep, [...(waiting.get(dep) ?? []), i]);
    else emit(i);
  }
  assert.equal(out.length, n);
  return out;
}

/** `verifyAll`: check every signature (else only the BAD_SIGNATURE ones, as the brief needs). */
function crossCheck(
  w: Workload,
  order: readonly number[],
  verifyAll: boolean,
  tiers: TierTable = tiersOf(w),
): string[] {
  // The engine that runs the workload reads its value day from its clock.
  const registry = new Registry({
    centralBankKey: w.meta.centralBankKey,
    today: () => w.meta.day,
    tiers,
  });
  w.genesis.bodies.forEach((body, i) => {
    const r = registry.apply(decode(body));
    assert.equal(r, null, r ? `genesis ${i} (${w.genesis.type[i]}): ${r.code} ${r.message}` : '');
  });
  const txs = decodedOps(w);
  const mismatches: string[] = [];
  for (const i of order) {
    const tx = txs[i]!;
    const expected = w.ops.expected[i];
    const signed =
      verifyAll || expected === 'BAD_SIGNATURE'
        ? verify(null, tx.txid, publicKey(tx.signer), tx.signature)
        : true;
    if (expected === 'BAD_SIGNATURE') {
      if (signed) mismatches.push(`op ${i}: signature verifies`);
      continue;
    }
    if (!signed) {
      mismatches.push(`op ${i}: expected ${expected}, signature fails`);
      continue;
    }
    const r = registry.apply(tx);
    const got = r ? r.code : 'SETTLED';
    if (got !== expected)
      mismatches.push(`op ${i}: expected ${expected}, got ${got} ${r?.message ?? ''}`);
  }
  const books = registry.reconcile();
  assert.ok(books.ok, books.problems.join('; '));
  // Every op whose outcome matched moved exactly the money the generator expected.
  if (mismatches.length === 0) {
    const want = w.meta.params.expectedBooksFen as Record<string, number>;
    const { issued, destroyed, issuanceVault, bankVaults, wallets } = books;
    assert.deepEqual({ issued, destroyed, issuanceVault, bankVaults, wallets }, want);
    const settledByType: Record<string, number> = {};
    w.ops.type.forEach((label, i) => {
      if (w.ops.expected[i] !== 'SETTLED') return;
      const wire = OP_LABELS[label as OpLabel];
      settledByType[wire] = (settledByType[wire] ?? 0) + 1;
    });
    for (const [wire, n] of Object.entries(settledByType))
      assert.equal(
        registry.lifecycle.byType[wire as keyof typeof registry.lifecycle.byType] -
          genesisCount(w, wire),
        n,
        wire,
      );
  }
  return mismatches;
}

/** Genesis ops of a wire type (genesis labels are wire types). */
function genesisCount(w: Workload, wire: string): number {
  return w.genesis.type.filter((t) => t === wire).length;
}

/** The tier table a workload was made for (its meta says, in yuan). */
function tiersOf(w: Workload): TierTable {
  const { name: _name, ...table } = w.meta.params.tiers as Record<string, unknown>;
  return parseTierTable(table);
}

/** Every op got its expected outcome and every settled op was applied. */
function assertMatches(w: Workload, order: readonly number[], verifyAll: boolean): void {
  assert.deepEqual(crossCheck(w, order, verifyAll).slice(0, 5), []);
}

for (const { scenario, variant } of VARIANTS) {
  describe(`${scenario}:${variant} against the Registry`, () => {
    it('gets every expected outcome in send order, and the books reconcile', () => {
      const w = workloadOf(scenario, variant);
      assertMatches(
        w,
        w.ops.bodies.map((_, i) => i),
        true,
      );
    });

    it('gets every expected outcome in a random dependency-respecting order', () => {
      const w = workloadOf(scenario, variant);
      assertMatches(w, randomTopologicalOrder(w, `${scenario}/${variant}`), false);
    });
  });
}

describe('non-default options against the Registry', () => {
  const cases = [
    {
      scenario: 'xiongan-retail',
      // A tenth invalid, only double spends and over-limit payments; 5 s covering ~1.2 days.
      options: {
        invalidShare: 0.1,
        invalidSplit: { ALREADY_SPENT: 2, TIER_LIMIT: 1 },
        durationS: 5,
        timeCompression: 20_000,
      },
    },
    { scenario: 'offline-burst', options: { invalidShare: 0, seed: 'no-invalid' } },
  ] as const;
  for (const { scenario, options } of cases) {
    it(`${scenario} with ${JSON.stringify(options)}`, () => {
      const w = generateWorkload(scenario, { ...TEST_OPTIONS, ...options });
      const invalid = w.ops.expected.filter((e) => e !== 'SETTLED').length;
      assert.ok(Math.abs(invalid / w.ops.bodies.length - options.invalidShare) < 0.002);
      for (const e of w.ops.expected as string[])
        assert.ok(['SETTLED', 'ALREADY_SPENT', 'TIER_LIMIT'].includes(e), e);
      assertMatches(w, randomTopologicalOrder(w, scenario), true);
    });
  }

  it('shenzhen-lottery made for the public-2021 tiers holds under them, not under 2020 terms', () => {
    const tiers = resolveTiers('public-2021');
    const w = generateWorkload('shenzhen-lottery', {
      ...TEST_OPTIONS,
      tiers: { name: tiers.name, table: tiers.table },
    });
    assert.equal((w.meta.params.tiers as { name: string }).name, 'public-2021');
    const order = w.ops.bodies.map((_, i) => i);
    assertMatches(w, order, false);
    // Its over-limit payments need reserve coins above the 2,000-yuan single limit: more than
    // the 2020 tier-4 wallet may even hold, so an engine on 2020 terms refuses them in genesis.
    assert.throws(() => crossCheck(w, order, false, DEFAULT_TIERS), /tier 4 balance limit/);
  });
});
