/** Counts per whole second of times in ms over a phase of `durationMs` (the last second takes any overrun). */
export function perSecond(atMs: ArrayLike<number>, durationMs: number): number[] {
  const out = new Array<number>(Math.max(1, Math.ceil(durationMs / 1000))).fill(0);
  for (let i = 0; i < atMs.length; i++) {
    const s = Math.min(out.length - 1, Math.floor(atMs[i]! / 1000));
    out[s]!++;
  }
  return out;
}
