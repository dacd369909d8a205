/** Seeded randomness for synthetic data: the same seed gives the same numbers on every machine. */

/** mulberry32: a tiny 32-bit PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller. */
export function gaussian(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Multiplicative noise models used by the gate and USL tests (mean 1). */
export const noiseModels = {
  /** Gaussian with a 10% coefficient of variation: the demanding reading of "10% noise". */
  gaussian10: (r: () => number) => 1 + 0.1 * gaussian(r),
  /** Uniform within ±10%: the everyday reading of "10% noise". */
  uniform10: (r: () => number) => 1 + 0.2 * (r() - 0.5),
  /** Gaussian CV 10%, but one trial in ten is a wild one (CV 30%). */
  gaussian10Outliers: (r: () => number) => 1 + (r() < 0.1 ? 0.3 : 0.1) * gaussian(r),
} as const;
