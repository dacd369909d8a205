/**
 * Every colour a chart uses, in one place, so the same thing has the same colour in every chart,
 * every run and every report: a reader who learnt "ALREADY_SPENT is red" on one page must not
 * have to relearn it on the next.
 *
 * Conventions:
 * - Latency percentiles go from cool (typical) to hot (tail): p50 blue ... max dark crimson.
 * - An uncorrected (service-time) series is its corrected twin's colour, faint and dashed.
 * - Rejection codes have fixed colours; a code the engine does not know yet gets a stable colour
 *   derived from its name, so it stays the same across charts too.
 */
import { REJECTION_CODES } from '../engine/domain/index.js';

/** Named series that appear in more than one chart, or that a reader compares across charts. */
export const SERIES = {
  offered: '#6b6b6b',
  achieved: '#1f4e9c',
  settled: '#1a9850',
  dropped: '#8c2d04',
  /** The SLO reference line. Near-black so it never reads as one of the data series. */
  slo: '#222222',
  /** Corrected latency (from the intended send time) when shown as a single series. */
  corrected: '#1f4e9c',
  poolWait: '#e08214',
  verify: '#7b3294',
  queueDepth: '#542788',
  backlog: '#b35806',
  /** A trend point a gate called a regression, or a run that crossed a threshold. */
  regression: '#c62828',
  /** A baseline's median and the gate's tolerance band around it. */
  baseline: '#6b6b6b',
  tolerance: '#f4a582',
} as const;

/** Percentile series, cool to hot. The keys match `Percentiles` in the result schema. */
export const PERCENTILE_COLOURS = {
  p50: '#3288bd',
  p90: '#33a02c',
  p99: '#f46d43',
  p999: '#d53e4f',
  p9999: '#9e0142',
  max: '#5e0a2c',
} as const;

/**
 * Fixed colours for the engine's rejection codes (engine/domain/codes.ts), plus the two admission
 * errors a load generator may count alongside them. Related codes share a hue family (unknown-*
 * are cyans, signer problems purples) so a stack is readable at a glance.
 */
export const REJECTION_COLOURS: Readonly<Record<string, string>> = {
  MALFORMED: '#7f7f7f',
  UNSUPPORTED_VERSION: '#c7c7c7',
  DUPLICATE_INPUT: '#bcbd22',
  BAD_SIGNATURE: '#9467bd',
  UNKNOWN_SIGNER: '#c5b0d5',
  UNKNOWN_PAYEE: '#17becf',
  UNKNOWN_COIN: '#9edae5',
  NOT_OWNER: '#8c564b',
  ALREADY_SPENT: '#d62728',
  VALUE_MISMATCH: '#e377c2',
  TIER_LIMIT: '#ff7f0e',
  UNAUTHORIZED: '#ffbb78',
  DUPLICATE_TX: '#1f77b4',
  ALREADY_REGISTERED: '#aec7e8',
  BAD_DAY: '#fdd0a2',
  WEAK_KEY: '#ad494a',
  OVERLOADED: '#393b79',
  UNAVAILABLE: '#636363',
};

/** For codes not listed above: picked by a hash of the name, so stable across charts and runs. */
const FALLBACK_CODE_COLOURS = [
  '#2ca02c',
  '#98df8a',
  '#f7b6d2',
  '#dbdb8d',
  '#637939',
  '#843c39',
  '#7b4173',
  '#3182bd',
] as const;

/**
 * Colour-blind-safe categorical colours (Okabe-Ito, yellow left out: illegible on white) for
 * comparison charts, where series are runs rather than named quantities.
 */
export const RUN_COLOURS = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#000000',
] as const;

// Fail at import time rather than draw two codes alike if someone adds a code to the engine.
for (const code of REJECTION_CODES) {
  if (REJECTION_COLOURS[code] === undefined)
    throw new Error(`charts/palette: no colour for ${code}`);
}

/** The colour of a rejection code, the same in every chart. */
export function rejectionColour(code: string): string {
  const fixed = REJECTION_COLOURS[code];
  if (fixed !== undefined) return fixed;
  // FNV-1a: tiny, deterministic, spreads similar names apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    h ^= code.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return FALLBACK_CODE_COLOURS[h % FALLBACK_CODE_COLOURS.length]!;
}

/**
 * Fixed colours for the operation types of a workload (its report labels) and the payment
 * channels: payments in blues, the bank side in greens and oranges, the central bank in purple.
 */
export const OP_COLOURS: Readonly<Record<string, string>> = {
  transfer: '#1f4e9c',
  'offline-transfer': '#56b4e9',
  open: '#b2df8a',
  claim: '#33a02c',
  'top-up': '#009e73',
  redeem: '#e69f00',
  sweep: '#d55e00',
  expiry: '#cc79a7',
  return: '#8c564b',
  allocate: '#7b3294',
  scan: '#1f4e9c',
  tap: '#56b4e9',
  online: '#0072b2',
};

/** The colour of an operation type or channel, the same in every chart. */
export function opColour(label: string): string {
  return OP_COLOURS[label] ?? rejectionColour(label);
}

/** The colour of the i-th run in a comparison (cycles after seven runs). */
export function runColour(index: number): string {
  return RUN_COLOURS[index % RUN_COLOURS.length]!;
}

/** `#rrggbb` at the given opacity, as `rgba(...)`: the faint twin of a series colour. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Opacity of uncorrected (service-time) twins of corrected series. */
export const FAINT_ALPHA = 0.6;
