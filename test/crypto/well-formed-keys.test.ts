/**
 * isWellFormedPublicKey, the byte-level half of isAcceptablePublicKey that recovery applies to
 * keys already checked before they were journaled. It must be implied by the full check on every
 * input, and agree with it wherever no curve arithmetic is needed to decide.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAcceptablePublicKey, isWellFormedPublicKey } from '../../engine/crypto/index.js';
import {
  encodeMixed,
  honest,
  L,
  leBytes,
  leToBig,
  NON_CANONICAL,
  P,
  Point,
  TORSION,
  TORSION_BYTES,
} from './ed25519-cases.js';

/** The byte rules spelled out with bigints, independently of rule.ts's byte comparisons. */
function wellFormedReference(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  const n = leToBig(key);
  const y = n & ((1n << 255n) - 1n);
  const sign = n >> 255n;
  if (y >= P) return false;
  if (sign === 1n && (y === 1n || y === P - 1n)) return false; // negative zero: x = 0
  return !TORSION_BYTES.some((t) => Buffer.from(t).equals(Buffer.from(key)));
}

/** The full rule spelled out with noble, for the cases the byte rules cannot decide. */
function acceptableReference(key: Uint8Array): boolean {
  if (!wellFormedReference(key)) return false;
  try {
    const point = Point.fromBytes(key, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

function check(key: Uint8Array): void {
  const full = isAcceptablePublicKey(key);
  const cheap = isWellFormedPublicKey(key);
  assert.equal(cheap, wellFormedReference(key), 'byte rules');
  assert.equal(full, acceptableReference(key), 'full rule');
  if (full) assert.equal(cheap, true, 'the full check implies the byte-level one');
}

/** Keys of every class: random bytes, honest, torsion, mixed order, non-canonical, near p. */
const anyKey: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.uint8Array({ minLength: 0, maxLength: 64 }),
  fc.nat(1_000).map((i) => honest(i).pub),
  fc.bigInt({ min: 1n, max: L - 1n }).map((a) => Point.BASE.multiply(a).toBytes()),
  fc.constantFrom(...TORSION_BYTES),
  fc
    .tuple(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 1, max: 7 }))
    .map(([a, t]) => encodeMixed(a, TORSION[t]!)),
  fc.constantFrom(...NON_CANONICAL.map((c) => c.bytes)),
  fc.tuple(fc.bigInt({ min: 0n, max: 40n }), fc.boolean()).map(([d, sign]) => {
    const b = leBytes(P - 20n + d);
    if (sign) b[31] = b[31]! | 0x80;
    return b;
  }),
);

test('agrees with the references on random and edge-case keys', () => {
  fc.assert(fc.property(anyKey, check), { numRuns: 400 });
});

test('agrees with isAcceptablePublicKey where no arithmetic is needed', () => {
  for (const t of TORSION_BYTES) assert.equal(isWellFormedPublicKey(t), false);
  for (const { bytes } of NON_CANONICAL) assert.equal(isWellFormedPublicKey(bytes), false);
  assert.equal(isWellFormedPublicKey(leBytes(P)), false);
  assert.equal(isWellFormedPublicKey(new Uint8Array(32).fill(0xff)), false);
  for (const len of [0, 31, 33, 64])
    assert.equal(isWellFormedPublicKey(new Uint8Array(len)), false);
  for (let i = 0; i < 20; i++) assert.equal(isWellFormedPublicKey(honest(i).pub), true);
});

test('leaves decoding and torsion to the full check (documented, not an accident)', () => {
  const mixed = encodeMixed(12345n, TORSION[1]!);
  assert.equal(isWellFormedPublicKey(mixed), true);
  assert.equal(isAcceptablePublicKey(mixed), false);
  let notAPoint: Uint8Array | undefined;
  for (let y = 2n; notAPoint === undefined; y++) {
    try {
      Point.fromBytes(leBytes(y), false);
    } catch {
      notAPoint = leBytes(y);
    }
  }
  assert.equal(isWellFormedPublicKey(notAPoint), true);
  assert.equal(isAcceptablePublicKey(notAPoint), false);
});

test('the speccheck vectors: public keys classified as by the full check', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../../../test/vectors/ed25519-speccheck.json', import.meta.url), 'utf8'),
  ) as { pub_key: string }[];
  assert.equal(vectors.length, 10);
  for (const v of vectors) check(Buffer.from(v.pub_key, 'hex'));
  // Vectors 0-1 use small-order keys: refused by the byte rules alone, as by the full check.
  for (const i of [0, 1]) {
    const key = Buffer.from(vectors[i]!.pub_key, 'hex');
    assert.equal(isAcceptablePublicKey(key), false);
    assert.equal(isWellFormedPublicKey(key), false);
  }
});
