/**
 * Authority over HTTP: who may do what, and the tier limits. Every refusal has its exact code
 * (and index where one is to blame) and leaves the books, counters and journal untouched.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deriveKeyPair, makeTx, signTx, type Tx, toWire } from '../../engine/domain/index.js';
import { coinOf, DAY, genesis, type Ledger, op, out, YUAN } from '../fixtures/ledger.js';
import {
  type Client,
  engineState,
  obj,
  scratchDir,
  settleAll,
  startServer,
  type TestServer,
} from '../http/helpers.js';

const dir = await scratchDir('ecny-authority-');

describe('authority and tier limits over HTTP', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;
  const stranger = deriveKeyPair('authority', 'stranger');

  before(async () => {
    // A journal that outlives the hooks: the tier-limit test restarts the engine on it.
    server = await startServer({ journalPath: join(dir, 'journal.ecj') });
    client = server.client;
    l = genesis();
    await settleAll(client, l.genesis);
  });
  after(() => server.close());

  async function refused(tx: Tx, code: string, index?: number): Promise<void> {
    const before = await engineState(client);
    const reply = await client.tx(tx);
    assert.equal(reply.status, 422, reply.text);
    const body = obj(reply);
    assert.equal(body.code, code, reply.text);
    assert.equal(body.index, index, reply.text);
    assert.equal(body.txid, tx.txidHex);
    assert.deepEqual(await engineState(client), before, `${code} changed state`);
  }

  async function settles(tx: Tx): Promise<void> {
    await settleAll(client, [tx]);
    l.settle(tx);
  }

  const coinOfWallet = (who: { publicKey: string }) => l.registry.coinsOf(who.publicKey)[0]!;

  test("only a coin's owner can spend it", async () => {
    const coin = coinOfWallet(l.w.p2);
    // Validly signed by p3, who is not the owner.
    await refused(op.transfer(l.w.p3, [coin.id], [out(l.w.m1, coin.value)]), 'NOT_OWNER', 0);
    // Claims to be p2 but is signed with p3's key.
    const forged = signTx(
      {
        type: 'transfer',
        signer: l.w.p2.publicKey,
        day: DAY,
        nonce: 1,
        inputs: [coin.id],
        outputs: [out(l.w.p3, coin.value)],
      },
      l.w.p3,
    );
    await refused(forged, 'BAD_SIGNATURE');
    // A bank cannot spend a wallet's coin either, nor the central bank.
    await refused(op.redeem(l.banks.a, [coin.id], [out(l.banks.a, coin.value)]), 'UNAUTHORIZED');
    await refused(op.transfer(stranger, [coin.id], [out(l.w.m1, coin.value)]), 'UNKNOWN_SIGNER');
    // A coin among several that is not the signer's is named by its index.
    const p1coin = coinOfWallet(l.w.p1);
    await refused(
      op.transfer(l.w.p1, [p1coin.id, coin.id], [out(l.w.m1, p1coin.value + coin.value)]),
      'NOT_OWNER',
      1,
    );
  });

  test('a settled transaction sent again is DUPLICATE_TX', async () => {
    const tx = l.pay('transfer', l.w.p2, l.w.m2, 10 * YUAN);
    await settles(tx);
    await refused(tx, 'DUPLICATE_TX');
    const batch = await client.post('/v1/tx/batch', { txs: [toWire(tx), toWire(tx)] });
    const results = obj(batch).results as Array<Record<string, unknown>>;
    assert.deepEqual(
      results.map((r) => r.code),
      ['DUPLICATE_TX', 'DUPLICATE_TX'],
    );
    // A replay with a damaged signature is caught at verification, before the registry.
    const sig = Buffer.from(tx.signature);
    sig[0]! ^= 1;
    await refused(makeTx(tx, sig), 'BAD_SIGNATURE');
  });

  test('issue and destroy only with the central bank key', async () => {
    for (const signer of [l.banks.a, l.w.p1, l.w.m1]) {
      await refused(op.issue(signer, [out(signer, 1_000 * YUAN)]), 'UNAUTHORIZED');
    }
    await refused(op.issue(stranger, [out(stranger, 1_000 * YUAN)]), 'UNKNOWN_SIGNER');
    // Issuing to someone other than the issuance vault is refused too.
    await refused(op.issue(l.cb, [out(l.banks.a, YUAN)]), 'UNAUTHORIZED', 0);
    const issue = op.issue(l.cb, [out(l.cb, 500 * YUAN)]);
    await settles(issue);
    const minted = coinOf(issue, 0);
    // A bank cannot destroy, not even its own coins; a wallet neither.
    await refused(op.destroy(l.banks.a, [coinOfWallet(l.banks.a).id], []), 'UNAUTHORIZED');
    await refused(op.destroy(l.w.p1, [coinOfWallet(l.w.p1).id], []), 'UNAUTHORIZED');
    await refused(op.destroy(stranger, [minted], []), 'UNKNOWN_SIGNER');
    // The central bank burns 200 yuan of it, change back to the vault.
    const destroy = op.destroy(l.cb, [minted], [out(l.cb, 300 * YUAN)]);
    await settles(destroy);
    const books = obj(await client.get('/v1/reconcile'));
    assert.equal(books.destroyed, 200 * YUAN);
    assert.equal(books.ok, true);
  });

  test('allocate and exchange only by the central bank and registered banks', async () => {
    const vault = l.registry.coinsOf(l.cb.publicKey)[0]!;
    const bankCoin = coinOfWallet(l.banks.a);
    // allocate: central bank -> bank only.
    await refused(
      op.allocate(l.banks.a, [bankCoin.id], [out(l.banks.b, bankCoin.value)]),
      'UNAUTHORIZED',
    );
    await refused(
      op.allocate(l.w.p1, [coinOfWallet(l.w.p1).id], [out(l.banks.a, YUAN)]),
      'UNAUTHORIZED',
    );
    await refused(
      op.allocate(l.cb, [vault.id], [out(l.w.p1, YUAN), out(l.cb, vault.value - YUAN)]),
      'UNAUTHORIZED',
      0,
    );
    // exchange: registered bank -> wallet only.
    await refused(
      op.exchange(l.w.p1, [coinOfWallet(l.w.p1).id], [out(l.w.p2, YUAN)]),
      'UNAUTHORIZED',
    );
    await refused(
      op.exchange(l.cb, [vault.id], [out(l.w.p1, YUAN), out(l.cb, vault.value - YUAN)]),
      'UNAUTHORIZED',
    );
    await refused(op.exchange(stranger, [bankCoin.id], [out(l.w.p1, YUAN)]), 'UNKNOWN_SIGNER');
    await refused(
      op.exchange(
        l.banks.a,
        [bankCoin.id],
        [out(l.banks.b, YUAN), out(l.banks.a, bankCoin.value - YUAN)],
      ),
      'UNAUTHORIZED',
      0,
    );
    // Registration is as strict: enroll by the central bank, open by a bank.
    const newcomer = deriveKeyPair('authority', 'newcomer');
    await refused(op.enroll(l.banks.a, newcomer), 'UNAUTHORIZED');
    await refused(op.open(l.w.p1, newcomer, 2, 'personal'), 'UNAUTHORIZED');
    await refused(op.open(l.cb, newcomer, 2, 'personal'), 'UNAUTHORIZED');
    await refused(op.open(stranger, newcomer, 2, 'personal'), 'UNKNOWN_SIGNER');
    await refused(op.open(l.banks.a, l.w.p2, 2, 'personal'), 'ALREADY_REGISTERED');
    // And the legitimate ones settle.
    await settles(l.pay('allocate', l.cb, l.banks.b, 1_000 * YUAN));
    await settles(op.open(l.banks.b, newcomer, 3, 'personal'));
    await settles(l.pay('exchange', l.banks.b, newcomer, 100 * YUAN));
    assert.equal(obj(await client.get(`/v1/wallets/${newcomer.publicKey}`)).balance, 100 * YUAN);
  });

  /** Restarts the engine on its journal with its clock reading `day`. */
  async function restartOn(day: number): Promise<void> {
    await server.close();
    server = await startServer({ journalPath: server.journalPath, engine: { today: day } });
    client = server.client;
  }

  test('tier limits: single payment, daily total, payee balance', async () => {
    // A day of its own: the payments of the tests above do not count against it.
    const day = DAY + 10;
    await restartOn(day);
    // Tier 1 single payment limit is 50,000 yuan.
    await refused(l.pay('transfer', l.w.p1, l.w.m1, 50_000 * YUAN + 1, { day }), 'TIER_LIMIT');
    // Daily: 100,000 yuan for tier 1. Top p1 up first (exchange from its bank).
    await settles(l.pay('exchange', l.banks.a, l.w.p1, 20_000 * YUAN, { day }));
    await settles(l.pay('transfer', l.w.p1, l.w.m1, 50_000 * YUAN, { day }));
    await settles(l.pay('transfer', l.w.p1, l.w.m1, 50_000 * YUAN, { day }));
    await refused(l.pay('transfer', l.w.p1, l.w.m1, 1, { day }), 'TIER_LIMIT');
    // The next value day has a fresh daily allowance (the tally survives the restart).
    await restartOn(day + 1);
    await refused(l.pay('transfer', l.w.p1, l.w.m1, YUAN, { day }), 'BAD_DAY');
    await settles(l.pay('transfer', l.w.p1, l.w.m1, YUAN, { day: day + 1 }));
    await restartOn(day + 2);
    // Payee balance: tier 4 holds at most 1,000 yuan (p4 has 500).
    const p4 = l.registry.balanceOf(l.w.p4.publicKey);
    await refused(
      l.pay('transfer', l.w.p1, l.w.p4, 100_000 - p4 + 1, { day: day + 2 }),
      'TIER_LIMIT',
      0,
    );
    await settles(l.pay('transfer', l.w.p1, l.w.p4, 100_000 - p4, { day: day + 2 }));
    // Tier 4 single payment: 500 yuan.
    await refused(
      l.pay('transfer', l.w.p4, l.w.m1, 500 * YUAN + 1, { day: day + 2 }),
      'TIER_LIMIT',
    );
    const books = obj(await client.get('/v1/reconcile'));
    assert.equal(books.ok, true);
  });
});
