/**
 * Measures workload generation: signed ops per second (single thread = one core), key
 * derivation, serialized size and cache load time, per scenario variant.
 *
 *   [ECNY_SUITE=sm2] node dist/bench/generate.js [scale] [scenario[:variant] ...]
 */
import { sign } from 'node:crypto';
import { cpus } from 'node:os';
import { isSuiteName, type SuiteName, sm2Sign } from '../engine/crypto/index.js';
import { scenarioVariants } from '../scenarios/catalog/index.js';
import type { Scale } from '../scenarios/model/index.js';
import {
  fastKeysEnabled,
  generateWorkload,
  parseWorkloadBytes,
  workloadCentralBankPair,
  workloadChunks,
} from '../scenarios/workload/index.js';

const scale = (process.argv[2] ?? 'small') as Scale;
const suiteEnv = process.env.ECNY_SUITE ?? 'ed25519';
if (!isSuiteName(suiteEnv)) throw new Error(`ECNY_SUITE must be ed25519 or sm2, got ${suiteEnv}`);
const suite: SuiteName = suiteEnv;
const wanted = process.argv.slice(3);
const list = scenarioVariants().filter(
  ({ scenario, variant }) =>
    wanted.length === 0 || wanted.includes(scenario) || wanted.includes(`${scenario}:${variant}`),
);

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ` +
    `scale ${scale}, suite ${suite}, fast keys ${fastKeysEnabled()}`,
);
/** Bare signatures of the suite per second right now: the ceiling on this (shared) machine. */
function rawSignRate(): number {
  const pair = workloadCentralBankPair('generate-bench', suite);
  const msg = Buffer.alloc(32, 7);
  const n = pair.suite === 'sm2' ? 1_000 : 5_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    if (pair.suite === 'sm2') sm2Sign(pair.sm2, msg);
    else sign(null, msg, pair.privateKey);
  }
  return n / ((performance.now() - t) / 1000);
}

console.log(
  'scenario:variant'.padEnd(30) +
    'wallets  genesis      ops   gen ms  signed/s   keys ms  MB    load ms  raw sign/s',
);
for (const { scenario, variant } of list) {
  // Fresh seed per run so the in-process key cache does not flatter the numbers.
  const seed = `bench-${Date.now()}-${scenario}-${variant}`;
  let keysMs = 0;
  let keysAt = 0;
  const t0 = performance.now();
  const w = generateWorkload(
    scenario,
    { variant, scale, seed, suite },
    {
      onProgress: (stage, done, total) => {
        if (stage === 'keys' && done === 0) keysAt = performance.now();
        if (stage === 'keys' && done === total) keysMs = performance.now() - keysAt;
      },
    },
  );
  const genMs = performance.now() - t0;
  const signed = w.genesis.bodies.length + w.ops.bodies.length;
  const bytes = Buffer.concat([...workloadChunks(w)].map((c) => Buffer.from(c)));
  const t1 = performance.now();
  parseWorkloadBytes(bytes);
  const loadMs = performance.now() - t1;
  const wallets = w.genesis.type.filter((t) => t === 'open').length;
  const rate = signed / ((genMs - keysMs) / 1000);
  const raw = rawSignRate();
  console.log(
    `${scenario}:${variant}`.padEnd(30) +
      `${String(wallets).padStart(7)} ${String(w.genesis.bodies.length).padStart(8)} ` +
      `${String(w.ops.bodies.length).padStart(8)} ${genMs.toFixed(0).padStart(8)} ` +
      `${rate.toFixed(0).padStart(9)} ${keysMs.toFixed(0).padStart(9)} ` +
      `${(bytes.length / 1e6).toFixed(1).padStart(5)} ${loadMs.toFixed(0).padStart(9)} ` +
      `${raw.toFixed(0).padStart(11)}`,
  );
}
console.log(
  'signed/s: signed ops per second of one thread, key derivation (keys ms) excluded; gen ms ' +
    'includes everything; raw sign/s: bare crypto.sign measured right after, for scale.',
);
