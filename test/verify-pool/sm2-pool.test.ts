/**
 * The pool under the SM2 suite: 129-byte items across threads, verdicts per the SM2 rule, the
 * distinguishing ID handed to every worker, and wrong-suite input refused as misuse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sm2KeyFromSecret, sm2Sign } from '../../engine/crypto/index.js';
import { VerifyPool } from '../../engine/verify-pool/index.js';

const ALICE = 'ALICE123@YAHOO.COM';

function message(i: number): Buffer {
  const m = Buffer.alloc(32);
  m.writeUInt32BE(i, 0);
  return m;
}

test('an SM2 pool verifies SM2 items with its configured ID on every thread', async () => {
  const keys = Array.from({ length: 4 }, (_, i) =>
    sm2KeyFromSecret(Buffer.alloc(32, i + 1), Buffer.from(ALICE, 'latin1')),
  );
  const defaultIdKey = sm2KeyFromSecret(Buffer.alloc(32, 9));
  for (const backend of ['native', 'noble'] as const) {
    const pool = new VerifyPool({ backend, suite: 'sm2', sm2Id: ALICE, threads: 2, maxBatch: 8 });
    try {
      const cases = Array.from({ length: 40 }, (_, i) => {
        const key = keys[i % keys.length]!;
        const sig = sm2Sign(key, message(i));
        if (i % 5 === 1) sig[10]! ^= 1;
        return { key: key.publicKey, msg: message(i), sig, valid: i % 5 !== 1 };
      });
      // Signed under the default ID: invalid for an engine configured with another.
      cases.push({
        key: defaultIdKey.publicKey,
        msg: message(99),
        sig: sm2Sign(defaultIdKey, message(99)),
        valid: false,
      });
      const verdicts = await Promise.all(cases.map((c) => pool.verify(c.key, c.msg, c.sig)!));
      assert.deepEqual(
        verdicts,
        cases.map((c) => c.valid),
        backend,
      );
      assert.equal(pool.stats().suite, 'sm2');
      assert.throws(() => pool.verify(Buffer.alloc(32), message(1), Buffer.alloc(64)), /key/);
    } finally {
      await pool.close();
    }
  }
});

test('VerifyPool refuses an unknown suite or a malformed SM2 ID', () => {
  assert.throws(() => new VerifyPool({ backend: 'native', suite: 'p256' as 'sm2' }), /suite/);
  assert.throws(
    () => new VerifyPool({ backend: 'native', suite: 'sm2', sm2Id: 'tab\there' }),
    /sm2Id/,
  );
});
