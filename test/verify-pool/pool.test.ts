import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { distribution } from '../../engine/metrics/index.js';
import {
  VerifyPool,
  VerifyPoolError,
  type VerifyPoolOptions,
} from '../../engine/verify-pool/index.js';
import { encodeMixed, TORSION, TORSION_BYTES } from '../crypto/ed25519-cases.js';
import { type Item, makeItems } from './fixtures.js';

function submit(pool: VerifyPool, item: Item): Promise<boolean> {
  const pending = pool.verify(item.key, item.message, item.signature);
  assert.ok(pending !== null, 'queue unexpectedly full');
  return pending;
}

describe('VerifyPool', () => {
  test('returns the right verdict for a mix of valid and invalid signatures', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxBatch: 32 });
    try {
      const items = makeItems(300, 3);
      const verdicts = await Promise.all(items.map((item) => submit(pool, item)));
      assert.deepEqual(
        verdicts,
        items.map((i) => i.valid),
      );
      const s = pool.stats();
      assert.equal(s.items, 300);
      assert.equal(s.valid, 200);
      assert.equal(s.invalid, 100);
      assert.equal(s.failed, 0);
      assert.equal(s.held, 0);
      assert.equal(s.wait.count, 300);
      assert.equal(s.latency.count, 300);
      assert.equal(s.verify.count, s.batches);
      assert.equal(s.batchSize.count, s.batches);
    } finally {
      await pool.close();
    }
  });

  test('the noble backend gives the same verdicts', async () => {
    const pool = new VerifyPool({ backend: 'noble', threads: 1 });
    try {
      const items = makeItems(12, 2, 'noble');
      const verdicts = await Promise.all(items.map((item) => submit(pool, item)));
      assert.deepEqual(
        verdicts,
        items.map((i) => i.valid),
      );
    } finally {
      await pool.close();
    }
  });

  test('delivers verdicts in submission order under concurrency', async () => {
    // Small batches on two threads: a later batch can finish before an earlier one.
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxBatch: 7 });
    try {
      const items = makeItems(1200, 5, 'order');
      const seen: number[] = [];
      const all: Promise<void>[] = [];
      for (let wave = 0; wave < 12; wave++) {
        for (let i = wave * 100; i < (wave + 1) * 100; i++) {
          all.push(
            submit(pool, items[i]!).then((valid) => {
              assert.equal(valid, items[i]!.valid, `item ${i}`);
              seen.push(i);
            }),
          );
        }
        await nextTurn();
      }
      await Promise.all(all);
      assert.deepEqual(
        seen,
        items.map((_, i) => i),
      );
      assert.ok(pool.stats().batches > 2);
    } finally {
      await pool.close();
    }
  });

  test('a single item alone goes out as a batch of 1', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2 });
    try {
      const [item] = makeItems(1);
      assert.equal(await submit(pool, item!), true);
      const s = pool.stats();
      assert.equal(s.batches, 1);
      assert.equal(s.batchSize.max, 1);
      assert.equal(s.maxQueueDepth, 0, 'dispatched at once, never queued');
    } finally {
      await pool.close();
    }
  });

  test("'turn' dispatch sends what one event-loop turn submitted as one batch", async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2, dispatch: 'turn' });
    try {
      const items = makeItems(40, 4);
      // Submitted from separate callbacks of one turn, as requests read from many sockets are.
      const verdicts = await Promise.all(
        items.map(
          (item) =>
            new Promise<boolean>((resolve, reject) =>
              queueMicrotask(() => submit(pool, item).then(resolve, reject)),
            ),
        ),
      );
      assert.deepEqual(
        verdicts,
        items.map((i) => i.valid),
      );
      const s = pool.stats();
      assert.equal(s.batches, 1);
      assert.equal(s.batchSize.max, 40);
      // A lone item still leaves in the turn it arrived.
      const [one] = makeItems(1);
      assert.equal(await submit(pool, one!), true);
      assert.equal(pool.stats().batches, 2);
    } finally {
      await pool.close();
    }
  });

  test('a burst batches adaptively, never above maxBatch', async (t) => {
    const maxBatch = 64;
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxBatch });
    try {
      const items = makeItems(2000, 7, 'burst');
      pool.takeIntervalHistograms(); // start the interval at the burst
      const verdicts = await Promise.all(items.map((item) => submit(pool, item)));
      assert.deepEqual(
        verdicts,
        items.map((i) => i.valid),
      );
      const sizes = distribution(pool.takeIntervalHistograms().batchSize);
      const s = pool.stats();
      t.diagnostic(
        `burst of 2000, maxBatch ${maxBatch}: ${s.batches} batches, sizes ` +
          `min ${sizes.min} p50 ${sizes.p50} mean ${sizes.mean.toFixed(1)} max ${sizes.max}, ` +
          `max queue depth ${s.maxQueueDepth}`,
      );
      assert.ok(s.batchSize.max > 1, 'a burst produces batches larger than 1');
      assert.ok(s.batchSize.max <= maxBatch, 'never above maxBatch');
      assert.equal(sizes.count, s.batches);
      assert.ok(s.batches < 2000);
      assert.ok(s.maxQueueDepth > 0);
    } finally {
      await pool.close();
    }
  });

  test('a full queue returns null and loses nothing once it drains', async () => {
    const maxQueue = 50;
    const pool = new VerifyPool({ backend: 'native', threads: 1, maxQueue, maxBatch: 8 });
    try {
      const items = makeItems(maxQueue + 2, 4, 'full');
      const accepted = items.slice(0, maxQueue).map((item) => submit(pool, item));
      const extra = items[maxQueue]!;
      assert.equal(pool.verify(extra.key, extra.message, extra.signature), null);
      assert.equal(pool.stats().overloaded, 1);
      assert.equal(pool.stats().held, maxQueue);
      const verdicts = await Promise.all(accepted);
      assert.deepEqual(
        verdicts,
        items.slice(0, maxQueue).map((i) => i.valid),
      );
      assert.equal(pool.stats().held, 0);
      // Room again, and the ring wraps around correctly.
      const again = await Promise.all(items.slice(maxQueue).map((item) => submit(pool, item)));
      assert.deepEqual(
        again,
        items.slice(maxQueue).map((i) => i.valid),
      );
      assert.equal(pool.stats().items, maxQueue + 2);
    } finally {
      await pool.close();
    }
  });

  test('submit(): callbacks run once each, in submission order, never synchronously', async () => {
    const maxQueue = 40;
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxQueue, maxBatch: 5 });
    try {
      const items = makeItems(maxQueue + 1, 3, 'callbacks');
      const seen: { index: number; valid: boolean; error: unknown }[] = [];
      const record = (index: number, valid: boolean, error: VerifyPoolError | null) => {
        seen.push({ index, valid, error });
      };
      items.slice(0, maxQueue).forEach((item, index) => {
        assert.equal(pool.submit(item.key, item.message, item.signature, record, index), true);
      });
      const extra = items[maxQueue]!;
      assert.equal(pool.submit(extra.key, extra.message, extra.signature, record, -1), false);
      assert.equal(seen.length, 0, 'no callback from inside submit');
      while (pool.stats().held > 0) await nextTurn();
      assert.deepEqual(
        seen,
        items.slice(0, maxQueue).map((item, index) => ({ index, valid: item.valid, error: null })),
      );
      assert.equal(pool.stats().overloaded, 1);
    } finally {
      await pool.close();
    }
  });

  test('a worker crash loses no item and resolves each exactly once', async (t) => {
    const pool = new VerifyPool({
      backend: 'native',
      threads: 2,
      maxBatch: 8,
      crashAfterBatches: 3,
      maxRetries: 10,
    });
    try {
      const items = makeItems(400, 4, 'crash');
      const settled = new Array<number>(items.length).fill(0);
      const all: Promise<void>[] = [];
      for (let wave = 0; wave < 8; wave++) {
        for (let i = wave * 50; i < (wave + 1) * 50; i++) {
          all.push(
            submit(pool, items[i]!).then((valid) => {
              settled[i]!++;
              assert.equal(valid, items[i]!.valid, `item ${i}`);
            }),
          );
        }
        await nextTurn();
      }
      await Promise.all(all);
      assert.ok(settled.every((n) => n === 1));
      const s = pool.stats();
      t.diagnostic(`${s.batches} batches, ${s.crashes} crashes, ${s.retries} retries`);
      assert.ok(s.crashes >= 1, `crashes ${s.crashes}`);
      assert.ok(s.retries >= 1, `retries ${s.retries}`);
      assert.equal(s.failed, 0);
      assert.equal(s.valid + s.invalid, items.length);
    } finally {
      await pool.close();
    }
  });

  test('a thread holds two batches at once: one thread death fails both', async () => {
    // Two items submitted together leave as two batches of 1 for the one thread. Held at once,
    // both die with the thread's first batch (one crash); held one after the other, the second
    // would run on the replacement thread and crash it too (two crashes).
    const pool = new VerifyPool({
      backend: 'native',
      threads: 1,
      crashAfterBatches: 1,
      maxRetries: 0,
    });
    try {
      const items = makeItems(2, 0, 'together');
      const outcomes = await Promise.allSettled(items.map((item) => submit(pool, item)));
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['rejected', 'rejected'],
      );
      const s = pool.stats();
      assert.equal(s.batches, 2);
      assert.equal(s.crashes, 1, 'both batches were on the thread when it died');
    } finally {
      await pool.close();
    }
  });

  test('a batch failing on every attempt rejects its items with VERIFY_FAILED', async () => {
    const pool = new VerifyPool({
      backend: 'native',
      threads: 1,
      crashAfterBatches: 1,
      maxRetries: 1,
    });
    try {
      const items = makeItems(3, 0, 'doomed');
      const outcomes = await Promise.allSettled(items.map((item) => submit(pool, item)));
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(outcome.reason instanceof VerifyPoolError);
        assert.equal(outcome.reason.code, 'VERIFY_FAILED');
      }
      const s = pool.stats();
      assert.equal(s.failed, 3);
      assert.equal(s.valid + s.invalid, 0);
      assert.equal(s.retries, s.batches, 'one retry per batch');
      // Every attempt died with its thread; two attempts on one thread (BATCHES_PER_THREAD) die
      // together, so a thread death may fail two attempts.
      assert.ok(
        s.crashes >= s.batches && s.crashes <= 2 * s.batches,
        `every attempt crashed its thread: ${s.crashes} crashes, ${s.batches} batches`,
      );
    } finally {
      await pool.close();
    }
  });

  test('registration-key checks run on the workers, in order with the signatures around them', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxBatch: 8 });
    try {
      const items = makeItems(12, 3);
      const keys: Array<[Uint8Array, boolean]> = [
        [items[0]!.key, true],
        [TORSION_BYTES[2]!, false], // small order
        [encodeMixed(7n, TORSION[1]!), false], // canonical, on the curve, with a torsion part
        [encodeMixed(7n, TORSION[0]!), true], // the same scalar with the identity: 7·B
      ];
      const order: string[] = [];
      const seen: Promise<void>[] = [];
      const track = (label: string, p: Promise<boolean>, want: boolean) =>
        seen.push(
          p.then((got) => {
            order.push(label);
            assert.equal(got, want, label);
          }),
        );
      for (const [i, item] of items.entries()) {
        if (i % 3 === 0) {
          const [key, acceptable] = keys[i / 3]!;
          const verdict = new Promise<boolean>((resolve, reject) => {
            const queued = pool.submitKeyCheck(
              key,
              (_: null, valid: boolean, error: Error | null) =>
                error === null ? resolve(valid) : reject(error),
              null,
            );
            assert.ok(queued);
          });
          track(`key ${i / 3}`, verdict, acceptable);
        }
        track(`sig ${i}`, submit(pool, item), item.valid);
      }
      await Promise.all(seen);
      const expected = items.flatMap((_, i) =>
        (i % 3 === 0 ? [`key ${i / 3}`] : []).concat(`sig ${i}`),
      );
      assert.deepEqual(order, expected, 'verdicts in submission order');
      const s = pool.stats();
      assert.equal(s.items, 16);
      assert.equal(s.keyChecks, 4);
    } finally {
      await pool.close();
    }
  });

  test('extraWorkPerItem keeps verdicts correct', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2, extraWorkPerItem: 200 });
    try {
      const items = makeItems(100, 3, 'extra');
      const verdicts = await Promise.all(items.map((item) => submit(pool, item)));
      assert.deepEqual(
        verdicts,
        items.map((i) => i.valid),
      );
    } finally {
      await pool.close();
    }
  });

  test('close() waits for queued work, then refuses new work', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 2, maxBatch: 16 });
    const items = makeItems(200, 9, 'close');
    const pending = items.map((item) => submit(pool, item));
    const closed = pool.close();
    assert.throws(
      () => pool.verify(items[0]!.key, items[0]!.message, items[0]!.signature),
      (e: unknown) => e instanceof VerifyPoolError && e.code === 'POOL_CLOSED',
    );
    await closed;
    assert.deepEqual(
      await Promise.all(pending),
      items.map((i) => i.valid),
    );
    assert.equal(pool.close(), closed, 'idempotent');
  });

  test('verify() rejects malformed input lengths synchronously', async () => {
    const pool = new VerifyPool({ backend: 'native', threads: 1 });
    try {
      const [item] = makeItems(1);
      assert.throws(
        () => pool.verify(item!.key.subarray(1), item!.message, item!.signature),
        /key must be a Uint8Array of 32 bytes/,
      );
      assert.throws(
        () => pool.verify(item!.key, item!.message, item!.signature.subarray(0, 63)),
        /signature must be a Uint8Array of 64 bytes/,
      );
      assert.equal(pool.stats().items, 0);
    } finally {
      await pool.close();
    }
  });

  test('the constructor rejects bad options, naming the option', () => {
    const cases: Array<[unknown, ErrorConstructor, RegExp]> = [
      [undefined, TypeError, /options must be an object/],
      [{}, TypeError, /options\.backend/],
      [{ backend: 'openssl' }, TypeError, /options\.backend/],
      [{ backend: 'native', threads: 0 }, RangeError, /options\.threads/],
      [{ backend: 'native', threads: 1.5 }, TypeError, /options\.threads/],
      [{ backend: 'native', threads: '2' }, TypeError, /options\.threads/],
      [{ backend: 'native', maxBatch: 0 }, RangeError, /options\.maxBatch/],
      [{ backend: 'native', maxBatch: Number.NaN }, TypeError, /options\.maxBatch/],
      [{ backend: 'native', maxQueue: -1 }, RangeError, /options\.maxQueue/],
      [{ backend: 'native', maxQueue: 1e9 }, RangeError, /options\.maxQueue/],
      [{ backend: 'native', maxRetries: -1 }, RangeError, /options\.maxRetries/],
      [{ backend: 'native', extraWorkPerItem: -5 }, RangeError, /options\.extraWorkPerItem/],
      [{ backend: 'native', crashAfterBatches: 0.5 }, TypeError, /options\.crashAfterBatches/],
      [{ backend: 'native', maxBatchSize: 10 }, TypeError, /options\.maxBatchSize/],
      [{ backend: 'native', dispatch: 'later' }, TypeError, /options\.dispatch/],
    ];
    for (const [options, type, message] of cases) {
      assert.throws(
        () => new VerifyPool(options as VerifyPoolOptions),
        (e: unknown) => e instanceof type && message.test((e as Error).message),
        JSON.stringify(options),
      );
    }
  });
});
