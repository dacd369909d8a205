/**
 * Variable-time multi-scalar multiplication Σ scalars[i]·points[i] for batch signature
 * verification (public inputs only). Curve-agnostic: any point type with add/double/negate
 * works, so a later suite (e.g. secp256k1 Schnorr) can batch through the same code.
 *
 * Why not noble's `pippenger` (@noble/curves/abstract/curve.js, `pippenger(c, points, scalars)`)?
 * It walks every window of every scalar and adds points into bucket 0 too, so the 128-bit batch
 * coefficients cost as much as full 253-bit scalars; on this workload it measured ~1.7x slower
 * than the signed-bucket version below. Scalars are recoded once from their hex form into
 * 32-bit words, because per-window bigint shifts cost a few percent of the whole batch.
 */

/** The point operations the MSM needs (noble's Edwards and Weierstrass points have them). */
export interface MsmPoint<P> {
  add(other: P): P;
  double(): P;
  negate(): P;
}

/** Scalars are held as 256-bit words but must be < 2^255 (callers reduce mod a ~2^253 order). */
const SCALAR_WORDS = 8;
const SCALAR_BITS = 32 * SCALAR_WORDS;
/** Headroom bit: keeps the last signed carry of both recodings inside SCALAR_BITS + 1 digits. */
const MAX_SCALAR = 1n << BigInt(SCALAR_BITS - 1);

/** Below this many points interleaved wNAF (Straus) beats bucketing (measured on ed25519). */
const STRAUS_MAX_POINTS = 64;
const STRAUS_WIDTH = 5;

/**
 * Σ scalars[i]·points[i]; `zero` is the identity. Scalars must satisfy 0 <= s < 2^255.
 * Chooses interleaved wNAF for small inputs and signed-bucket Pippenger for large ones.
 */
export function multiScalarMul<P extends MsmPoint<P>>(
  zero: P,
  points: readonly P[],
  scalars: readonly bigint[],
): P {
  if (points.length !== scalars.length) {
    throw new RangeError('multiScalarMul: points and scalars differ in length');
  }
  const words = scalars.map(toWords);
  if (points.length < STRAUS_MAX_POINTS) return straus(zero, points, words);
  // Window width ~ log2(n) − 2, capped where bucket sums start to dominate (measured).
  const c = Math.min(9, Math.max(4, Math.round(Math.log2(points.length)) - 2));
  return pippenger(zero, points, words, c);
}

/** Little-endian 32-bit words of a scalar, via one native toString instead of bigint shifts. */
function toWords(scalar: bigint): Uint32Array {
  if (scalar < 0n || scalar >= MAX_SCALAR) {
    throw new RangeError('multiScalarMul: scalar out of range');
  }
  const hex = scalar.toString(16).padStart(SCALAR_BITS / 4, '0');
  const words = new Uint32Array(SCALAR_WORDS + 1); // one spare word so window reads never overrun
  for (let j = 0; j < SCALAR_WORDS; j++) {
    const end = hex.length - 8 * j;
    words[j] = Number.parseInt(hex.slice(end - 8, end), 16);
  }
  return words;
}

/** The `width` bits of `words` starting at bit `pos` (width <= 16). */
function bitsAt(words: Uint32Array, pos: number, width: number): number {
  const index = pos >>> 5;
  const shift = pos & 31;
  let v = words[index]! >>> shift;
  if (shift + width > 32) v |= words[index + 1]! << (32 - shift);
  return v & ((1 << width) - 1);
}

/**
 * Width-w non-adjacent form, LSB first: digits are 0 or odd with |d| < 2^(w−1), and any nonzero
 * digit is followed by at least w−1 zeros (density ~1/(w+1)). Same recoding as dalek's
 * `non_adjacent_form`, on 32-bit words.
 */
function wnaf(words: Uint32Array, width: number): Int8Array {
  const digits = new Int8Array(SCALAR_BITS + 1);
  const size = 1 << width;
  let carry = 0;
  let pos = 0;
  while (pos < SCALAR_BITS) {
    const window = carry + bitsAt(words, pos, width);
    if ((window & 1) === 0) {
      pos += 1;
      continue;
    }
    if (window < size / 2) {
      carry = 0;
      digits[pos] = window;
    } else {
      carry = 1;
      digits[pos] = window - size;
    }
    pos += width;
  }
  if (carry) digits[SCALAR_BITS] = 1;
  return digits;
}

/** Interleaved wNAF (Straus): one shared doubling chain, per-point tables of odd multiples. */
function straus<P extends MsmPoint<P>>(zero: P, points: readonly P[], words: Uint32Array[]): P {
  const tableSize = 1 << (STRAUS_WIDTH - 2);
  const tables: P[][] = [];
  const digits: Int8Array[] = [];
  let top = -1;
  for (let i = 0; i < points.length; i++) {
    const d = wnaf(words[i]!, STRAUS_WIDTH);
    let hi = d.length - 1;
    while (hi >= 0 && d[hi] === 0) hi--;
    if (hi < 0) continue; // scalar 0 contributes nothing
    top = Math.max(top, hi);
    const p = points[i]!;
    const twice = p.double();
    const table = [p];
    for (let j = 1; j < tableSize; j++) table.push(table[j - 1]!.add(twice));
    tables.push(table);
    digits.push(d);
  }
  let acc: P | undefined;
  for (let bit = top; bit >= 0; bit--) {
    if (acc !== undefined) acc = acc.double();
    for (let i = 0; i < digits.length; i++) {
      const d = digits[i]![bit]!;
      if (d === 0) continue;
      const entry = tables[i]![(d > 0 ? d - 1 : -d - 1) >> 1]!;
      const term = d > 0 ? entry : entry.negate();
      acc = acc === undefined ? term : acc.add(term);
    }
  }
  return acc ?? zero;
}

/**
 * Pippenger with signed c-bit digits: per window, add each point (or its negation) into one of
 * 2^(c−1) buckets, skipping zero digits, then fold the buckets with a running sum.
 */
function pippenger<P extends MsmPoint<P>>(
  zero: P,
  points: readonly P[],
  words: Uint32Array[],
  c: number,
): P {
  const size = 1 << c;
  const half = size >> 1;
  const windows = Math.ceil(SCALAR_BITS / c) + 1; // +1 absorbs the final signed carry
  const n = points.length;
  const digits = new Int16Array(n * windows);
  let topWindow = -1;
  for (let i = 0; i < n; i++) {
    const w32 = words[i]!;
    let carry = 0;
    for (let w = 0; w < windows; w++) {
      const pos = w * c;
      let v = (pos < SCALAR_BITS ? bitsAt(w32, pos, Math.min(c, SCALAR_BITS - pos)) : 0) + carry;
      if (v > half) {
        v -= size;
        carry = 1;
      } else {
        carry = 0;
      }
      digits[i * windows + w] = v;
      if (v !== 0 && w > topWindow) topWindow = w;
    }
  }
  const negated = points.map((p) => p.negate());
  const buckets: (P | undefined)[] = new Array(half + 1);
  let sum: P | undefined;
  for (let w = topWindow; w >= 0; w--) {
    if (sum !== undefined) for (let j = 0; j < c; j++) sum = sum.double();
    buckets.fill(undefined);
    for (let i = 0; i < n; i++) {
      const v = digits[i * windows + w]!;
      if (v === 0) continue;
      const k = v > 0 ? v : -v;
      const p = v > 0 ? points[i]! : negated[i]!;
      const b = buckets[k];
      buckets[k] = b === undefined ? p : b.add(p);
    }
    // Σ k·bucket[k] as a running sum from the top bucket down.
    let running: P | undefined;
    let windowSum: P | undefined;
    for (let k = half; k > 0; k--) {
      const b = buckets[k];
      if (b !== undefined) running = running === undefined ? b : running.add(b);
      if (running !== undefined)
        windowSum = windowSum === undefined ? running : windowSum.add(running);
    }
    if (windowSum !== undefined) sum = sum === undefined ? windowSum : sum.add(windowSum);
  }
  return sum ?? zero;
}
