/**
 * The two stores side by side: the same mixed workload (every operation, every rule rejection,
 * dependent runs) decided by the memory registry and by PostgreSQL in random batch sizes gives
 * the same answer to every transaction (code, index, message) and the same final books, coins,
 * balances and lifecycle totals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tx } from '../../../engine/domain/index.js';
import type { LedgerStore, SettleResult } from '../../../engine/registry/index.js';
import { coinOf, genesis } from '../../fixtures/ledger.js';
import { prng } from '../../fixtures/prng.js';
import { freshDatabase, openTestStore, postgresSkipReason } from './helpers.js';
import { mixedWorkload } from './workload.js';

const skip = postgresSkipReason();

/** Settles `txs` as one batch (one event-loop turn: the store sends them in one call). */
function settleBatch(store: LedgerStore, txs: readonly Tx[]): Promise<SettleResult[]> {
  return Promise.all(
    txs.map(
      (tx) => new Promise<SettleResult>((resolve) => store.settle(tx, null, (_, r) => resolve(r))),
    ),
  );
}

describe('memory and postgres stores agree', { skip }, () => {
  for (const seed of [1, 2]) {
    test(`seed ${seed}: every answer and the final books`, async () => {
      const l = genesis();
      const store = await openTestStore(await freshDatabase(), l.cb.publicKey);
      try {
        const answers = await settleBatch(store, l.genesis);
        assert.deepEqual(
          answers,
          l.genesis.map(() => null),
        );
        const w = mixedWorkload(l, 1_500, seed);
        const random = prng(seed * 7919);
        const codes = new Map<string, number>();
        for (let at = 0; at < w.txs.length; ) {
          // Batch sizes from 1 to 200: boundaries fall inside dependent runs and outside.
          const size = 1 + Math.floor(random() ** 2 * 200);
          const batch = w.txs.slice(at, at + size);
          const got = await settleBatch(store, batch);
          for (let i = 0; i < batch.length; i++) {
            const want = w.expected[at + i]!;
            assert.deepEqual(
              got[i],
              want,
              `tx ${at + i} (${batch[i]!.type}) in a batch of ${batch.length}`,
            );
            const code = want?.code ?? 'SETTLED';
            codes.set(code, (codes.get(code) ?? 0) + 1);
          }
          at += batch.length;
        }
        // The workload reached what it aims at.
        for (const code of [
          'SETTLED',
          'DUPLICATE_TX',
          'UNKNOWN_SIGNER',
          'UNAUTHORIZED',
          'UNKNOWN_COIN',
          'ALREADY_SPENT',
          'NOT_OWNER',
          'UNKNOWN_PAYEE',
          'VALUE_MISMATCH',
          'TIER_LIMIT',
          'ALREADY_REGISTERED',
        ])
          assert.ok((codes.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...codes])}`);

        const books = await store.reconcile();
        assert.deepEqual(books, l.registry.reconcile());
        assert.deepEqual(await store.lifecycle(), l.registry.lifecycle);
        for (const who of [...l.parties, ...w.opened]) {
          const held = await store.holdings(who.publicKey, 10_000);
          const coins = l.registry.coinsOf(who.publicKey);
          assert.ok(held, `no holdings for ${who.publicKey}`);
          assert.equal(held.balance, l.registry.balanceOf(who.publicKey));
          assert.equal(held.coinCount, coins.length);
          assert.deepEqual(
            held.coins.map((c) => c.id),
            coins.map((c) => c.id).sort(),
          );
          assert.deepEqual(held.account, l.registry.accounts.get(who.publicKey));
          const byId = await store.holdings(held.account.id, 1);
          assert.equal(byId?.account.key, who.publicKey);
        }
        // Every coin any transaction names or creates has the same status in both.
        for (const tx of w.txs) {
          for (const id of [...tx.inputs, ...tx.outputs.map((_, i) => coinOf(tx, i))])
            assert.deepEqual(await store.coin(id), l.registry.coin(id), `coin ${id}`);
        }
      } finally {
        await store.close();
      }
    });
  }
});
