/**
 * Over HTTP: a payer cannot spread its daily limit across value days it makes up. The engine's
 * clock decides the day (here fixed with `today`, as `serve --today` does); an offline transfer's
 * device day must lie between its coins' day and the sync.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TIERS, isoDay, type Tx } from '../../engine/domain/index.js';
import { checkEngineFits, EngineMismatchError } from '../../runner/index.js';
import { cast, DAY, genesis, type Ledger } from '../fixtures/ledger.js';
import {
  type Client,
  engineState,
  obj,
  settleAll,
  startServer,
  type TestServer,
} from '../http/helpers.js';
import { rejection } from '../journal/helpers.js';

const HALF = DEFAULT_TIERS[4].daily! / 2;

describe('value days over HTTP', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;

  before(async () => {
    server = await startServer({ engine: { today: DAY } });
    client = server.client;
    l = genesis();
    await settleAll(client, l.genesis);
  });
  after(() => server.close());

  async function refused(tx: Tx, code: string): Promise<void> {
    const before = await engineState(client);
    const reply = await client.tx(tx);
    assert.equal(reply.status, 422, reply.text);
    assert.equal(obj(reply).code, code, `${tx.type} dated ${tx.day}: ${reply.text}`);
    assert.deepEqual(await engineState(client), before);
  }

  async function settles(tx: Tx): Promise<void> {
    await settleAll(client, [tx]);
    l.settle(tx);
  }

  test('/healthz tells a client the day and the central bank key to sign with', async () => {
    const health = obj(await client.get('/healthz'));
    assert.equal(health.day, DAY);
    assert.equal(health.centralBankKey, cast().cb.publicKey);
  });

  test('a tier-4 wallet pays its daily limit once, whatever days it writes on its payments', async () => {
    // 1,000 yuan a day, 500 at once, 1,000 held at most: pay 500, top up, pay 500, top up.
    await settles(l.pay('transfer', l.w.p4, l.w.m1, HALF));
    await settles(l.pay('exchange', l.banks.a, l.w.p4, HALF));
    await settles(l.pay('transfer', l.w.p4, l.w.m1, HALF));
    await settles(l.pay('exchange', l.banks.a, l.w.p4, HALF));
    await refused(l.pay('transfer', l.w.p4, l.w.m1, HALF), 'TIER_LIMIT');
    for (const day of [DAY + 1, DAY + 3650, DAY - 1, DAY - 365])
      await refused(l.pay('transfer', l.w.p4, l.w.m1, HALF, { day }), 'BAD_DAY');
    // Nor by calling the payments offline: its coins were made today, and the sync is today.
    for (const day of [DAY - 1, DAY + 1, DAY + 3650])
      await refused(l.pay('offline-transfer', l.w.p4, l.w.m1, HALF, { day }), 'BAD_DAY');
    await refused(l.pay('offline-transfer', l.w.p4, l.w.m1, HALF), 'TIER_LIMIT');
    const books = obj(await client.get('/v1/reconcile'));
    assert.equal(books.ok, true);
  });

  test('a run against an engine that does not fit its workload stops before genesis', async () => {
    await checkEngineFits(server.url, { centralBankKey: cast().cb.publicKey, day: DAY });
    const error = await rejection(
      checkEngineFits(server.url, { centralBankKey: 'ab'.repeat(32), day: DAY + 1 }),
    );
    assert.ok(error instanceof EngineMismatchError);
    assert.equal(error.code, 'ENGINE_MISMATCH');
    assert.match(
      error.message,
      new RegExp(`--central-bank-key ${'ab'.repeat(32)} --today ${isoDay(DAY + 1)}`),
    );
  });
});
