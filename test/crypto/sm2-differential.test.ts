/**
 * Differential test against an independent SM2 implementation (sm-crypto: jsbn arithmetic, its
 * own SM3): its signatures must verify on every path here, ours must verify there, and on
 * malformed signatures and keys both must give the same verdict. sm-crypto costs ~20-40 ms per
 * operation, which bounds the counts (about a minute of one core).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import smCrypto from 'sm-crypto';
import { createSuiteVerifier, sm2Sign } from '../../engine/crypto/index.js';
import { Sm2Point } from '../../engine/crypto/sm2/curve.js';
import { challenge } from '../../engine/crypto/sm2/rule.js';
import {
  agreedVerdict,
  be32,
  Fn,
  keyOf,
  LAYOUT,
  messageOf,
  N,
  pack,
  rsOf,
  type Sm2Item,
  sigOf,
} from './sm2-cases.js';

const { sm2 } = smCrypto;
const RANDOM = 1000;
const MALFORMED = 400;
const KEYS = Array.from({ length: 16 }, (_, i) => keyOf(100 + i));
const native = createSuiteVerifier('sm2', 'native');
const noble = createSuiteVerifier('sm2', 'noble');

const theirVerdict = (item: Sm2Item): boolean => {
  try {
    return sm2.doVerifySignature(
      Array.from(item.message),
      Buffer.from(item.signature).toString('hex'),
      Buffer.from(item.key).toString('hex'),
      { hash: true },
    );
  } catch {
    return false; // sm-crypto throws on some undecodable keys; that is a rejection
  }
};

test(`${RANDOM} sm-crypto signatures verify on every path here`, () => {
  const items: Sm2Item[] = [];
  for (let i = 0; i < RANDOM; i++) {
    const key = KEYS[i % KEYS.length]!;
    const message = messageOf(50_000 + i);
    const signature = sm2.doSignature(
      Array.from(message),
      key.privateKey.toString(16).padStart(64, '0'),
      {
        hash: true,
        publicKey: key.uncompressed.toString('hex'),
      },
    );
    items.push({ key: key.publicKey, message, signature: Buffer.from(signature, 'hex') });
  }
  const packed = pack(items);
  for (const v of [native, noble]) {
    const out = v.verifyBatch(packed, items.length);
    assert.equal(
      out.reduce((a, b) => a + b, 0),
      items.length,
      `${v.backend} batch`,
    );
  }
  for (let i = 0; i < 20; i++) assert.equal(agreedVerdict(items[i]!, i), true);
});

test(`${RANDOM} signatures made here verify in sm-crypto`, () => {
  let accepted = 0;
  for (let i = 0; i < RANDOM; i++) {
    const key = KEYS[i % KEYS.length]!;
    const message = messageOf(70_000 + i);
    if (theirVerdict({ key: key.publicKey, message, signature: sm2Sign(key, message) })) accepted++;
  }
  assert.equal(accepted, RANDOM);
});

/** A malformed variant of an honest signature, by kind; mostly invalid, some valid on purpose. */
function malformed(i: number): Sm2Item {
  const key = KEYS[i % KEYS.length]!;
  const message = messageOf(90_000 + i);
  const signature = sm2Sign(key, message);
  const { r, s } = rsOf(signature);
  const item: Sm2Item = { key: key.publicKey, message, signature };
  const x = key.publicKey.subarray(1);
  switch (i % 16) {
    case 0:
      return item; // honest (both must accept)
    case 1:
      return { ...item, signature: sigOf(0n, s) };
    case 2:
      return { ...item, signature: sigOf(r, 0n) };
    case 3:
      return { ...item, signature: sigOf(N, s) };
    case 4:
      return { ...item, signature: sigOf(r, N + (i % 7 === 0 ? 0n : 1n)) };
    case 5:
      return { ...item, signature: sigOf(r, N - r) }; // t = 0
    case 6:
      return { ...item, signature: sigOf(s, r) };
    case 7: {
      const bad = Buffer.from(signature);
      bad[(i * 7) % 64]! ^= 1 << (i % 8);
      return { ...item, signature: bad };
    }
    case 8:
      return { ...item, signature: sigOf(Fn.create(challenge(key.za, message)), s) }; // r = e
    case 9: {
      const t = BigInt(i + 1) * 0x9e3779b97f4a7c15n;
      const sInf = Fn.neg(Fn.mul(t, key.privateKey));
      return { ...item, signature: sigOf(Fn.sub(t, sInf), sInf) }; // [s]G + [t]P = infinity
    }
    case 10:
      return { ...item, key: Buffer.concat([Uint8Array.of(key.publicKey[0] === 2 ? 3 : 2), x]) };
    case 11:
      return {
        ...item,
        key: Buffer.concat([Uint8Array.of(2), be32(Sm2Point.Fp.ORDER + BigInt(i))]),
      };
    case 12: {
      // An x with no point on the curve.
      for (let j = BigInt(i); ; j++) {
        const candidate = Buffer.concat([Uint8Array.of(3), be32(j)]);
        try {
          Sm2Point.fromBytes(candidate);
        } catch {
          return { ...item, key: candidate };
        }
      }
    }
    case 13:
      return { ...item, message: messageOf(90_001 + i) };
    case 14:
      return { ...item, signature: sigOf(Fn.add(r, N - 1n), s) }; // r - 1
    default:
      return { ...item, key: KEYS[(i + 1) % KEYS.length]!.publicKey };
  }
}

test(`${MALFORMED} malformed signatures and keys: sm-crypto and every path here agree`, () => {
  const items = Array.from({ length: MALFORMED }, (_, i) => malformed(i));
  const packed = pack(items);
  const nativeOut = native.verifyBatch(packed, items.length);
  const nobleOut = noble.verifyBatch(packed, items.length);
  let valid = 0;
  for (let i = 0; i < items.length; i++) {
    const theirs = theirVerdict(items[i]!);
    assert.equal(nativeOut[i] === 1, theirs, `native vs sm-crypto, case ${i % 16} (#${i})`);
    assert.equal(nobleOut[i] === 1, theirs, `noble vs sm-crypto, case ${i % 16} (#${i})`);
    if (theirs) valid++;
  }
  assert.equal(valid, MALFORMED / 16, 'exactly the honest cases are valid');
  assert.equal(LAYOUT.keyLength, 33);
});
