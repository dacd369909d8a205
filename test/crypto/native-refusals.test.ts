/**
 * The native backend's cheap path for signatures OpenSSL refuses (torsion.ts): it must decide
 * exactly what the strict reference decides, on every vector and on thousands of invalid
 * signatures of every shape (tampered, random, crafted with torsion, mixed-order keys), and it
 * must actually be taken for ordinary invalid signatures instead of the ~1 ms reference.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createNativeVerifier } from '../../engine/crypto/ed25519/native.js';
import { torsionFreeAt } from '../../engine/crypto/ed25519/torsion.js';
import {
  concat,
  craft,
  encodeMixed,
  honest,
  type Item,
  L,
  leBytes,
  leToBig,
  messageFrom,
  P,
  Point,
  pack,
  reference,
  TORSION,
  TORSION_BYTES,
} from './ed25519-cases.js';

/** Deterministic pseudo-random bytes: reproducible failures without a seed to replay. */
function bytes(label: string, n: number, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0, block = 0; at < length; block++) {
    const digest = createHash('sha512').update(`${label}/${n}/${block}`).digest();
    out.set(digest.subarray(0, Math.min(64, length - at)), at);
    at += 64;
  }
  return out;
}

function scalar(label: string, n: number): bigint {
  return (leToBig(bytes(label, n, 64)) % (L - 1n)) + 1n;
}

/** A canonical y (< p) with a random sign bit: decodes about half the time. */
function randomEncoding(label: string, n: number): Uint8Array {
  const b = bytes(label, n);
  const y = leToBig(b.map((v, i) => (i === 31 ? v & 0x7f : v))) % P;
  const out = leBytes(y);
  out[31] = out[31]! | (b[0]! & 0x80);
  return out;
}

test('torsionFreeAt agrees with a scalar multiplication by L, for every torsion part', () => {
  const encodings: Uint8Array[] = [];
  for (let n = 0; n < 40; n++) {
    const r = scalar('point', n);
    for (const t of TORSION) encodings.push(encodeMixed(r, t));
  }
  encodings.push(...TORSION_BYTES, Point.BASE.toBytes());
  for (let n = 0; n < 200; n++) encodings.push(randomEncoding('y', n));
  const buf = concat(...encodings);
  const got = torsionFreeAt(
    buf,
    encodings.map((_, i) => i * 32),
  );
  let free = 0;
  let undecodable = 0;
  encodings.forEach((enc, i) => {
    let want = false;
    try {
      want = Point.fromBytes(enc, false).isTorsionFree();
    } catch {
      undecodable++;
    }
    if (want) free++;
    assert.equal(got[i], want, `encoding ${Buffer.from(enc).toString('hex')}`);
  });
  // The sample covers all three answers.
  assert.ok(free > 40 && undecodable > 50, `${free} torsion-free, ${undecodable} undecodable`);
});

const vectors: Item[] = (
  JSON.parse(
    readFileSync(new URL('../../../test/vectors/ed25519-speccheck.json', import.meta.url), 'utf8'),
  ) as { message: string; pub_key: string; signature: string }[]
).map((v) => ({
  pub: Buffer.from(v.pub_key, 'hex'),
  msg: Buffer.from(v.message, 'hex'),
  sig: Buffer.from(v.signature, 'hex'),
}));

/** S = r − k·a: the cofactored equation with k·A's sign flipped (never valid). */
function flipped(a: bigint, r: bigint, msg: Uint8Array, rBytes: Uint8Array, aBytes: Uint8Array) {
  const k =
    leToBig(
      createHash('sha512')
        .update(concat(rBytes, aBytes, msg))
        .digest(),
    ) % L;
  const s = (((r - k * a) % L) + L) % L;
  return { pub: aBytes, msg, sig: concat(rBytes, leBytes(s)) };
}

/** Invalid (and a few valid) signatures of every shape that reaches the refused path. */
function refusedCases(count: number): Item[] {
  const items: Item[] = [];
  for (let n = 0; items.length < count; n++) {
    const a = scalar('a', n);
    const r = scalar('r', n);
    const msg = messageFrom(n);
    const aBytes = Point.BASE.multiply(a).toBytes();
    const rBytes = Point.BASE.multiply(r).toBytes();
    const good = craft(a, r, msg, rBytes, aBytes);
    const t = TORSION[1 + (n % 7)]!;
    const flip = (sig: Uint8Array, bit: number) => {
      const out = sig.slice();
      out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
      return out;
    };
    items.push(
      // tampered S (R and key torsion-free: the cheap path)
      { ...good, sig: flip(good.sig, 256 + (n % 250)) },
      // tampered R: a random point, often with torsion or none at all
      { ...good, sig: flip(good.sig, n % 255) },
      // wrong message, wrong key
      { ...good, msg: messageFrom(n + 1) },
      { ...good, pub: Point.BASE.multiply(scalar('b', n)).toBytes() },
      // random R (canonical y), honest-looking S
      { ...good, sig: concat(randomEncoding('R', n), good.sig.subarray(32)) },
      // mixed-order R: valid when crafted (cofactored holds), invalid once S is off by one
      craft(a, r, msg, encodeMixed(r, t), aBytes),
      {
        ...craft(a, r, msg, encodeMixed(r, t), aBytes),
        sig: concat(encodeMixed(r, t), leBytes((r + 1n) % L)),
      },
      // mixed-order key: valid crafted, invalid with a wrong message
      craft(a, r, msg, rBytes, encodeMixed(a, t)),
      { ...craft(a, r, msg, rBytes, encodeMixed(a, t)), msg: messageFrom(n + 2) },
      // an honest node:crypto signature under another message
      { ...honest(n), msg: messageFrom(n + 3) },
      // the signer's own sign-flipped S = r − k·a with a torsion R: S·B − R_L = −k·A, which has
      // the same Montgomery u as k·A (the exact route's second X25519 tells them apart)
      flipped(a, r, msg, encodeMixed(r, t), aBytes),
      flipped(a, r, msg, rBytes, encodeMixed(a, t)),
    );
  }
  return items.slice(0, count);
}

test('native gives the reference verdict on the vectors and on 2,000 refused signatures', () => {
  const items = [...vectors, ...refusedCases(2000)];
  const want = items.map(reference);
  // One at a time (one inversion per item) and as one batch (one inversion for all).
  const single = createNativeVerifier();
  const singles = items.map((item) => single.verifyBatch(pack([item]), 1)[0] === 1);
  const batched = createNativeVerifier();
  const batch = Array.from(batched.verifyBatch(pack(items), items.length), (v) => v === 1);
  for (let i = 0; i < items.length; i++) {
    assert.equal(singles[i], want[i], `single, item ${i}`);
    assert.equal(batch[i], want[i], `batch, item ${i}`);
  }
  // Both paths were exercised: the cheap one decided many, the reference the torsion cases.
  for (const v of [single, batched]) {
    assert.ok(v.counters.fastInvalid > 500, `fast ${v.counters.fastInvalid}`);
    assert.ok(v.counters.cofactored > 200, `cofactored ${v.counters.cofactored}`);
    assert.equal(v.counters.reference, 0, `reference ${v.counters.reference}`);
  }
  assert.ok(want.filter(Boolean).length > 300, 'some crafted signatures are valid');
});

test('an invalid signature with torsion-free R and key never reaches the slow reference', () => {
  const verifier = createNativeVerifier();
  const items: Item[] = [];
  for (let n = 0; n < 200; n++) {
    const item = honest(n);
    const sig = item.sig.slice();
    sig[40] = sig[40]! ^ 1; // S tampered; R stays the signer's torsion-free r·B
    items.push(n % 2 === 0 ? { ...item, sig } : { ...item, msg: messageFrom(n + 7) });
  }
  const verdicts = verifier.verifyBatch(pack(items), items.length);
  assert.ok(verdicts.every((v) => v === 0));
  for (const item of items.slice(0, 20)) {
    assert.equal(verifier.verifyBatch(pack([item]), 1)[0], 0);
  }
  assert.equal(verifier.counters.reference, 0, 'the reference verify ran');
  assert.equal(verifier.counters.fastInvalid, 220);
});
