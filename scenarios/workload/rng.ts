/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG), seeded
 * from SHA-256 of the workload's inputs. Independent streams per purpose (`fork`) keep one
 * aspect of a workload stable when another changes, and make the output independent of
 * iteration details elsewhere.
 */
import { createHash } from 'node:crypto';

const TWO_32 = 0x1_0000_0000;
const TWO_53 = 2 ** 53;

/** A seeded sfc32 stream with the draws the generator needs. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  readonly #material: string;
  #spare: number | null = null;

  /** A stream determined by `material` (any string: a hash of the workload inputs, a label). */
  constructor(material: string) {
    this.#material = material;
    const h = createHash('sha256').update(`ecny-bench/rng/v1\0${material}`).digest();
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12) | 1;
    // The first outputs of sfc32 are poorly mixed; the reference implementation discards 12.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** An independent stream named `label`, derived from this stream's material (not its state). */
  fork(label: string): Rng {
    return new Rng(`${this.#material}\0${label}`);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const t = (((a + b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    this.#c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits. */
  float(): number {
    const hi = this.u32() >>> 5;
    const lo = this.u32() >>> 6;
    return (hi * 67_108_864 + lo) / TWO_53;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= TWO_32 ? Math.floor((this.u32() / TWO_32) * n) : Math.floor(this.float() * n);
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** 32 random bytes as 64 lowercase hex digits. */
  hex32(): string {
    let s = '';
    for (let i = 0; i < 8; i++) s += this.u32().toString(16).padStart(8, '0');
    return s;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/** Weighted choice by cumulative weights, O(log n) per draw. */
export class WeightedPicker {
  readonly #cum: Float64Array;
  readonly #total: number;

  constructor(weights: readonly number[]) {
    this.#cum = new Float64Array(weights.length);
    let t = 0;
    for (let i = 0; i < weights.length; i++) {
      t += Math.max(0, weights[i]!);
      this.#cum[i] = t;
    }
    this.#total = t;
  }

  /** Index drawn with probability proportional to its weight. */
  pick(rng: Rng): number {
    const x = rng.float() * this.#total;
    let lo = 0;
    let hi = this.#cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Weights of a Zipf law over n ranks: rank r (0-based) weighs 1/(r+1)^s. */
export function zipfWeights(n: number, s: number): number[] {
  const w = new Array<number>(n);
  for (let r = 0; r < n; r++) w[r] = 1 / (r + 1) ** s;
  return w;
}

/** Analytic share of the top decile (the ceil(n/10) most popular) under Zipf(s) over n. */
export function zipfTopDecileShare(n: number, s: number): number {
  const w = zipfWeights(n, s);
  const top = Math.ceil(n / 10);
  let a = 0;
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += w[r]!;
    if (r < top) a += w[r]!;
  }
  return a / total;
}

/** Largest-remainder apportionment of `total` over weights: integer parts that sum exactly. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (Math.max(0, w) / sum) * total);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => ({ i, frac: r - Math.floor(r) }))
    .sort((x, y) => y.frac - x.frac || x.i - y.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}
