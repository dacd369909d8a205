/**
 * The two-tier flows of the measured load, checked on the workloads' own bytes and on the
 * engine's Registry: claims open before they fund, expired packets are recovered to the last
 * fen, sweeps hand a merchant's takings to its bank, replenishment comes from the issuance vault.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coinIdOf } from '../../../engine/domain/index.js';
import { Registry } from '../../../engine/registry/index.js';
import { getScenario } from '../../../scenarios/catalog/index.js';
import type { ScenarioDefinition } from '../../../scenarios/model/index.js';
import { generateWorkload } from '../../../scenarios/workload/index.js';
import { decode, decodedOps, genesisFacts, workloadOf } from '../helpers.js';

const SEED = 'test-seed';

describe('the claim storm (shenzhen-lottery claim-storm)', () => {
  const w = () => workloadOf('shenzhen-lottery', 'claim-storm', SEED);

  it('opens each claimed wallet in the measured load, then exchanges its packet into it', () => {
    const { ops, meta } = w();
    const txs = decodedOps(w());
    const genesisWallets = genesisFacts(w()).wallets;
    const opened = new Map<string, number>();
    txs.forEach((tx, i) => {
      if (ops.type[i] === 'open') opened.set(tx.subject!.key, i);
      if (ops.type[i] !== 'claim') return;
      assert.equal(tx.type, 'exchange');
      const owner = tx.outputs[0]!.owner;
      assert.ok(!genesisWallets.has(owner), 'a claimed wallet does not exist before the run');
      assert.equal(ops.dependsOn[i], opened.get(owner), `claim ${i} waits for its open`);
      assert.equal(tx.outputs[0]!.value, 200 * 100);
    });
    const claims = ops.type.filter((t) => t === 'claim').length;
    assert.equal(claims, opened.size);
    const funded = (meta.params.population as Record<string, { funded: number }>).winners!.funded;
    assert.equal(claims, funded);
  });

  it('peaks as the winners are told: the busiest second of claims is the first', () => {
    const perSecond = (w().meta.params.twoTier as { claimsPerSecond: number[] }).claimsPerSecond;
    assert.equal(perSecond.indexOf(Math.max(...perSecond)), 0);
    assert.ok(perSecond[0]! > 2 * perSecond[perSecond.length - 1]!);
    // The claims are in the measured load: the first second offers them with the payments.
    assert.ok(w().meta.plannedRate[0]! >= 2 * perSecond[0]!);
  });

  it("spends a winner's packet only after its claim", () => {
    const { ops } = w();
    const txs = decodedOps(w());
    const claimed = new Set<string>();
    txs.forEach((tx, i) => {
      if (ops.type[i] === 'claim') claimed.add(tx.outputs[0]!.owner);
      if (tx.type === 'transfer' && ops.expected[i] === 'SETTLED')
        assert.ok(claimed.has(tx.signer), `payment ${i} before its payer claimed`);
    });
  });
});

describe('expiry, sweeps and replenishment (shenzhen-lottery, the week)', () => {
  const w = () => workloadOf('shenzhen-lottery', 'default', SEED);

  it('recovers every unspent packet: a winner without top-ups or reserve ends with nothing', () => {
    const wl = w();
    const registry = new Registry({ centralBankKey: wl.meta.centralBankKey });
    for (const body of wl.genesis.bodies) assert.equal(registry.apply(decode(body)), null);
    const txs = decodedOps(wl);
    txs.forEach((tx, i) => {
      if (wl.ops.expected[i] !== 'SETTLED') return;
      assert.equal(registry.apply(tx), null, `op ${i} (${wl.ops.type[i]})`);
    });
    const facts = genesisFacts(wl);
    const toppedUp = new Set(
      txs.filter((_, i) => wl.ops.type[i] === 'top-up').map((tx) => tx.outputs[0]!.owner),
    );
    let checked = 0;
    let recovered = 0;
    for (const [key, f] of facts.wallets) {
      if (!f.ref.startsWith('winners/') || toppedUp.has(key)) continue;
      if (f.genesisBalance !== 200 * 100) continue; // unfunded, or holding a reserve coin
      assert.equal(registry.balanceOf(key), 0, `${f.ref} keeps part of its packet`);
      checked++;
    }
    txs.forEach((_, i) => {
      if (wl.ops.type[i] === 'expiry') recovered++;
    });
    assert.ok(checked > 1_000, `${checked} winners checked`);
    assert.ok(recovered > 0, 'some packets were left to recover');
    // Recovery happens after the validity window, and each is returned to the issuance vault.
    const firstExpiry = wl.ops.type.indexOf('expiry');
    const lastPayment = wl.ops.type.lastIndexOf('transfer');
    assert.ok(wl.ops.at[firstExpiry]! > wl.ops.at[lastPayment]!);
    const cb = wl.meta.centralBankKey;
    txs.forEach((tx, i) => {
      if (wl.ops.type[i] !== 'return') return;
      const dep = wl.ops.dependsOn[i]!;
      assert.equal(wl.ops.type[dep], 'expiry');
      assert.deepEqual(tx.inputs, [coinIdOf(txs[dep]!.txid, 0)]);
      assert.equal(tx.outputs[0]!.owner, cb);
    });
  });

  it("sweeps a merchant's received coin to its bank at day end, in the payment's lane", () => {
    const wl = w();
    const txs = decodedOps(wl);
    const banks = new Set<string>();
    for (const body of wl.genesis.bodies) {
      const tx = decode(body);
      if (tx.type === 'enroll') banks.add(tx.subject!.key);
    }
    const windowMs = 174 * 3_600_000;
    const startHour = 18;
    let sweeps = 0;
    txs.forEach((tx, i) => {
      if (wl.ops.type[i] !== 'sweep') return;
      sweeps++;
      const dep = wl.ops.dependsOn[i]!;
      const paid = txs[dep]!;
      assert.equal(paid.type, 'transfer');
      assert.equal(wl.ops.expected[dep], 'SETTLED');
      assert.equal(wl.ops.lane[dep], wl.ops.lane[i]);
      assert.equal(tx.signer, paid.outputs[0]!.owner, 'the payee sweeps');
      assert.deepEqual(tx.inputs, [coinIdOf(paid.txid, 0)]);
      assert.ok(banks.has(tx.outputs[0]!.owner), 'to a bank');
      // Simulated hour of day: from 23:00, spread over four hours.
      const simHour =
        (startHour + (wl.ops.at[i]! / wl.meta.durationMs) * (windowMs / 3_600_000)) % 24;
      assert.ok(simHour >= 23 || simHour < 3.01, `sweep ${i} at ${simHour.toFixed(2)} h`);
    });
    assert.ok(sweeps > 100, `${sweeps} sweeps`);
  });

  it('replenishes bank vaults from the issuance vault in their own lanes', () => {
    // A small float, so the small scale's claims drain it.
    const def = getScenario('shenzhen-lottery');
    const spec = def.variants['claim-storm']!;
    const lowFloat: ScenarioDefinition = {
      ...def,
      variants: {
        'claim-storm': {
          ...spec,
          twoTier: {
            ...spec.twoTier,
            replenish: { floatYuan: 100_000, lowWaterYuan: 50_000, amountYuan: 50_000 },
          },
        },
      },
      defaultVariant: 'claim-storm',
    };
    const wl = generateWorkload(lowFloat, { scale: 'small', seed: SEED });
    const txs = decodedOps(wl);
    // Each bank handed out ~90,000 yuan in claims: at least one refill each.
    assert.ok(txs.filter((_, i) => wl.ops.type[i] === 'allocate').length >= 4);
    const allocations = txs.filter((_, i) => wl.ops.type[i] === 'allocate');
    assert.ok(allocations.length > 0);
    const issuanceCoins = genesisFacts(wl).coins;
    txs.forEach((tx, i) => {
      if (wl.ops.type[i] !== 'allocate') return;
      assert.equal(tx.signer, wl.meta.centralBankKey);
      assert.ok(
        issuanceCoins.has(tx.inputs[0]!),
        'spends a coin genesis left in the issuance vault',
      );
      assert.equal(wl.ops.dependsOn[i], -1);
    });
    // Applied in send order, the refills settle and the books are the workload's to the fen.
    const registry = new Registry({
      centralBankKey: wl.meta.centralBankKey,
      today: () => wl.meta.day,
    });
    for (const body of wl.genesis.bodies) assert.equal(registry.apply(decode(body)), null);
    txs.forEach((tx, i) => {
      if (wl.ops.expected[i] === 'SETTLED')
        assert.equal(registry.apply(tx), null, `op ${i} (${wl.ops.type[i]})`);
    });
    const books = registry.reconcile();
    assert.ok(books.ok, books.problems.join('; '));
    const { issued, destroyed, issuanceVault, bankVaults, wallets } = books;
    assert.deepEqual(
      { issued, destroyed, issuanceVault, bankVaults, wallets },
      wl.meta.params.expectedBooksFen,
    );
    const allocated = (wl.meta.params.twoTier as { yuan: { allocated: number } }).yuan.allocated;
    assert.equal(
      allocated * 100,
      allocations.reduce((sum, tx) => sum + tx.outputs[0]!.value, 0),
    );
  });
});
