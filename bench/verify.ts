/**
 * Signature-verification micro-benchmarks (the measurements live in gate/calibration.ts, which
 * the gate calibrates with), used by the engine benchmark and runnable directly:
 *
 *   node dist/bench/verify.js
 */
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { measureBatchSpeedup, measureSingleRate } from '../gate/index.js';

/** The machine the figures come from. */
export function machine(): { cpu: string; cores: number; node: string } {
  const list = cpus();
  return { cpu: list[0]?.model ?? 'unknown', cores: list.length, node: process.version };
}

function main(): void {
  const m = machine();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}`);
  console.log('\nsingle verification, one core');
  console.log('backend  verif/s (wall)  verif/s (cpu)  cpu us/verif');
  for (const backend of ['native', 'noble'] as const) {
    const r = measureSingleRate(backend);
    console.log(
      `${backend.padEnd(8)} ${fmt(r.wallRate, 15)} ${fmt(r.cpuRate, 14)} ${r.cpuMicrosPerVerification.toFixed(1).padStart(13)}`,
    );
  }
  console.log('\nnoble batch verification vs noble single (cpu rates)');
  console.log('batch  verif/s (wall)  verif/s (cpu)  cpu us/verif  speedup');
  for (const s of measureBatchSpeedup()) {
    console.log(
      `${String(s.size).padStart(5)} ${fmt(s.batch.wallRate, 15)} ${fmt(s.batch.cpuRate, 14)} ${s.batch.cpuMicrosPerVerification.toFixed(1).padStart(13)} ${s.speedup.toFixed(2).padStart(7)}x`,
    );
  }
}

function fmt(n: number, width: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(width);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
