/**
 * `npm run bench:replay`: how long a restart takes. Builds a city-scale journal (genesis of
 * ECNY_BENCH_WALLETS wallets, then ECNY_BENCH_TRANSFERS transfers), then times the engine's
 * recovery on it (`recoverRegistry`: replay into a fresh registry + reconcile), which is what
 * `GET /healthz` waits for. Building (signing) is untimed. Prints the median of
 * ECNY_BENCH_TRIALS trials, and the per-key cost of the registration key check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAcceptablePublicKey, isWellFormedPublicKey } from '../engine/crypto/index.js';
import { deriveKeyPair } from '../engine/domain/index.js';
import { recoverRegistry } from '../engine/service/index.js';
import { writeCityJournal } from './replay-journal.js';
import { machine } from './verify.js';

const WALLETS = Number(process.env.ECNY_BENCH_WALLETS ?? 50_000);
const TRANSFERS = Number(process.env.ECNY_BENCH_TRANSFERS ?? 100_000);
const TRIALS = Number(process.env.ECNY_BENCH_TRIALS ?? 3);

async function main(): Promise<void> {
  const m = machine();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}; load average ${load()}`);
  const dir = await mkdtemp(join(tmpdir(), 'ecny-bench-replay-'));
  try {
    const path = join(dir, 'journal.ecj');
    const built = performance.now();
    const city = await writeCityJournal(path, { wallets: WALLETS, transfers: TRANSFERS });
    console.log(
      `journal: ${city.records} records (${describe(city.counts)}), ${(city.bytes / 2 ** 20).toFixed(1)} MiB; built in ${((performance.now() - built) / 1000).toFixed(1)} s (untimed)`,
    );
    const expected = JSON.stringify(city.registry.reconcile());

    const seconds: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const { registry, journal, records } = await recoverRegistry({
        centralBankKey: city.centralBankKey,
        journalPath: path,
      });
      const wall = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      await journal.close();
      if (records !== city.records) throw new Error(`replayed ${records} of ${city.records}`);
      if (JSON.stringify(registry.reconcile()) !== expected)
        throw new Error('replayed registry differs from the one the journal was built from');
      seconds.push(wall);
      console.log(
        `  trial ${t + 1}: ${wall.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, ${fmt(records / wall)} records/s`,
      );
    }
    const mid = median(seconds);
    console.log(
      `replay (recoverRegistry, median of ${TRIALS}): ${mid.toFixed(2)} s for ${city.records} records = ${fmt(city.records / mid)} records/s`,
    );

    const keys = Array.from({ length: 500 }, (_, i) =>
      Buffer.from(deriveKeyPair('replay-bench-keys', `k${i}`).publicKey, 'hex'),
    );
    console.log(`key check, median us per key over ${keys.length} keys:`);
    console.log(`  isAcceptablePublicKey (registration)  ${perKey(keys, isAcceptablePublicKey)}`);
    console.log(`  isWellFormedPublicKey (recovery)      ${perKey(keys, isWellFormedPublicKey)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median microseconds per call of `check` over `keys`, 5 passes after one warm-up pass. */
function perKey(keys: readonly Uint8Array[], check: (key: Uint8Array) => boolean): string {
  const passes: number[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const started = performance.now();
    for (const key of keys) if (!check(key)) throw new Error('an honest key was refused');
    if (pass > 0) passes.push(((performance.now() - started) * 1000) / keys.length);
  }
  return `${median(passes).toFixed(2).padStart(8)} us`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function describe(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

await main();
