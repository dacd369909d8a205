/** Building blocks: the byte-level rule checks, the MSM, and the bounded key cache. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BoundedCache } from '../../engine/crypto/bounded-cache.js';
import {
  isCanonicalPointAt,
  isCanonicalScalarAt,
  isSmallOrderEncodingAt,
} from '../../engine/crypto/ed25519/rule.js';
import { multiScalarMul } from '../../engine/crypto/msm.js';
import { L, leBytes, leToBig, P, Point, TORSION_BYTES } from './ed25519-cases.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

test('isCanonicalScalarAt is S < L', () => {
  for (const s of [0n, 1n, L - 1n, L, L + 1n, 2n ** 256n - 1n]) {
    assert.equal(isCanonicalScalarAt(leBytes(s), 0), s < L, `S = ${s}`);
  }
  fc.assert(
    fc.property(bytes32, (b) => {
      assert.equal(isCanonicalScalarAt(b, 0), leToBig(b) < L);
    }),
  );
});

test('isCanonicalPointAt is y < p, except x = 0 with the sign bit', () => {
  const withSign = (y: bigint): Uint8Array => {
    const b = leBytes(y);
    b[31] = b[31]! | 0x80;
    return b;
  };
  assert.equal(isCanonicalPointAt(leBytes(P - 1n), 0), true);
  assert.equal(isCanonicalPointAt(leBytes(P), 0), false);
  assert.equal(isCanonicalPointAt(withSign(P - 1n), 0), false); // negative zero, order 2
  assert.equal(isCanonicalPointAt(withSign(1n), 0), false); // negative zero, identity
  assert.equal(isCanonicalPointAt(withSign(2n), 0), true);
  fc.assert(
    fc.property(bytes32, (b) => {
      const y = leToBig(b) & ((1n << 255n) - 1n);
      const sign = (b[31]! & 0x80) !== 0;
      assert.equal(isCanonicalPointAt(b, 0), y < P && !(sign && (y === 1n || y === P - 1n)));
    }),
  );
});

test('isSmallOrderEncodingAt matches exactly the 8 torsion encodings', () => {
  for (const enc of TORSION_BYTES) assert.equal(isSmallOrderEncodingAt(enc, 0), true);
  const key = Point.BASE.multiply(12345n).toBytes();
  assert.equal(isSmallOrderEncodingAt(key, 0), false);
  // At an offset inside a larger buffer.
  const buf = new Uint8Array(96);
  buf.set(key, 0);
  buf.set(TORSION_BYTES[3]!, 64);
  assert.equal(isSmallOrderEncodingAt(buf, 64), true);
  assert.equal(isSmallOrderEncodingAt(buf, 0), false);
});

test('multiScalarMul equals the naive sum (Straus and Pippenger sizes)', () => {
  const edge = [0n, 1n, 2n, L - 1n, (1n << 128n) - 1n, (1n << 255n) - 1n];
  for (const n of [1, 2, 5, 63, 64, 65, 200, 600]) {
    const points = Array.from({ length: n }, (_, i) => Point.BASE.multiply(BigInt(i + 1) * 7919n));
    const scalars = Array.from({ length: n }, (_, i) =>
      i < edge.length ? edge[i]! : (BigInt(i) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % L,
    );
    let naive = Point.ZERO;
    for (let i = 0; i < n; i++) {
      const s = scalars[i]! % L; // points have prime order, so reducing is exact
      if (s !== 0n) naive = naive.add(points[i]!.multiplyUnsafe(s));
    }
    assert.ok(multiScalarMul(Point.ZERO, points, scalars).equals(naive), `n = ${n}`);
  }
  assert.ok(multiScalarMul(Point.ZERO, [], []).equals(Point.ZERO));
  assert.throws(() => multiScalarMul(Point.ZERO, [Point.BASE], [1n << 255n]), RangeError);
  assert.throws(() => multiScalarMul(Point.ZERO, [Point.BASE], [-1n]), RangeError);
});

test('multiScalarMul on random inputs, both algorithms', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.bigInt({ min: 1n, max: L - 1n }), fc.bigInt({ min: 0n, max: L - 1n })), {
        minLength: 1,
        maxLength: 80,
      }),
      (pairs) => {
        const points = pairs.map(([p]) => Point.BASE.multiply(p));
        const scalars = pairs.map(([, s]) => s);
        const s = pairs.reduce((acc, [p, k]) => (acc + p * k) % L, 0n);
        const want = s === 0n ? Point.ZERO : Point.BASE.multiply(s);
        assert.ok(multiScalarMul(Point.ZERO, points, scalars).equals(want));
      },
    ),
    { numRuns: 20 },
  );
});

test('BoundedCache evicts the least recently used entry', () => {
  const cache = new BoundedCache<number>(3);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  assert.equal(cache.get('a'), 1); // a is now the most recent
  cache.set('d', 4); // evicts b
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.get('d'), 4);
  assert.equal(cache.size, 3);
  assert.throws(() => new BoundedCache(0), RangeError);
});

test('BoundedCache matches a reference LRU on any sequence of gets and sets', () => {
  const op = fc.record({
    set: fc.boolean(),
    key: fc.integer({ min: 0, max: 9 }).map(String),
    value: fc.integer(),
  });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (cap, ops) => {
      const cache = new BoundedCache<number>(cap);
      // Reference: a Map in recency order (first = least recently used).
      const model = new Map<string, number>();
      for (const { set, key, value } of ops) {
        if (set) {
          model.delete(key);
          model.set(key, value);
          if (model.size > cap) model.delete(model.keys().next().value!);
          cache.set(key, value);
        } else {
          const expected = model.get(key);
          if (expected !== undefined) {
            model.delete(key);
            model.set(key, expected);
          }
          assert.equal(cache.get(key), expected);
        }
        assert.equal(cache.size, model.size);
      }
    }),
  );
});
