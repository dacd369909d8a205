/**
 * `npm run bench:engine [-- --suite ed25519|sm2]`: the engine's figures for one signature suite,
 * all measured in this one run on this machine.
 *  1. each backend's pure single-core verification rate;
 *  2. settled transactions/s through the pool on all cores (no HTTP);
 *  3. engine CPU per settled tx ÷ CPU per pure verification (target <= 1.15, native);
 *  4. settled tx/s as a share of (native verify rate × cores) (target >= 85%);
 *  5. Ed25519: noble batch speedup over noble single by batch size (target >= 2.3x at 256);
 *     SM2 has no sound batch equation (docs/signatures.md);
 *  6. CPU per invalid ÷ per valid signature, each backend, alone and in batches of 64
 *     (target <= 1.5x).
 * Setup (keys, signing, genesis) happens before timing; warm-up is excluded.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg as osLoadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isSuiteName, type SuiteName } from '../engine/crypto/index.js';
import { ENGINE_NODE_FLAGS, hasEngineNodeFlags } from '../engine/service/index.js';
import { measureBatchSpeedup, measureSingleRate } from '../gate/index.js';
import { measureEngineThroughput } from './engine-throughput.js';
import { INVALID_KINDS, measureOneBadInBatch, measureSignatureCost } from './signature-cost.js';
import { machine } from './verify.js';

const SUITE = suiteArgument();
// SM2 verification costs ~15x Ed25519's here, so fewer transfers give a run of similar length.
const TRANSFERS = Number(process.env.ECNY_BENCH_TRANSFERS ?? (SUITE === 'sm2' ? 12_000 : 60_000));
const SECONDS = Number(process.env.ECNY_BENCH_SECONDS ?? 3);

function suiteArgument(): SuiteName {
  const at = process.argv.indexOf('--suite');
  const value = at >= 0 ? process.argv[at + 1] : (process.env.ECNY_BENCH_SUITE ?? 'ed25519');
  if (!isSuiteName(value)) {
    console.error(`--suite must be ed25519 or sm2, got ${value}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const m = machine();
  const cores = availableParallelism();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${loadavg()}`);
  console.log(`engine runtime flags: ${ENGINE_NODE_FLAGS.join(' ')} (engine/service/runtime.ts)`);
  console.log(`signature suite: ${SUITE}`);

  console.log('\n1. pure single-core verification (tight loop, setup outside timing)');
  const native = measureSingleRate('native', { seconds: SECONDS, suite: SUITE });
  const noble = measureSingleRate('noble', { seconds: SECONDS, suite: SUITE });
  for (const [name, r] of [
    ['native', native],
    ['noble', noble],
  ] as const) {
    console.log(
      `   ${name.padEnd(7)} ${r.cpuRate.toFixed(0).padStart(7)} verif per CPU-s  (${r.wallRate.toFixed(0)} per wall-s, ${r.cpuMicrosPerVerification.toFixed(1)} us CPU each)`,
    );
  }

  console.log(
    `\n2. engine through the pool, ${cores} worker threads, ${TRANSFERS} pre-signed transfers, no HTTP`,
  );
  const eng = await measureEngineThroughput('native', TRANSFERS, cores, 8192, SUITE);
  console.log(
    `   native: ${eng.settledPerSecond.toFixed(0)} settled tx/s (${eng.settled} in ${eng.seconds.toFixed(2)} s, mean batch ${eng.meanBatch.toFixed(0)}, ${eng.fsyncs} fsyncs)`,
  );
  console.log(
    `   CPU by thread, us per settled tx: main ${eng.mainThreadMicrosPerTx.toFixed(1)} (admission, registry, journal writes), ` +
      `others ${eng.otherThreadsMicrosPerTx?.toFixed(1) ?? 'n/a'} (verification workers, fsync and I/O threads); ` +
      `${eng.warmupTransfers} warm-up transfers untimed (key caches warm)`,
  );
  const engNoble = await measureEngineThroughput(
    'noble',
    Math.min(TRANSFERS, SUITE === 'sm2' ? 4_000 : 20_000),
    cores,
    8192,
    SUITE,
  );
  console.log(
    `   noble:  ${engNoble.settledPerSecond.toFixed(0)} settled tx/s (mean batch ${engNoble.meanBatch.toFixed(0)})`,
  );

  const cpuRatio = eng.cpuMicrosPerTx / native.cpuMicrosPerVerification;
  console.log(
    `\n3. engine CPU per settled tx ÷ CPU per verification (native): ${eng.cpuMicrosPerTx.toFixed(1)} / ${native.cpuMicrosPerVerification.toFixed(1)} us = ${cpuRatio.toFixed(3)}  (target <= 1.15: ${cpuRatio <= 1.15 ? 'met' : 'NOT met'})`,
  );

  const share = eng.settledPerSecond / (native.cpuRate * cores);
  console.log(
    `4. settled tx/s ÷ (native verify rate × ${cores} cores) = ${eng.settledPerSecond.toFixed(0)} / ${(native.cpuRate * cores).toFixed(0)} = ${(100 * share).toFixed(1)}%  (target >= 85%: ${share >= 0.85 ? 'met' : 'NOT met'})`,
  );

  if (SUITE === 'ed25519') {
    console.log('\n5. noble batch verification speedup over noble single (CPU-time rates)');
    for (const s of measureBatchSpeedup([16, 64, 256, 1024], {
      seconds: Math.max(1, SECONDS - 1),
    })) {
      console.log(
        `   batch ${String(s.size).padStart(4)}: ${s.speedup.toFixed(2)}x${s.size === 256 ? `  (target >= 2.3x: ${s.speedup >= 2.3 ? 'met' : 'NOT met'})` : ''}`,
      );
    }
  } else {
    console.log(
      '\n5. no batch equation for SM2 (r carries only x1 mod n; docs/signatures.md): batches run item by item on the pool',
    );
  }

  console.log(
    '\n6. an invalid signature (one bit flipped) against a valid one, CPU per verification',
  );
  for (const [name, valid] of [
    ['native', native],
    ['noble', noble],
  ] as const) {
    const invalid = measureSingleRate(name, {
      seconds: Math.max(1, SECONDS - 1),
      suite: SUITE,
      invalid: true,
    });
    console.log(
      `   ${name.padEnd(7)} invalid ${invalid.cpuMicrosPerVerification.toFixed(1)} us, valid ${valid.cpuMicrosPerVerification.toFixed(1)} us: ${(invalid.cpuMicrosPerVerification / valid.cpuMicrosPerVerification).toFixed(2)}x`,
    );
  }
  console.log(
    '\n6. CPU per signature, valid and invalid (us; one core, keys warm; ratio to valid, target <= 1.5x)',
  );
  console.log(`   backend batch    valid  ${INVALID_KINDS.map((k) => k.padStart(18)).join('')}`);
  for (const backend of ['native', 'noble'] as const) {
    for (const c of measureSignatureCost(backend, backend === 'native' ? 1 : 2)) {
      const cells = INVALID_KINDS.map((k) => {
        const ratio = c.invalidMicros[k] / c.validMicros;
        return `${c.invalidMicros[k].toFixed(1)} (${ratio.toFixed(2)}x)`.padStart(18);
      });
      console.log(
        `   ${backend.padEnd(7)} ${String(c.batch).padStart(5)} ${c.validMicros.toFixed(1).padStart(8)}  ${cells.join('')}`,
      );
    }
  }
  const oneBad = measureOneBadInBatch('tampered');
  console.log(
    `   noble, one tampered signature among 63 valid in a batch of 64: ${oneBad.toFixed(0)} us charged to it (bisection)`,
  );
  console.log(
    `\nload average at the end: ${loadavg()} (a shared machine: quote ratios, not absolutes)`,
  );
}

function loadavg(): string {
  return osLoadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

if (hasEngineNodeFlags()) {
  await main();
} else {
  // Measure the engine as it is deployed: re-run this file with the engine's V8 flags.
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      ...ENGINE_NODE_FLAGS,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}
