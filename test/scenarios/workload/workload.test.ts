/**
 * Workload properties, per scenario variant at small scale, recomputed from the workload itself:
 * determinism, the arrival curve, tier limits, the invalid share, the lane rule, popularity.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  coinIdOf,
  DEFAULT_TIERS,
  DEV_CENTRAL_BANK_SEED,
  deriveKeyPair,
  signTx,
  toWire,
} from '../../../engine/domain/index.js';
import { yearOf } from '../../../engine/registry/index.js';
import { getScenario } from '../../../scenarios/catalog/index.js';
import { INVALID_CODES } from '../../../scenarios/model/index.js';
import {
  generateWorkload,
  OFFLINE_TRANSFER,
  OP_LABELS,
  type OpLabel,
  resolveWorkloadScenario,
  type Workload,
  workloadCentralBankPair,
  workloadDigest,
  workloadKey,
} from '../../../scenarios/workload/index.js';
import { workloadKeyPair } from '../../../scenarios/workload/keys.js';
import { zipfTopDecileShare } from '../../../scenarios/workload/rng.js';
import { signOp } from '../../../scenarios/workload/signer.js';
import {
  decodedOps,
  genesisFacts,
  TEST_OPTIONS,
  VARIANTS,
  walletFacts,
  workloadOf,
} from '../helpers.js';

const SEED = 'test-seed';

/** A payment's report label (made online or offline). */
const isPayment = (label: string) =>
  OP_LABELS[label as OpLabel] === 'transfer' || OP_LABELS[label as OpLabel] === 'offline-transfer';

for (const { scenario, variant } of VARIANTS) {
  describe(`${scenario}:${variant}`, () => {
    const w = (): Workload => workloadOf(scenario, variant, SEED);

    it('is byte-identical for the same seed and differs for another', () => {
      const again = generateWorkload(scenario, { ...TEST_OPTIONS, variant, seed: SEED });
      assert.equal(workloadDigest(again), workloadDigest(w()));
      const other = workloadOf(scenario, variant, 'another-seed');
      assert.notEqual(workloadDigest(other), workloadDigest(w()));
    });

    it('sends ops along the arrival curve: counts integrate to the plan, times ascend', () => {
      const { meta, ops } = w();
      const sum = meta.plannedRate.reduce((a, b) => a + b, 0);
      assert.equal(sum, ops.bodies.length);
      assert.equal(meta.plannedRate.length, Math.ceil(meta.durationMs / 1000));
      // The scale's payments (valid and invalid); the two-tier flows' ops come on top.
      const payments = ops.type.filter((t) => isPayment(t)).length;
      assert.equal(payments, meta.params.ops);
      for (let i = 0; i < ops.at.length; i++) {
        assert.ok(ops.at[i]! >= 0 && ops.at[i]! < meta.durationMs, `op ${i} at ${ops.at[i]}`);
        if (i > 0) assert.ok(ops.at[i]! >= ops.at[i - 1]!, `op ${i} before op ${i - 1}`);
      }
      const expected: Record<string, number> = {};
      for (const e of ops.expected) expected[e] = (expected[e] ?? 0) + 1;
      assert.deepEqual(meta.expectedCounts, expected);
    });

    it('keeps every settling op within tier limits, whatever the order', () => {
      const { ops } = w();
      const facts = walletFacts(w());
      const daily = new Map<string, number>();
      const annual = new Map<string, number>();
      const incoming = new Map<string, number>();
      decodedOps(w()).forEach((tx, i) => {
        if (ops.expected[i] !== 'SETTLED') return;
        let paid = 0;
        for (const o of tx.outputs) {
          if (o.owner === tx.signer) continue;
          paid += o.value;
          // Credits to wallets (payments, claims, top-ups) count against their balance caps.
          if (facts.wallets.has(o.owner))
            incoming.set(o.owner, (incoming.get(o.owner) ?? 0) + o.value);
        }
        if (tx.type !== 'transfer' && tx.type !== 'offline-transfer') return; // only payments have limits
        const payer = facts.wallets.get(tx.signer)!;
        const limits = DEFAULT_TIERS[payer.tier];
        assert.ok(limits.single === null || paid <= limits.single, `op ${i}: single limit`);
        const dk = `${tx.signer}/${tx.day}`;
        const yk = `${tx.signer}/${yearOf(tx.day)}`;
        daily.set(dk, (daily.get(dk) ?? 0) + paid);
        annual.set(yk, (annual.get(yk) ?? 0) + paid);
        assert.ok(limits.daily === null || daily.get(dk)! <= limits.daily, `op ${i}: daily limit`);
        assert.ok(limits.annual === null || annual.get(yk)! <= limits.annual, `op ${i}: annual`);
      });
      // A personal payee's genesis balance plus all it ever receives fits its cap: no order of
      // credits from other lanes can hit the cap.
      for (const [key, credit] of incoming) {
        const f = facts.wallets.get(key)!;
        const cap =
          f.kind === 'merchant' ? DEFAULT_TIERS.merchantBalance : DEFAULT_TIERS[f.tier].balance;
        if (cap !== null) assert.ok(f.genesisBalance + credit <= cap, `${f.ref}: balance cap`);
      }
    });

    it('injects the configured share of invalid ops, of every code', () => {
      const { meta, ops } = w();
      const invalid = ops.expected.filter((e) => e !== 'SETTLED').length;
      const share = meta.params.invalidShare as number;
      const payments = meta.params.ops as number;
      assert.ok(Math.abs(invalid / payments - share) < 0.002, `${invalid} invalid`);
      for (const code of INVALID_CODES) assert.ok((meta.expectedCounts[code] ?? 0) > 0, code);
      const settledPayments = ops.type.filter(
        (t, i) => isPayment(t) && ops.expected[i] === 'SETTLED',
      ).length;
      assert.equal(settledPayments, meta.params.payments);
      // Every op of the two-tier flows settles.
      ops.type.forEach((t, i) => {
        if (!isPayment(t)) assert.equal(ops.expected[i], 'SETTLED', t);
      });
    });

    it('keeps dependencies earlier and in the lane, and spends only genesis or dependency coins', () => {
      const { ops, meta } = w();
      const facts = genesisFacts(w());
      const txs = decodedOps(w());
      const lanes = new Map<string, number>();
      txs.forEach((tx, i) => {
        assert.ok(ops.lane[i]! >= 0 && ops.lane[i]! < meta.lanes);
        // One lane per payer, and one payer per lane (banks and merchants act in many lanes).
        if (tx.type === 'transfer' || tx.type === 'offline-transfer') {
          const lane = lanes.get(tx.signer);
          if (lane === undefined) lanes.set(tx.signer, ops.lane[i]!);
          else assert.equal(lane, ops.lane[i], `op ${i}: payer in two lanes`);
        }
        const dep = ops.dependsOn[i]!;
        if (dep >= 0) {
          assert.ok(dep < i, `op ${i} depends on a later op`);
          assert.equal(ops.lane[dep], ops.lane[i], `op ${i} depends across lanes`);
        }
        const exp = ops.expected[i];
        if (exp === 'UNKNOWN_COIN') {
          // A claimed payer's ops wait for its claim; others wait for nothing.
          assert.ok(dep === -1 || ops.type[dep] === 'claim', `op ${i}: waits for ${ops.type[dep]}`);
          assert.ok(!facts.coins.has(tx.inputs[0]!));
          return;
        }
        if (exp === 'ALREADY_SPENT') {
          assert.ok(dep >= 0, `op ${i}: a double spend waits for the first spend`);
          assert.ok(
            txs[dep]!.inputs.includes(tx.inputs[0]!),
            `op ${i}: re-spends its dependency's coin`,
          );
          assert.equal(ops.expected[dep], 'SETTLED');
          return;
        }
        const depOutputs = new Set(
          dep >= 0 ? txs[dep]!.outputs.map((_, k) => coinIdOf(txs[dep]!.txid, k)) : [],
        );
        for (const c of tx.inputs)
          assert.ok(
            facts.coins.has(c) || depOutputs.has(c),
            `op ${i}: input neither genesis nor dependency`,
          );
        if (dep >= 0) assert.equal(ops.expected[dep], 'SETTLED');
      });
    });
  });
}

describe('xiongan-retail popularity', () => {
  it("matches the Zipf model's top-decile share for every merchant category", () => {
    const w = workloadOf('xiongan-retail', 'default', SEED);
    const spec = getScenario('xiongan-retail').variants.default!;
    const facts = genesisFacts(w);
    const txs = decodedOps(w);
    for (const [group, g] of Object.entries(spec.groups)) {
      if (g.popularity?.kind !== 'zipf') continue;
      const members = [...facts.wallets.entries()].filter(([, f]) => f.ref.startsWith(`${group}/`));
      const counts = new Map(members.map(([k]) => [k, 0]));
      txs.forEach((tx, i) => {
        if (w.ops.expected[i] !== 'SETTLED') return;
        const payee = tx.outputs[0]!.owner;
        if (counts.has(payee)) counts.set(payee, counts.get(payee)! + 1);
      });
      const sorted = [...counts.values()].sort((a, b) => b - a);
      const total = sorted.reduce((a, b) => a + b, 0);
      const top = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, b) => a + b, 0);
      const model = zipfTopDecileShare(members.length, g.popularity.s);
      assert.ok(total > 300, `${group}: ${total} payments`);
      assert.ok(Math.abs(top / total - model) < 0.06, `${group}: ${top / total} vs model ${model}`);
      const reported = (
        w.meta.params.popularity as Record<string, { topDecileShareModel: number }>
      )[group]!;
      assert.equal(reported.topDecileShareModel, model);
      // A few chains take most payments.
      assert.ok(model > 0.4);
    }
  });
});

describe('offline-burst backlog', () => {
  it('grows during the offline spell and drains in the sync burst', () => {
    const w = workloadOf('offline-burst', 'default', SEED);
    const curve = w.meta.params.backlogCurve as number[];
    assert.equal(curve.length, w.meta.plannedRate.length);
    const peakAt = curve.indexOf(Math.max(...curve));
    const offline = (w.meta.params.flows as Record<string, { ops: number }>).offline!.ops;
    assert.ok(curve[peakAt]! > 0.8 * offline, 'most offline payments wait for the sync');
    for (let s = 1; s <= peakAt; s++) assert.ok(curve[s]! >= curve[s - 1]!, 'grows while offline');
    for (let s = peakAt + 1; s < curve.length; s++) assert.ok(curve[s]! <= curve[s - 1]!, 'drains');
    assert.equal(curve[curve.length - 1], 0);
    // The sync is a rate spike.
    const rate = w.meta.plannedRate;
    const base = rate[2]!;
    assert.ok(Math.max(...rate) > 4 * base, `spike ${Math.max(...rate)} vs baseline ${base}`);
  });

  it('types its offline payments and records when they were made', () => {
    const w = workloadOf('offline-burst', 'default', SEED);
    const made = w.meta.params.offlineMade as number[];
    const curve = w.meta.params.backlogCurve as number[];
    const offline = (w.meta.params.flows as Record<string, { ops: number }>).offline!.ops;
    const typed = w.ops.type.filter((t) => t === OFFLINE_TRANSFER).length;
    assert.equal(typed, offline);
    assert.equal(
      made.reduce((a, b) => a + b, 0),
      offline,
    );
    // the plan is made so far minus offline payments sent so far, second by second
    const sentPerSecond = new Array<number>(curve.length).fill(0);
    w.ops.type.forEach((t, i) => {
      if (t === OFFLINE_TRANSFER) sentPerSecond[Math.floor(w.ops.at[i]! / 1000)]!++;
    });
    let madeSoFar = 0;
    let sentSoFar = 0;
    for (let s = 0; s < curve.length; s++) {
      madeSoFar += made[s]!;
      sentSoFar += sentPerSecond[s]!;
      assert.equal(curve[s], madeSoFar - sentSoFar, `second ${s}`);
    }
    // online scenarios have neither
    const online = workloadOf('xiongan-retail', 'default', SEED);
    assert.equal(online.meta.params.offlineMade, undefined);
    assert.ok(online.ops.type.every((t) => t !== OFFLINE_TRANSFER));
  });
});

describe('suzhou-subsidy variants', () => {
  it('hotspot chains each payer; presplit pays independently', () => {
    const hot = workloadOf('suzhou-subsidy', 'hotspot', SEED).meta.params;
    const pre = workloadOf('suzhou-subsidy', 'presplit', SEED).meta.params;
    const chain = (p: Record<string, unknown>) => (p.dependencies as { maxChain: number }).maxChain;
    assert.ok(chain(hot) > 100, `hotspot longest chain ${chain(hot)}`);
    assert.ok(chain(pre) < 20, `presplit longest chain ${chain(pre)}`);
  });

  it('double12 says it is scaled down at small scale', () => {
    const p = workloadOf('suzhou-subsidy', 'double12', SEED).meta.params;
    assert.match(p.scaleNote as string, /scaled down proportionally/);
    const flows = p.flows as Record<string, { valid: number }>;
    const share = flows.store!.valid / (flows.store!.valid + flows.online!.valid);
    assert.ok(Math.abs(share - 0.553) < 0.04, `store share ${share}`);
  });
});

describe('shenzhen-lottery', () => {
  it('replays the real counts at city scale and 1/20 of them at small', () => {
    const spec = getScenario('shenzhen-lottery').variants.default!;
    assert.equal(spec.scales.city.payments, 62_788);
    assert.equal(spec.groups.merchants!.count.city, 3_389);
    assert.equal(spec.groups.winners!.count.city, 50_000);
    const w = workloadOf('shenzhen-lottery', 'default', SEED);
    const settledPayments = w.ops.type.filter(
      (t, i) => t === 'transfer' && w.ops.expected[i] === 'SETTLED',
    ).length;
    assert.equal(settledPayments, Math.round(62_788 / 20));
  });
});

describe('keys and signing', () => {
  it('a workload signs issuance with its own central bank key, never the development key', () => {
    const a = workloadOf('shenzhen-lottery', 'default', SEED);
    const b = workloadOf('xiongan-retail', 'default', SEED);
    const dev = deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank').publicKey;
    assert.notEqual(a.meta.centralBankKey, dev);
    assert.notEqual(b.meta.centralBankKey, dev);
    assert.notEqual(a.meta.centralBankKey, b.meta.centralBankKey);
    assert.equal(
      a.meta.centralBankKey,
      workloadCentralBankPair(
        workloadKey(
          resolveWorkloadScenario('shenzhen-lottery', {
            ...TEST_OPTIONS,
            variant: 'default',
            seed: SEED,
          }),
        ),
      ).publicKey,
    );
    // Genesis issuance is signed by it.
    const issue = a.genesis.bodies.find((body) => JSON.parse(body).type === 'issue')!;
    assert.equal(JSON.parse(issue).signer, a.meta.centralBankKey);
  });

  it('derives exactly the keys of deriveKeyPair', () => {
    for (const label of ['wallet/a/0', 'wallet/b/17', 'bank/ICBC']) {
      const fast = workloadKeyPair('seed-x', label);
      const ref = deriveKeyPair('seed-x', label);
      assert.equal(fast.publicKey, ref.publicKey);
      const msg = Buffer.alloc(32, 3);
      assert.deepEqual(
        signTx(
          { type: 'issue', signer: fast.publicKey, day: 1, nonce: 1, inputs: [], outputs: [] },
          fast,
        ).signature,
        signTx(
          { type: 'issue', signer: ref.publicKey, day: 1, nonce: 1, inputs: [], outputs: [] },
          ref,
        ).signature,
      );
      assert.ok(msg.length === 32);
    }
  });

  it('signs exactly like signTx + toWire', () => {
    const payer = workloadKeyPair('seed-y', 'p');
    const payee = workloadKeyPair('seed-y', 'q');
    const fields = {
      type: 'transfer' as const,
      signer: payer.publicKey,
      day: 18_500,
      nonce: 42,
      inputs: ['ab'.repeat(32)],
      outputs: [
        { owner: payee.publicKey, value: 1_250 },
        { owner: payer.publicKey, value: 250 },
      ],
    };
    assert.equal(signOp(fields, payer).body, JSON.stringify(toWire(signTx(fields, payer))));
    const open = {
      type: 'open' as const,
      signer: payer.publicKey,
      day: 18_500,
      nonce: 1,
      inputs: [],
      outputs: [],
      subject: {
        key: payee.publicKey,
        role: 'wallet' as const,
        tier: 4 as const,
        kind: 'personal' as const,
        kyc: 'g/1',
      },
    };
    assert.equal(signOp(open, payer).body, JSON.stringify(toWire(signTx(open, payer))));
  });
});
