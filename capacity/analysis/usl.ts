/**
 * Universal Scalability Law (Gunther): X(N) = λN / (1 + σ(N−1) + κN(N−1)).
 *
 * λ is the single-worker rate, σ the contention (the serialised fraction, Amdahl's law) and κ the
 * coherency penalty (pairwise cross-talk: every worker pays for keeping in step with every
 * other, which is what makes throughput fall again past the peak N* = sqrt((1−σ)/κ)).
 *
 * Fitting: for fixed (σ, κ) the model is linear in λ, so λ has a closed form and the sum of
 * squared errors becomes a function of (σ, κ) alone. That 2-D function is searched exhaustively
 * on a grid (σ linear, κ logarithmic plus 0) and the best cells are refined with a bounded
 * pattern search. No derivatives, no starting guess, always inside σ, κ ∈ [0, 1] — slower than
 * Levenberg–Marquardt but it cannot diverge or stop in a far-away local minimum, and the data
 * sets are a few dozen points.
 */

/** One measurement: throughput `x` at concurrency (workers/cores) `n`. */
export interface UslPoint {
  readonly n: number;
  readonly x: number;
}

/** The three USL parameters. */
export interface UslParams {
  readonly lambda: number;
  readonly sigma: number;
  readonly kappa: number;
}

/** Fitted value and residual (measured − predicted) for one input point, in input order. */
export interface UslResidual {
  readonly n: number;
  readonly x: number;
  readonly predicted: number;
  readonly residual: number;
}

/** Options for {@link fitUsl}. */
export interface UslFitOptions {
  /** A fit with R² below this is reported as untrustworthy. Default 0.9. */
  readonly minRSquared?: number;
  /**
   * `relative` (default) minimises Σ((x − X)/x)²; `absolute` minimises Σ(x − X)². Throughput noise
   * is multiplicative (a noisy neighbour steals a fraction of the rate, not a fixed number of
   * tx/s), and with absolute errors the large-N points dominate so λ — which lives at N = 1 —
   * is poorly determined. A point with x = 0 gets the weight of the smallest positive x.
   */
  readonly weighting?: 'relative' | 'absolute';
}

/** Result of {@link fitUsl}. */
export interface UslFit extends UslParams {
  /** 1 − SSE/SST over the input points. */
  readonly rSquared: number;
  /** sqrt(SSE / points), in the unit of x. */
  readonly rmse: number;
  readonly residuals: readonly UslResidual[];
  /**
   * Predicted peak when κ > 0: n = max(1, sqrt((1−σ)/κ)) (the formula's N* can be below 1 when
   * σ is near 1, and then the best real concurrency is 1) and x = X(n). Null when κ = 0: the
   * model then predicts no retrograde region (throughput approaches λ/σ, or grows linearly if
   * σ = 0 too).
   */
  readonly peak: { readonly n: number; readonly x: number } | null;
  /** Number of distinct N values in the input. */
  readonly distinctN: number;
  /**
   * Parameters that were not fitted because the data cannot identify them (fewer than 4
   * distinct N): they were pinned to 0, the optimistic value.
   */
  readonly pinned: readonly ('sigma' | 'kappa')[];
  /** False when the numbers should not be used for projection; `reason` says why. */
  readonly trustworthy: boolean;
  readonly reason: string;
  /** Further caveats (bounds hit, peak extrapolated beyond the measured N, ...). */
  readonly notes: readonly string[];
}

/** Throughput the USL predicts at concurrency `n`. */
export function uslThroughput(p: UslParams, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/**
 * Concurrency at which X(N) peaks (continuous): max(1, sqrt((1−σ)/κ)), or null when κ = 0
 * (monotone: no peak).
 */
export function uslPeakN(p: UslParams): number | null {
  if (p.kappa <= 0) return null;
  return Math.max(1, Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa));
}

/** Points needed to fit 3 parameters with at least one degree of freedom left to judge the fit. */
export const USL_MIN_DISTINCT_N = 4;

interface Candidate {
  sigma: number;
  kappa: number;
  sse: number;
}

/** The data in the form the search needs: N, x and the least-squares weight of each point. */
interface Data {
  readonly ns: Float64Array;
  readonly xs: Float64Array;
  readonly ws: Float64Array;
}

/** Closed-form best λ (weighted least squares) and the resulting weighted SSE for fixed (σ, κ). */
function profile(data: Data, sigma: number, kappa: number) {
  const { ns, xs, ws } = data;
  let sxg = 0;
  let sgg = 0;
  let sxx = 0;
  for (let i = 0; i < ns.length; i++) {
    const n = ns[i];
    const w = ws[i];
    const g = n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    sxg += w * xs[i] * g;
    sgg += w * g * g;
    sxx += w * xs[i] * xs[i];
  }
  const lambda = sxg / sgg;
  return { lambda, sse: Math.max(0, sxx - (sxg * sxg) / sgg) };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

function sigmaGrid(): number[] {
  const g: number[] = [];
  for (let i = 0; i <= 100; i++) g.push(i / 100);
  return g;
}

function kappaGrid(): number[] {
  // 0 plus 10 decades at 8 points per decade: κ matters when κN² is comparable to 1, and N can
  // be anything from a handful of cores to thousands of connections. The grid only has to land
  // in the right basin; the pattern search does the rest.
  const g = [0];
  for (let e = -80; e <= 0; e++) g.push(10 ** (e / 8));
  return g;
}

/** Bounded compass + diagonal pattern search from a grid cell. */
function refine(data: Data, start: Candidate, fitSigma: boolean, fitKappa: boolean): Candidate {
  let best = start;
  let hs = fitSigma ? 0.005 : 0;
  // κ's scale is set by the data: step relative to its grid value, or a tiny absolute step at 0.
  let hk = fitKappa ? Math.max(best.kappa * 0.3, 1e-12) : 0;
  const dirs = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
    [1, 1],
    [1, -1],
    [-1, 1],
    [-1, -1],
  ] as const;
  for (let iter = 0; iter < 20_000 && (hs > 1e-12 || hk > 1e-16); iter++) {
    let moved = false;
    for (const [ds, dk] of dirs) {
      if ((ds !== 0 && hs === 0) || (dk !== 0 && hk === 0)) continue;
      const sigma = clamp01(best.sigma + ds * hs);
      const kappa = clamp01(best.kappa + dk * hk);
      const { sse } = profile(data, sigma, kappa);
      if (sse < best.sse) {
        best = { sigma, kappa, sse };
        moved = true;
        break;
      }
    }
    if (moved) {
      hs *= 1.5;
      hk *= 1.5;
    } else {
      hs /= 2;
      hk /= 2;
    }
  }
  return best;
}

/** Grid search then refinement over the free parameters; pinned ones stay at 0. */
function search(data: Data, fitSigma: boolean, fitKappa: boolean): Candidate {
  const sigmas = fitSigma ? sigmaGrid() : [0];
  const kappas = fitKappa ? kappaGrid() : [0];
  // Keep the 4 best cells: a narrow curved valley can put two of them far apart.
  const top: Candidate[] = [];
  for (const sigma of sigmas) {
    for (const kappa of kappas) {
      const { sse } = profile(data, sigma, kappa);
      if (top.length < 4 || sse < top[top.length - 1]!.sse) {
        top.push({ sigma, kappa, sse });
        top.sort((a, b) => a.sse - b.sse);
        if (top.length > 4) top.pop();
      }
    }
  }
  let best = top[0]!;
  for (const cell of top) {
    const r = refine(data, cell, fitSigma, fitKappa);
    if (r.sse < best.sse) best = r;
  }
  return best;
}

/**
 * Fit the free parameters, then prefer a boundary solution (σ = 0 and/or κ = 0) when it fits as
 * well to within rounding: the search only approaches a bound asymptotically, and κ = 1e-12
 * instead of 0 would predict a meaningless peak at N ≈ 10⁶.
 */
function fitShape(data: Data, fitSigma: boolean, fitKappa: boolean): Candidate {
  const full = search(data, fitSigma, fitKappa);
  let energy = 0;
  for (let i = 0; i < data.xs.length; i++) energy += data.ws[i] * data.xs[i] * data.xs[i];
  const tolerance = full.sse * 1e-6 + energy * 1e-14;
  const simpler: Candidate[] = [];
  if (fitKappa) simpler.push(search(data, fitSigma, false));
  if (fitSigma) simpler.push(search(data, false, fitKappa));
  if (fitSigma && fitKappa) simpler.push(search(data, false, false));
  const free = (c: Candidate) => (c.sigma > 0 ? 1 : 0) + (c.kappa > 0 ? 1 : 0);
  let best = full;
  for (const c of simpler) {
    if (c.sse > full.sse + tolerance) continue;
    if (free(c) < free(best) || (free(c) === free(best) && c.sse < best.sse)) best = c;
  }
  return best;
}

const pct = (v: number) => `${(v * 100).toFixed(v < 0.01 ? 3 : 1)}%`;

/**
 * Least-squares fit of the USL to throughput measurements, with σ, κ ∈ [0, 1] and λ > 0.
 *
 * Honest about what the data can say: with fewer than {@link USL_MIN_DISTINCT_N} distinct N
 * (a 2-core machine gives only N = 1, 2) κ cannot be told apart from σ, so κ is pinned to 0 (and
 * σ too when there is a single N), the fit is reported with `trustworthy: false`, and the reason
 * says why. A fit whose R² is below `minRSquared` is untrustworthy as well.
 *
 * @throws RangeError when there are no points, N < 1 or non-finite, x negative or non-finite,
 *   or every x is 0.
 */
export function fitUsl(points: readonly UslPoint[], options: UslFitOptions = {}): UslFit {
  const minRSquared = options.minRSquared ?? 0.9;
  if (points.length === 0) throw new RangeError('fitUsl needs at least one point');
  for (const [i, p] of points.entries()) {
    if (!(Number.isFinite(p.n) && p.n >= 1)) throw new RangeError(`point ${i}: n must be >= 1`);
    if (!(Number.isFinite(p.x) && p.x >= 0)) throw new RangeError(`point ${i}: x must be >= 0`);
  }
  if (points.every((p) => p.x === 0)) throw new RangeError('fitUsl: every throughput is 0');
  const weighting = options.weighting ?? 'relative';
  const ns = Float64Array.from(points, (p) => p.n);
  const xs = Float64Array.from(points, (p) => p.x);
  const smallest = Math.min(...points.filter((p) => p.x > 0).map((p) => p.x));
  const ws = Float64Array.from(points, (p) =>
    weighting === 'absolute' ? 1 : 1 / Math.max(p.x, smallest) ** 2,
  );
  const data = { ns, xs, ws };
  const distinctN = new Set(points.map((p) => p.n)).size;

  const fitKappa = distinctN >= USL_MIN_DISTINCT_N;
  // With one N, λ and σ are confounded too (only X(N) itself is known): assume linear scaling.
  const fitSigma = distinctN >= 2;
  const shape = fitShape(data, fitSigma, fitKappa);
  const { lambda } = profile(data, shape.sigma, shape.kappa);
  const params = { lambda, sigma: shape.sigma, kappa: shape.kappa };

  const residuals = points.map((p) => {
    const predicted = uslThroughput(params, p.n);
    return { n: p.n, x: p.x, predicted, residual: p.x - predicted };
  });
  const sse = residuals.reduce((s, r) => s + r.residual * r.residual, 0);
  const meanX = points.reduce((s, p) => s + p.x, 0) / points.length;
  const sst = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  // All x equal: R² is undefined; call a perfect fit 1 and anything else 0.
  const rSquared = sst > 0 ? 1 - sse / sst : sse <= 1e-12 * meanX * meanX ? 1 : 0;
  const rmse = Math.sqrt(sse / points.length);
  const peakN = uslPeakN(params);
  const peak = peakN === null ? null : { n: peakN, x: uslThroughput(params, peakN) };

  const pinned: ('sigma' | 'kappa')[] = [];
  if (!fitSigma) pinned.push('sigma');
  if (!fitKappa) pinned.push('kappa');

  const notes: string[] = [];
  if (fitSigma && params.sigma >= 1)
    notes.push('σ hit its upper bound 1: no measured speed-up at all');
  if (fitKappa && params.kappa >= 1) notes.push('κ hit its upper bound 1');
  const maxN = Math.max(...points.map((p) => p.n));
  if (peak !== null && peak.n > 2 * maxN) {
    notes.push(
      `the predicted peak N* = ${peak.n.toFixed(1)} is far beyond the largest measured N = ${maxN}: ` +
        'κ is extrapolated, treat the peak as indicative',
    );
  }

  let trustworthy = true;
  let reason: string;
  if (distinctN < USL_MIN_DISTINCT_N) {
    trustworthy = false;
    reason =
      `only ${distinctN} distinct N (${[...new Set(points.map((p) => p.n))].join(', ')}); ` +
      `the USL has 3 parameters and needs at least ${USL_MIN_DISTINCT_N} distinct N to be fitted ` +
      `and checked, so ${pinned.map((p) => (p === 'sigma' ? 'σ' : 'κ')).join(' and ')} ${pinned.length > 1 ? 'were' : 'was'} pinned to 0 ` +
      '(optimistic). A 2-core machine only yields N = 1, 2: sweep on a machine with more cores.';
  } else if (!(rSquared >= minRSquared)) {
    trustworthy = false;
    reason = `R² = ${rSquared.toFixed(3)} is below ${minRSquared}: the USL does not describe these data`;
  } else {
    reason =
      `${distinctN} distinct N, R² = ${rSquared.toFixed(3)}; contention σ = ${pct(params.sigma)}, ` +
      `coherency κ = ${params.kappa.toExponential(2)}`;
  }
  return {
    ...params,
    rSquared,
    rmse,
    residuals,
    peak,
    distinctN,
    pinned,
    trustworthy,
    reason,
    notes,
  };
}
