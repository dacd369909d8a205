/** Deterministic number formatting for printable lines (no locale or ICU dependence). */

/** Integer-ish with thousands separators: 300000 -> "300,000", 1234.5 -> "1,235" (rounded). */
export function fmtInt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = String(Math.round(Math.abs(x)));
  return (x < 0 && Math.round(x) !== 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate with separators and sensible precision: 12345.6 -> "12,346", 12.345 -> "12.3". */
export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return fmtInt(x);
  return String(Number(x.toPrecision(3)));
}

/** 4 significant digits, plain notation when reasonable: 0.012345 -> "0.01235". */
export function fmtSig(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/** Signed percentage with one decimal: 0.1234 -> "+12.3%", -0.05 -> "-5.0%". */
export function fmtPct(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  const v = (fraction * 100).toFixed(1);
  return `${fraction > 0 && v !== '0.0' ? '+' : ''}${v === '-0.0' ? '0.0' : v}%`;
}
