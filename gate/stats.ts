/**
 * Small, dependency-free robust statistics used by the capacity math and the CI gate.
 * Everything here is pure and deterministic (no random resampling), so a gate verdict can be
 * reproduced exactly from the trial numbers in a report.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Hodges–Lehmann shift estimate on the ratio scale: the median of all pairwise ratios
 * `current[j] / baseline[i]`. It is the median-based estimate that belongs to the Mann–Whitney
 * test: as robust as a median (one wild trial out of five barely moves it) but it uses every
 * pair, so with 5 v 5 trials it is about as precise as a mean — which is what lets the gate keep
 * false alarms rare without missing real regressions. Ratios (not differences) keep it
 * scale-free. All values must be positive.
 */
export function hodgesLehmannRatio(
  baseline: readonly number[],
  current: readonly number[],
): number {
  if (baseline.length === 0 || current.length === 0) {
    throw new RangeError('Hodges–Lehmann estimate needs two non-empty samples');
  }
  const ratios: number[] = [];
  for (const c of current) for (const b of baseline) ratios.push(c / b);
  return median(ratios);
}

/** Result of {@link mannWhitney}: U and both one-sided exact (or approximate) p-values. */
export interface MannWhitneyResult {
  /** Pairs (current, baseline) with current > baseline; ties count one half. */
  readonly u: number;
  /** P(U_null <= u): small when `current` tends to be LOWER than `baseline`. */
  readonly pLess: number;
  /** P(U_null >= u): small when `current` tends to be HIGHER than `baseline`. */
  readonly pGreater: number;
  /** True when the exact null distribution was used (otherwise a normal approximation). */
  readonly exact: boolean;
}

/** Above this many pairs the exact distribution is replaced by the normal approximation. */
const EXACT_PAIR_LIMIT = 2500;
const nullCache = new Map<string, Float64Array>();

/**
 * Exact null distribution of U for sample sizes (n current, m baseline) without ties:
 * P_{i,j}(u) = i/(i+j) · P_{i-1,j}(u-j) + j/(i+j) · P_{i,j-1}(u)  (the largest of the i+j values
 * is a current one with probability i/(i+j), and then it beats all j baseline values).
 * Kept in probabilities rather than counts so large sizes do not lose precision.
 */
function exactNull(n: number, m: number): Float64Array {
  const key = `${n},${m}`;
  const hit = nullCache.get(key);
  if (hit !== undefined) return hit;
  // prev[j] = P_{i-1, j}; row i is built left to right from prev[j] and row[j-1].
  let prev: Float64Array[] = [];
  for (let j = 0; j <= m; j++) prev.push(Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const dist = new Float64Array(i * j + 1);
      const fromCurrent = prev[j];
      const fromBaseline = row[j - 1];
      const pc = i / (i + j);
      const pb = j / (i + j);
      for (let u = 0; u < fromCurrent.length; u++) dist[u + j] += pc * fromCurrent[u];
      for (let u = 0; u < fromBaseline.length; u++) dist[u] += pb * fromBaseline[u];
      row.push(dist);
    }
    prev = row;
  }
  const result = prev[m];
  nullCache.set(key, result);
  return result;
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e-7), ample for p-values here.
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) comparing `current` with `baseline`, both one-sided
 * p-values. Exact for up to 2,500 pairs (no ties assumed; an observed U with ties is rounded
 * towards the less significant side, which keeps the test conservative), normal approximation
 * with continuity and tie correction beyond that. Rank-based, so it is blind to the scale and to
 * single wild values — the "is the current run outside the baseline's spread" half of the gate.
 */
export function mannWhitney(
  baseline: readonly number[],
  current: readonly number[],
): MannWhitneyResult {
  const n = current.length;
  const m = baseline.length;
  if (n === 0 || m === 0) throw new RangeError('Mann–Whitney needs two non-empty samples');
  let u = 0;
  for (const c of current) for (const b of baseline) u += c > b ? 1 : c === b ? 0.5 : 0;
  if (n * m <= EXACT_PAIR_LIMIT) {
    const dist = exactNull(n, m);
    let pLess = 0;
    for (let k = 0; k <= Math.ceil(u); k++) pLess += dist[k];
    let pGreater = 0;
    for (let k = Math.floor(u); k <= n * m; k++) pGreater += dist[k];
    return { u, pLess: Math.min(1, pLess), pGreater: Math.min(1, pGreater), exact: true };
  }
  const all = [...current, ...baseline].sort((a, b) => a - b);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const total = n + m;
  const mean = (n * m) / 2;
  const variance = ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  const sd = Math.sqrt(Math.max(variance, Number.MIN_VALUE));
  return {
    u,
    pLess: normalCdf((u - mean + 0.5) / sd),
    pGreater: 1 - normalCdf((u - mean - 0.5) / sd),
    exact: false,
  };
}
