/** isAcceptablePublicKey: the registration-time check (stricter than the per-signature rule). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAcceptablePublicKey } from '../../engine/crypto/index.js';
import {
  encodeMixed,
  honest,
  L,
  leBytes,
  NON_CANONICAL,
  P,
  Point,
  TORSION,
  TORSION_BYTES,
} from './ed25519-cases.js';

test('accepts generated keys', () => {
  for (let i = 0; i < 20; i++) assert.equal(isAcceptablePublicKey(honest(i).pub), true);
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: L - 1n }), (a) => {
      assert.equal(isAcceptablePublicKey(Point.BASE.multiply(a).toBytes()), true);
    }),
    { numRuns: 30 },
  );
});

test('rejects the 8 small-order points', () => {
  for (const enc of TORSION_BYTES) assert.equal(isAcceptablePublicKey(enc), false);
});

test('rejects mixed-order keys (a torsion component)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 1, max: 7 }), (a, t) => {
      assert.equal(isAcceptablePublicKey(encodeMixed(a, TORSION[t]!)), false);
    }),
    { numRuns: 30 },
  );
});

test('rejects non-canonical encodings', () => {
  for (const { bytes } of NON_CANONICAL) assert.equal(isAcceptablePublicKey(bytes), false);
  // y >= p for an ordinary key: set y to p + 0 .. p + 18 is covered above; also y = 2^255 - 1.
  const allOnes = new Uint8Array(32).fill(0xff);
  allOnes[31] = 0x7f;
  assert.equal(isAcceptablePublicKey(allOnes), false);
  assert.equal(isAcceptablePublicKey(leBytes(P)), false);
});

test('rejects encodings that are not curve points', () => {
  let found = 0;
  for (let y = 2n; found < 5; y++) {
    const bytes = leBytes(y);
    let onCurve = true;
    try {
      Point.fromBytes(bytes, false);
    } catch {
      onCurve = false;
    }
    if (!onCurve) {
      found++;
      assert.equal(isAcceptablePublicKey(bytes), false);
    }
  }
});

test('rejects wrong lengths', () => {
  const key = honest(1).pub;
  for (const len of [0, 31, 33, 64]) {
    const k = new Uint8Array(len);
    k.set(key.subarray(0, Math.min(32, len)));
    assert.equal(isAcceptablePublicKey(k), false);
  }
});
