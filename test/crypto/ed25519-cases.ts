/**
 * Ed25519 test material: honest keys and signatures, hand-crafted torsion and encoding edge cases
 * (built with noble's Point arithmetic), and the three verification paths under test.
 */
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { createVerifier, ITEM_SIZE, packItem } from '../../engine/crypto/index.js';

export const Point = ed25519.Point;
export const L: bigint = Point.Fn.ORDER;
export const P: bigint = Point.Fp.ORDER;

/** The 8 small-order points (index 0 is the identity). */
export const TORSION: readonly EdwardsPoint[] = ED25519_TORSION_SUBGROUP.map((hex) =>
  Point.fromHex(hex),
);
/** Their canonical encodings. */
export const TORSION_BYTES: readonly Uint8Array[] = TORSION.map((t) => t.toBytes());

export interface Item {
  readonly pub: Uint8Array;
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

export function leBytes(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function leToBig(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** Deterministic 32-byte message from a number (tests are reproducible from fast-check seeds). */
export function messageFrom(seed: number): Uint8Array {
  return sha512(leBytes(BigInt(seed), 8)).subarray(0, 32);
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An honest signature from node:crypto with a key derived from `seed` (fast, RFC 8032). */
export function honest(seed: number, msg: Uint8Array = messageFrom(seed ^ 0x5a5a)): Item {
  const secret = sha512(leBytes(BigInt(seed) + 1_000_000n, 8)).subarray(0, 32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    pub: new Uint8Array(spki.subarray(spki.length - 32)),
    msg,
    sig: sign(null, msg, privateKey),
  };
}

/**
 * A signature crafted from scalars, for any encodings of R and A:
 * S = r + k·a mod L with k = SHA-512(rBytes || aBytes || msg) mod L. If rBytes decodes to
 * r·B + T_R and aBytes to a·B + T_A then S·B − R − k·A = −(T_R + k·T_A): the cofactored equation
 * holds whatever the torsion parts are, the cofactorless one only when they vanish.
 */
export function craft(
  a: bigint,
  r: bigint,
  msg: Uint8Array,
  rBytes: Uint8Array,
  aBytes: Uint8Array,
): Item {
  const k = leToBig(sha512(concat(rBytes, aBytes, msg))) % L;
  const s = (((r + k * a) % L) + L) % L;
  return { pub: aBytes, msg, sig: concat(rBytes, leBytes(s)) };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** r·B + T, encoded; r = 0 gives T itself. */
export function encodeMixed(r: bigint, torsion: EdwardsPoint): Uint8Array {
  const base = r === 0n ? Point.ZERO : Point.BASE.multiply(r);
  return base.add(torsion).toBytes();
}

/**
 * Every non-canonical encoding a lax (ZIP-215) decoder accepts: y + p for y < 19 (the only
 * values that fit in 255 bits) with either sign bit, and the "negative zero" forms of the two
 * points with x = 0. Each comes with its point when that point has small order (so a
 * lax-valid signature can be crafted for it).
 */
export const NON_CANONICAL: readonly { bytes: Uint8Array; smallOrder: boolean }[] = (() => {
  const out: { bytes: Uint8Array; smallOrder: boolean }[] = [];
  const candidates: Uint8Array[] = [];
  for (let y = 0n; y < 19n; y++) {
    for (const sign of [0, 0x80]) {
      const b = leBytes(P + y);
      b[31] = b[31]! | sign;
      candidates.push(b);
    }
  }
  for (const y of [1n, P - 1n]) {
    const b = leBytes(y);
    b[31] = b[31]! | 0x80;
    candidates.push(b);
  }
  for (const bytes of candidates) {
    try {
      const point = Point.fromBytes(bytes, true);
      out.push({ bytes, smallOrder: point.isSmallOrder() });
    } catch {
      // not a point even for a lax decoder: nothing to test
    }
  }
  return out;
})();

/** The case kinds of the randomized differential test, with the verdict each must get. */
export const KINDS = [
  'valid',
  'wrongMessage',
  'wrongKey',
  'flipBit',
  'sPlusL',
  'smallOrderRReplaced',
  'smallOrderRCrafted',
  'smallOrderAReplaced',
  'smallOrderACrafted',
  'mixedOrderR',
  'mixedOrderA',
  'nonCanonicalR',
  'nonCanonicalA',
] as const;
export type Kind = (typeof KINDS)[number];

/** Random inputs for one case (drawn by fast-check). */
export interface CaseSeed {
  readonly kind: Kind;
  readonly a: bigint;
  readonly r: bigint;
  readonly other: bigint;
  readonly msg: number;
  /** Torsion index 1..7 (a nonzero torsion component) or 0..7 where the identity is allowed. */
  readonly t: number;
  readonly bit: number;
  readonly pick: number;
}

/** Builds one case and its expected verdict under the engine rule. */
export function buildCase(seed: CaseSeed): { item: Item; valid: boolean } {
  const { a, r, other, t, bit, pick } = seed;
  const msg = messageFrom(seed.msg);
  const aBytes = Point.BASE.multiply(a).toBytes();
  const rBytes = Point.BASE.multiply(r).toBytes();
  const good = craft(a, r, msg, rBytes, aBytes);
  const torsion = TORSION[1 + (t % 7)]!; // never the identity
  switch (seed.kind) {
    case 'valid':
      return { item: good, valid: true };
    case 'wrongMessage':
      return { item: { ...good, msg: messageFrom(seed.msg + 1) }, valid: false };
    case 'wrongKey': {
      const b = other === a ? (a % (L - 1n)) + 1n : other; // any key but the signer's
      return { item: { ...good, pub: Point.BASE.multiply(b).toBytes() }, valid: false };
    }
    case 'flipBit': {
      const sig = good.sig.slice();
      sig[bit >> 3] = sig[bit >> 3]! ^ (1 << (bit & 7));
      return { item: { ...good, sig }, valid: false };
    }
    case 'sPlusL': {
      const s = leToBig(good.sig.subarray(32)) + L;
      return { item: { ...good, sig: concat(rBytes, leBytes(s)) }, valid: false };
    }
    case 'smallOrderRReplaced':
      return {
        item: { ...good, sig: concat(TORSION_BYTES[t % 8]!, good.sig.subarray(32)) },
        valid: false,
      };
    case 'smallOrderRCrafted':
      // R = T (r = 0): S = k·a makes the cofactored equation hold; small-order R is allowed.
      return { item: craft(a, 0n, msg, TORSION_BYTES[t % 8]!, aBytes), valid: true };
    case 'smallOrderAReplaced':
      return { item: { ...good, pub: TORSION_BYTES[t % 8]! }, valid: false };
    case 'smallOrderACrafted':
      // A = T (a = 0), S = r: the cofactored equation holds, rule 3 still rejects.
      return { item: craft(0n, r, msg, rBytes, TORSION_BYTES[t % 8]!), valid: false };
    case 'mixedOrderR':
      // Valid under rule 4, invalid for OpenSSL: exercises the native fallback.
      return { item: craft(a, r, msg, encodeMixed(r, torsion), aBytes), valid: true };
    case 'mixedOrderA':
      return { item: craft(a, r, msg, rBytes, encodeMixed(a, torsion)), valid: true };
    case 'nonCanonicalR': {
      const nc = NON_CANONICAL[pick % NON_CANONICAL.length]!;
      // Lax-valid when the point is small order (r = 0); invalid for the strict rule either way.
      return { item: craft(a, nc.smallOrder ? 0n : r, msg, nc.bytes, aBytes), valid: false };
    }
    case 'nonCanonicalA': {
      const nc = NON_CANONICAL[pick % NON_CANONICAL.length]!;
      return { item: craft(nc.smallOrder ? 0n : a, r, msg, rBytes, nc.bytes), valid: false };
    }
  }
}

export function pack(items: readonly Item[]): Uint8Array {
  const buf = new Uint8Array(items.length * ITEM_SIZE);
  items.forEach((it, i) => {
    packItem(buf, i, it.pub, it.msg, it.sig);
  });
  return buf;
}

const native = createVerifier('native');
const noble = createVerifier('noble');

/** Native backend, one item per call. */
export function nativeSingle(item: Item): boolean {
  return native.verifyBatch(pack([item]), 1)[0] === 1;
}

/** Noble backend, one item per call (the strict single verify). */
export function nobleSingle(item: Item): boolean {
  return noble.verifyBatch(pack([item]), 1)[0] === 1;
}

/** Noble backend, all items in one true batch. */
export function nobleBatch(items: readonly Item[]): boolean[] {
  return Array.from(noble.verifyBatch(pack(items), items.length), (v) => v === 1);
}

/** Native backend, all items in one call. */
export function nativeBatch(items: readonly Item[]): boolean[] {
  return Array.from(native.verifyBatch(pack(items), items.length), (v) => v === 1);
}

/** noble's strict verify called directly: the reference the rule is defined by. */
export function reference(item: Item): boolean {
  try {
    return ed25519.verify(item.sig, item.msg, item.pub, { zip215: false });
  } catch {
    return false;
  }
}
