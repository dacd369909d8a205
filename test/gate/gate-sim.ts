/**
 * Seeded Monte Carlo of the gate decision: how often does it alarm when nothing changed (false
 * alarm) and how often does it catch a real regression (detection)? Synthetic data only — no
 * timing on this machine is involved.
 */
import { type Direction, judgeGate, type Trial } from '../../gate/index.js';
import { noiseModels, prng } from '../fixtures/prng.js';

export type NoiseModel = keyof typeof noiseModels;

export interface SimulationSpec {
  readonly direction: Direction;
  readonly noise: NoiseModel;
  /** Trials per side. */
  readonly trials: number;
  /** Repetitions of the whole baseline-vs-current comparison. */
  readonly repetitions: number;
  /** Relative regression applied to the current trials' mean (0.25 = 25% worse). */
  readonly regression: number;
  readonly seed: number;
}

export interface SimulationResult {
  readonly falseAlarmRate: number;
  readonly detectionRate: number;
}

function draw(random: () => number, model: NoiseModel, mean: number, n: number): Trial[] {
  const trials: Trial[] = [];
  for (let i = 0; i < n; i++) {
    // Guard the (astronomically rare) non-positive draw: ratios are positive by construction.
    trials.push({ metrics: { m: Math.max(1e-6, mean * noiseModels[model](random)) } });
  }
  return trials;
}

/** Run the simulation; a "25% regression" is ×0.75 for higher-better and ×1.25 for lower-better. */
export function simulateGate(spec: SimulationSpec): SimulationResult {
  const random = prng(spec.seed);
  const options = { metrics: { m: { direction: spec.direction } } };
  const worse = spec.direction === 'higher-better' ? 1 - spec.regression : 1 + spec.regression;
  let alarms = 0;
  let caught = 0;
  for (let i = 0; i < spec.repetitions; i++) {
    const baseline = draw(random, spec.noise, 1, spec.trials);
    const same = draw(random, spec.noise, 1, spec.trials);
    const regressed = draw(random, spec.noise, worse, spec.trials);
    if (judgeGate(baseline, same, options).verdict === 'regression') alarms++;
    if (judgeGate(baseline, regressed, options).verdict === 'regression') caught++;
  }
  return { falseAlarmRate: alarms / spec.repetitions, detectionRate: caught / spec.repetitions };
}
