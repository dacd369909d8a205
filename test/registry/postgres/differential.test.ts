/**
 * The two stores side by side: the same mixed workload (every operation, every rule rejection,
 * value days and offline transfers, dependent runs) decided by the memory registry and by
 * PostgreSQL in random batch sizes gives the same answer to every transaction (code, index,
 * message) and the same final books, coins, balances and lifecycle totals. Both stores read one
 * clock; a batch never spans a change of the engine's day (the postgres store reads it once per
 * settle call, the memory registry once per transaction).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAcceptablePublicKey } from '../../../engine/crypto/index.js';
import type { Tx } from '../../../engine/domain/index.js';
import type { LedgerStore, SettleResult } from '../../../engine/registry/index.js';
import { coinOf, DAY, genesis } from '../../fixtures/ledger.js';
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
      const clock = { today: DAY };
      const today = () => clock.today;
      const acceptKey = (key: Uint8Array) => isAcceptablePublicKey(key);
      const l = genesis({ today, acceptKey });
      const store = await openTestStore(await freshDatabase(), l.cb.publicKey, today);
      try {
        const answers = await settleBatch(store, l.genesis);
        assert.deepEqual(
          answers,
          l.genesis.map(() => null),
        );
        const w = mixedWorkload(l, clock, 1_500, seed);
        const random = prng(seed * 7919);
        const codes = new Map<string, number>();
        for (let at = 0; at < w.txs.length; ) {
          // Batch sizes from 1 to 200: boundaries fall inside dependent runs and outside, and at
          // every change of the engine's day.
          let size = 1 + Math.floor(random() ** 2 * 200);
          for (let i = 1; i < size; i++) {
            if (w.todays[at + i] !== w.todays[at]) size = i;
          }
          const batch = w.txs.slice(at, at + size);
          clock.today = w.todays[at]!;
          const got = await settleBatch(store, batch);
          for (let i = 0; i < batch.length; i++) {
            const want = w.expected[at + i]!;
            assert.deepEqual(
              got[i],
              want,
              `tx ${at + i} (${batch[i]!.type}) in a batch of ${batch.length}`,
            );
            const code = want === null ? 'SETTLED' : `${want.code} ${badDayKind(want.message)}`;
            codes.set(code.trim(), (codes.get(code.trim()) ?? 0) + 1);
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
          'WEAK_KEY',
          'BAD_DAY online',
          'BAD_DAY before-input',
          'BAD_DAY after-sync',
          'BAD_DAY too-old',
        ])
          assert.ok((codes.get(code) ?? 0) > 0, `no ${code} in ${JSON.stringify([...codes])}`);

        const books = await store.reconcile();
        assert.deepEqual(books, l.registry.reconcile());
        assert.deepEqual(await store.lifecycle(), l.registry.lifecycle);
        assert.ok(
          l.registry.lifecycle.byType['offline-transfer'] > 0,
          'no offline transfer settled',
        );
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
        // Every coin any transaction names or creates has the same status in both (read 16 at
        // a time: thousands of lookups one after another would cost seconds of round trips).
        const ids = [
          ...new Set(
            w.txs.flatMap((tx) => [...tx.inputs, ...tx.outputs.map((_, i) => coinOf(tx, i))]),
          ),
        ];
        let next = 0;
        const lane = async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            assert.deepEqual(await store.coin(id), l.registry.coin(id), `coin ${id}`);
          }
        };
        await Promise.all(Array.from({ length: 16 }, lane));
      } finally {
        await store.close();
      }
    });
  }
});

/** Which BAD_DAY rule a message words ('' for any other code). */
function badDayKind(message: string): string {
  if (message.startsWith('value day')) return 'online';
  if (message.includes('before input')) return 'before-input';
  if (message.includes("after the engine's day")) return 'after-sync';
  if (message.includes('days before')) return 'too-old';
  return '';
}
