/**
 * Pure-JavaScript Ed25519 backend on @noble/curves: single verification is noble's strict
 * verify (the reference, rule.ts); a batch is checked with one random linear combination of all
 * the cofactored equations, and bisected only when that combination fails.
 */
import { hash, randomBytes } from 'node:crypto';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { BoundedCache } from '../bounded-cache.js';
import { itemsView, leToBigInt } from '../bytes.js';
import { multiScalarMul } from '../msm.js';
import { ITEM_SIZE, type Verifier } from '../verifier.js';
import { ED25519_L, isCanonicalScalarAt, verifyStrictAt } from './rule.js';

const Point = ed25519.Point;

/** At or below this many items a (sub-)batch is settled item by item with the reference verify. */
const LEAF_SIZE = 4;

/** Decoded-key cache entry: the point, or null when the key fails rules 2-3 (never valid). */
type KeyEntry = EdwardsPoint | null;

/** Per-batch working set, in candidate order (items that passed the cheap checks). */
interface Prepared {
  /** Item index in the caller's batch. */
  readonly index: number[];
  readonly r: EdwardsPoint[];
  readonly a: EdwardsPoint[];
  /** z_i (random 128-bit coefficient). */
  readonly z: bigint[];
  /** z_i·k_i mod L, the coefficient of A_i. */
  readonly zk: bigint[];
  /** z_i·S_i (not reduced; summed per range, reduced once). */
  readonly zs: bigint[];
}

/** Options for the noble backend. */
export interface NobleOptions {
  /** Bound on cached decoded public keys (default 100 000). */
  readonly keyCacheSize?: number;
}

/** The noble verifier, plus its batch equation on its own (for tests and benchmarks). */
export interface NobleVerifier extends Verifier {
  /**
   * True when every item passes rules 1-3 and the one random-combination check holds, without
   * bisecting. Lets tests see the cofactored batch equation itself accept mixed-order items.
   */
  combinationHolds(items: Uint8Array, count: number): boolean;
}

/**
 * The noble backend. `verifyBatch` with one item is the strict single verify; with more it is
 * true batch verification, giving the same verdicts (up to a 2^-128 soundness error per batch).
 */
export function createNobleVerifier(options: NobleOptions = {}): NobleVerifier {
  const keys = new BoundedCache<KeyEntry>(options.keyCacheSize ?? 100_000);
  // R || A || M for the challenge hash, reused for every item.
  const challenge = Buffer.alloc(96);

  function decodeKey(buf: Buffer, at: number): KeyEntry {
    const id = buf.toString('latin1', at, at + 32);
    const cached = keys.get(id);
    if (cached !== undefined) return cached;
    let entry: KeyEntry = null;
    try {
      const a = Point.fromBytes(buf.subarray(at, at + 32), false); // rule 2 (strict decode)
      if (!a.isSmallOrder()) entry = a; // rule 3
    } catch {
      entry = null;
    }
    keys.set(id, entry);
    return entry;
  }

  /** Rules 1-3 per item, plus k_i; survivors go into the working set. */
  function prepare(buf: Buffer, count: number, out: Uint8Array): Prepared {
    const p: Prepared = { index: [], r: [], a: [], z: [], zk: [], zs: [] };
    const k: bigint[] = [];
    const s: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const at = i * ITEM_SIZE;
      out[i] = 0; // until settled
      if (!isCanonicalScalarAt(buf, at + 96)) continue; // rule 1
      const a = decodeKey(buf, at);
      if (a === null) continue;
      let r: EdwardsPoint;
      try {
        r = Point.fromBytes(buf.subarray(at + 64, at + 96), false); // rule 2 for R
      } catch {
        continue;
      }
      buf.copy(challenge, 0, at + 64, at + 96);
      buf.copy(challenge, 32, at, at + 64); // A || M are adjacent in the item
      k.push(leToBigInt(hash('sha512', challenge, 'buffer'), 0, 64) % ED25519_L);
      s.push(leToBigInt(buf, at + 96, 32));
      p.index.push(i);
      p.r.push(r);
      p.a.push(a);
    }
    const n = p.index.length;
    const random = randomBytes(16 * n);
    for (let j = 0; j < n; j++) {
      const z = leToBigInt(random, 16 * j, 16) || 1n; // z = 0 would drop the item from the check
      p.z.push(z);
      p.zk.push((z * k[j]!) % ED25519_L);
      p.zs.push(z * s[j]!);
    }
    return p;
  }

  /**
   * [8]( Σ z_i·R_i + Σ (z_i·k_i)·A_i − (Σ z_i·S_i)·B ) = 0 over candidates [lo, hi): the
   * negated sum of every item's cofactored equation, weighted by z_i. B goes through noble's
   * precomputed base-point tables instead of into the MSM.
   */
  function batchHolds(p: Prepared, lo: number, hi: number): boolean {
    let zs = 0n;
    for (let j = lo; j < hi; j++) zs += p.zs[j]!;
    const points = [...p.r.slice(lo, hi), ...p.a.slice(lo, hi)];
    const scalars = [...p.z.slice(lo, hi), ...p.zk.slice(lo, hi)];
    const sum = multiScalarMul(Point.ZERO, points, scalars);
    return sum
      .subtract(Point.BASE.multiplyUnsafe(zs % ED25519_L))
      .clearCofactor()
      .is0();
  }

  /**
   * Settles candidates [lo, hi). `knownBad` means the range's combination already failed, so it
   * is split without re-checking. The z_i are fixed for the whole batch, so the combinations are
   * linear: if a range fails and its left half holds, the right half must fail too.
   */
  function settle(
    buf: Buffer,
    p: Prepared,
    lo: number,
    hi: number,
    knownBad: boolean,
    out: Uint8Array,
  ): void {
    if (hi - lo <= LEAF_SIZE) {
      for (let j = lo; j < hi; j++) {
        const i = p.index[j]!;
        out[i] = verifyStrictAt(buf, i * ITEM_SIZE) ? 1 : 0;
      }
      return;
    }
    if (!knownBad && batchHolds(p, lo, hi)) {
      for (let j = lo; j < hi; j++) out[p.index[j]!] = 1;
      return;
    }
    const mid = (lo + hi) >>> 1;
    if (mid - lo > LEAF_SIZE) {
      if (batchHolds(p, lo, mid)) {
        for (let j = lo; j < mid; j++) out[p.index[j]!] = 1;
        settle(buf, p, mid, hi, true, out);
      } else {
        settle(buf, p, lo, mid, true, out);
        settle(buf, p, mid, hi, false, out);
      }
    } else {
      settle(buf, p, lo, mid, false, out);
      settle(buf, p, mid, hi, false, out);
    }
  }

  return {
    suite: 'ed25519',
    backend: 'noble',
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const buf = itemsView(items, count);
      const out = new Uint8Array(count);
      if (count === 1) {
        out[0] = verifyStrictAt(buf, 0) ? 1 : 0;
        return out;
      }
      const p = prepare(buf, count, out);
      settle(buf, p, 0, p.index.length, false, out);
      return out;
    },
    combinationHolds(items: Uint8Array, count: number): boolean {
      const buf = itemsView(items, count);
      const p = prepare(buf, count, new Uint8Array(count));
      return p.index.length === count && batchHolds(p, 0, count);
    },
  };
}
