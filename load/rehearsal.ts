/**
 * The JIT rehearsal of `LoadGenerator.warmup()`: a throw-away workload POSTed to /healthz
 * through the generator's own code paths before the measured phase.
 */
import type { Workload } from '../scenarios/workload/index.js';

/** Requests and rate of the JIT rehearsal in `warmup()` (about half a second). */
export const REHEARSAL_OPS = 3000;
export const REHEARSAL_RATE = 6000;

/** A throw-away workload for the rehearsal: one lane, every fourth op depends on the previous. */
export function rehearsalWorkload(n: number): Workload {
  const ops = {
    bodies: new Array<string>(n).fill(''),
    expected: new Array<'SETTLED'>(n).fill('SETTLED'),
    at: Array.from({ length: n }, (_, i) => i),
    dependsOn: Array.from({ length: n }, (_, i) => (i % 4 === 3 ? i - 1 : -1)),
    lane: new Array<number>(n).fill(0),
    type: new Array<string>(n).fill('probe'),
  };
  return {
    meta: {
      format: 'ecny-bench/workload/v1',
      scenario: 'rehearsal',
      seed: '',
      params: {},
      centralBankKey: '',
      day: 0,
      durationMs: n,
      plannedRate: [],
      expectedCounts: {},
      lanes: 1,
    },
    genesis: { bodies: [], expected: [], at: [], dependsOn: [], lane: [], type: [] },
    ops,
  };
}
