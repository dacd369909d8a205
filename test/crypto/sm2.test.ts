/**
 * The SM2 rule (docs/signatures.md): the standard's own example, the edge cases of rules 1-5,
 * key checks, the distinguishing ID, and random tampering. Every path (native and noble, single
 * and inside a batch, and the reference arithmetic) must give the same verdict.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  compressSm2Key,
  decodeSm2Key,
  isAcceptablePublicKey,
  isWellFormedPublicKey,
  sm2KeyFromSecret,
  sm2Sign,
  sm2SignWithNonce,
  sm3,
  userDigest,
} from '../../engine/crypto/index.js';
import { Sm2Point } from '../../engine/crypto/sm2/curve.js';
import { createSm2NativeVerifier } from '../../engine/crypto/sm2/native.js';
import { createSm2NobleVerifier } from '../../engine/crypto/sm2/noble.js';
import { challenge } from '../../engine/crypto/sm2/rule.js';
import {
  agreedVerdict,
  be32,
  Fn,
  honest,
  keyOf,
  messageOf,
  N,
  rsOf,
  type Sm2Item,
  sigOf,
} from './sm2-cases.js';

interface Vector {
  id: string;
  message: string;
  privateKey: string;
  publicKey: string;
  za: string;
  e: string;
  k: string;
  r: string;
  s: string;
  sm3: { abc: string };
}

const V = JSON.parse(
  readFileSync(new URL('../../../test/vectors/sm2-gbt32918-5.json', import.meta.url), 'utf8'),
) as Vector;
const big = (hex: string): bigint => BigInt(`0x${hex}`);

/** The standard's private key d, through sm2KeyFromSecret (which maps a secret to secret mod (n-1) + 1). */
const standardKey = sm2KeyFromSecret(be32(big(V.privateKey) - 1n));

test('SM3 gives the GB/T 32905 example digest', () => {
  assert.equal(sm3(Buffer.from('abc')).toString('hex'), V.sm3.abc);
});

test('the GB/T 32918.5 example: public key, Z_A, e, and r || s from the published nonce', () => {
  assert.equal(standardKey.uncompressed.toString('hex'), V.publicKey);
  assert.equal(userDigest(standardKey.uncompressed).toString('hex'), V.za);
  const message = Buffer.from(V.message, 'latin1');
  assert.equal(challenge(standardKey.za, message).toString(16).padStart(64, '0'), V.e);
  const sig = sm2SignWithNonce(standardKey, message, big(V.k));
  assert.equal(sig.toString('hex'), V.r + V.s);
});

test('the example signature verifies on both backends, from either key form, and no bit flip does', () => {
  const message = Buffer.from(V.message, 'latin1');
  const sig = Buffer.from(V.r + V.s, 'hex');
  const uncompressed = Buffer.from(V.publicKey, 'hex');
  const compressed = compressSm2Key(uncompressed)!;
  for (const v of [createSm2NativeVerifier(), createSm2NobleVerifier()]) {
    assert.equal(v.verifyMessage(uncompressed, message, sig), true, `${v.backend} uncompressed`);
    assert.equal(v.verifyMessage(compressed, message, sig), true, `${v.backend} compressed`);
    for (const bit of [0, 7, 255, 256, 300, 511]) {
      const bad = Buffer.from(sig);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(v.verifyMessage(compressed, message, bad), false, `${v.backend} bit ${bit}`);
    }
    assert.equal(v.verifyMessage(compressed, Buffer.from('message digesT'), sig), false);
  }
});

test('the distinguishing ID is configurable and part of the verdict', () => {
  const alice = Buffer.from('ALICE123@YAHOO.COM', 'latin1');
  const key = sm2KeyFromSecret(Buffer.alloc(32, 7), alice);
  const message = messageOf(1);
  const sig = sm2Sign(key, message);
  for (const make of [createSm2NativeVerifier, createSm2NobleVerifier]) {
    assert.equal(make({ id: alice }).verifyMessage(key.publicKey, message, sig), true);
    assert.equal(make().verifyMessage(key.publicKey, message, sig), false, 'default ID');
  }
});

const base = honest(1);
const { r: r0, s: s0 } = rsOf(base.signature);
const withSig = (signature: Uint8Array): Sm2Item => ({ ...base, signature });

test('an honest signature is valid on every path', () => {
  assert.equal(agreedVerdict(base), true);
});

test('rule 1: r and s must be in [1, n-1], never reduced', () => {
  const cases: [string, Buffer][] = [
    ['r = 0', sigOf(0n, s0)],
    ['s = 0', sigOf(r0, 0n)],
    ['r = n', sigOf(N, s0)],
    ['s = n', sigOf(r0, N)],
    ['r = 2^256 - 1', sigOf((1n << 256n) - 1n, s0)],
    ['s = 2^256 - 1', sigOf(r0, (1n << 256n) - 1n)],
    ['r + n (same residue)', sigOf(r0 + N < 1n << 256n ? r0 + N : N + 1n, s0)],
  ];
  for (const [name, sig] of cases) assert.equal(agreedVerdict(withSig(sig)), false, name);
});

test('rule 4: t = (r + s) mod n = 0 is invalid', () => {
  assert.equal(agreedVerdict(withSig(sigOf(r0, N - r0))), false);
});

test('rule 5: [s]G + [t]P = infinity is invalid (no x1), on every path', () => {
  const key = keyOf(3);
  const t = 0x1234567890abcdefn;
  const s = Fn.neg(Fn.mul(t, key.privateKey)); // [s]G = -[t]P
  const r = Fn.sub(t, s);
  const item: Sm2Item = { key: key.publicKey, message: messageOf(3), signature: sigOf(r, s) };
  assert.ok(Sm2Point.BASE.multiply(s).add(Sm2Point.fromBytes(key.publicKey).multiply(t)).is0());
  assert.equal(agreedVerdict(item), false);
});

test('r = e mod n (the case the native construction hands to the reference) is decided alike', () => {
  const key = keyOf(4);
  const message = messageOf(4);
  const e = Fn.create(challenge(key.za, message));
  const item: Sm2Item = { key: key.publicKey, message, signature: sigOf(e, 12345n) };
  assert.equal(agreedVerdict(item), false);
});

test('rule 2: bad keys make every signature invalid', () => {
  const good = keyOf(5);
  const message = messageOf(5);
  const signature = sm2Sign(good, message);
  const x = Buffer.from(good.publicKey.subarray(1));
  const flipped = Buffer.from(good.publicKey);
  flipped[0] = flipped[0] === 2 ? 3 : 2; // the negated point: a valid key, the wrong one
  const xAboveP = Buffer.concat([Uint8Array.of(2), be32(Sm2Point.Fp.ORDER + 1n)]);
  let offCurve = Buffer.alloc(0);
  for (let i = 1n; offCurve.length === 0; i++) {
    const candidate = Buffer.concat([Uint8Array.of(2), be32(i)]);
    if (decodeSm2Key(candidate) === null) offCurve = candidate;
  }
  const cases: [string, Uint8Array][] = [
    ['negated point', flipped],
    ['x >= p', xAboveP],
    ['x with no point', offCurve],
    ['prefix 04 in 33 bytes', Buffer.concat([Uint8Array.of(4), x])],
    ['prefix 00', Buffer.concat([Uint8Array.of(0), x])],
    ['all zero (infinity)', Buffer.alloc(33)],
  ];
  assert.equal(agreedVerdict({ key: good.publicKey, message, signature }), true);
  for (const [name, key] of cases)
    assert.equal(agreedVerdict({ key, message, signature }), false, name);
});

test('registration: SEC1 points on the curve in either form; nothing else', () => {
  const key = keyOf(6);
  assert.equal(isAcceptablePublicKey(key.publicKey, 'sm2'), true);
  assert.equal(isAcceptablePublicKey(key.uncompressed, 'sm2'), true);
  const offCurve = Buffer.from(key.uncompressed);
  offCurve[64]! ^= 1;
  const cases: [string, Uint8Array][] = [
    ['uncompressed, y off the curve', offCurve],
    ['infinity (00)', Uint8Array.of(0)],
    ['33 zero bytes', Buffer.alloc(33)],
    ['x >= p', Buffer.concat([Uint8Array.of(3), be32(Sm2Point.Fp.ORDER)])],
    ['32 bytes (an Ed25519-sized key)', key.publicKey.subarray(1)],
    ['hybrid prefix 06', Buffer.concat([Uint8Array.of(6), key.uncompressed.subarray(1)])],
  ];
  for (const [name, k] of cases) assert.equal(isAcceptablePublicKey(k, 'sm2'), false, name);
  // The byte-level half: the compressed identity form only, x < p.
  assert.equal(isWellFormedPublicKey(key.publicKey, 'sm2'), true);
  assert.equal(isWellFormedPublicKey(key.uncompressed, 'sm2'), false);
  assert.equal(isWellFormedPublicKey(cases[3]![1], 'sm2'), false);
  // An Ed25519 key is not an SM2 key and the default suite is Ed25519.
  assert.equal(isAcceptablePublicKey(key.publicKey), false);
});

test('compressSm2Key checks the curve equation and keeps the y parity', () => {
  for (let i = 0; i < 8; i++) {
    const key = keyOf(20 + i);
    assert.deepEqual(compressSm2Key(key.uncompressed), key.publicKey);
    const bad = Buffer.from(key.uncompressed);
    bad[40]! ^= 0x10;
    assert.equal(compressSm2Key(bad), null);
  }
  assert.equal(compressSm2Key(keyOf(1).publicKey), null, 'already compressed');
});

const TAMPER = ['none', 'bit', 'message', 'key', 'swap', 'r+1', 's-n+s'] as const;

test('random signatures and tampering: every path agrees with the expected verdict', () => {
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 0, max: 1 << 20 }),
        tamper: fc.constantFrom(...TAMPER),
        bit: fc.integer({ min: 0, max: 511 }),
        position: fc.integer({ min: 0, max: 5 }),
      }),
      ({ seed, tamper, bit, position }) => {
        const item = honest(seed);
        const { r, s } = rsOf(item.signature);
        let tampered: Sm2Item = item;
        switch (tamper) {
          case 'bit': {
            const sig = Buffer.from(item.signature);
            sig[bit >> 3]! ^= 1 << (bit & 7);
            tampered = { ...item, signature: sig };
            break;
          }
          case 'message':
            tampered = { ...item, message: messageOf(seed + 1) };
            break;
          case 'key':
            tampered = {
              ...item,
              key: keyOf((seed + 1) % 17 === seed % 17 ? seed + 2 : seed + 1).publicKey,
            };
            break;
          case 'swap':
            tampered = { ...item, signature: sigOf(s, r) };
            break;
          case 'r+1':
            tampered = { ...item, signature: sigOf(Fn.add(r, 1n), s) };
            break;
          case 's-n+s':
            tampered = { ...item, signature: sigOf(r, Fn.neg(s)) };
            break;
        }
        assert.equal(agreedVerdict(tampered, position), tamper === 'none');
      },
    ),
    { numRuns: 60 },
  );
});
