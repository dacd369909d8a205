import { SUITE_NAMES as SUITES } from '../../engine/crypto/index.js';
import { CLIENTS, parseShard, parseStartAt } from '../../load/index.js';
import type { RunResult } from '../../result-format/index.js';
import { engineArgsFor, type RunReport, runScenario } from '../../runner/index.js';
import { getScenario, SCENARIOS } from '../../scenarios/catalog/index.js';
import { SCALES, type Scale, type ScenarioOptions } from '../../scenarios/model/index.js';
import { loadOrGenerateWorkload } from '../../scenarios/workload/index.js';
import { type Command, env, int, num, oneOf, parse, UsageError } from './args.js';

const USAGE = `usage: ecny-bench run <scenario> [--variant V] [--scale small|city|national] [--duration S]
  [--time-compression X] [--seed S] [--invalid-share F] [--target URL] [--processes N]
  [--connections N] [--pipelining N] [--client lean|undici] [--backend native|noble] [--threads N]
  [--suite ed25519|sm2] (keys, signatures and transaction ids of the workload and the engine)
  [--slo-ms 50] [--out results] [--no-charts] [--shard i/N] [--start-at TIME] [--print-engine-flags]
Several hosts can share one run: each runs with --target <engine> --shard i/N and the same
--start-at (ISO time, epoch ms, or +seconds), then \`ecny-bench merge\` combines their results.
Without --target the engine is started as a child process and stopped after the run. A --target
engine must trust the workload's central bank key and read its value day:
--print-engine-flags prints the \`serve\` flags that say so (and exits), and a run checks them first.
--client: the load generators' HTTP client, lean (default, the project's own) or undici.
Exit code 0: outcome check passed and the books reconciled; 1: they did not; 2: bad input.`;

const FLAGS = {
  variant: { type: 'string' },
  scale: { type: 'string' },
  duration: { type: 'string' },
  'time-compression': { type: 'string' },
  seed: { type: 'string' },
  'invalid-share': { type: 'string' },
  target: { type: 'string' },
  processes: { type: 'string' },
  connections: { type: 'string' },
  pipelining: { type: 'string' },
  client: { type: 'string' },
  backend: { type: 'string' },
  suite: { type: 'string' },
  threads: { type: 'string' },
  'slo-ms': { type: 'string' },
  out: { type: 'string' },
  'no-charts': { type: 'boolean' },
  shard: { type: 'string' },
  'start-at': { type: 'string' },
  'print-engine-flags': { type: 'boolean' },
} as const;

export async function runCommand(
  argv: string[],
  defaults: { scenario?: string; scale?: Scale } = {},
): Promise<number> {
  const { values, positionals } = parse(argv, FLAGS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const name = positionals[0] ?? defaults.scenario;
  if (!name)
    throw new UsageError(`which scenario? (${[...SCENARIOS.keys()].join(', ')})\n${USAGE}`);
  if (!SCENARIOS.has(name))
    throw new UsageError(`unknown scenario "${name}" (known: ${[...SCENARIOS.keys()].join(', ')})`);
  const flag = (n: keyof typeof FLAGS) => (values[n] as string | undefined) ?? env(n);
  const scale = (flag('scale') ?? defaults.scale) as Scale | undefined;
  if (scale !== undefined && !(SCALES as readonly string[]).includes(scale))
    throw new UsageError(`--scale must be one of ${SCALES.join(', ')}`);
  const scenarioOptions: ScenarioOptions = {
    ...(flag('variant') ? { variant: flag('variant')! } : {}),
    ...(scale ? { scale } : {}),
    ...(flag('duration') ? { durationS: num('duration', flag('duration'), 0, 1) } : {}),
    ...(flag('time-compression')
      ? { timeCompression: num('time-compression', flag('time-compression'), 0, 0) }
      : {}),
    ...(flag('seed') ? { seed: flag('seed')! } : {}),
    ...(flag('suite') ? { suite: oneOf('suite', flag('suite'), SUITES, 'ed25519') } : {}),
    ...(flag('invalid-share')
      ? { invalidShare: num('invalid-share', flag('invalid-share'), 0, 0) }
      : {}),
  };
  if (values['print-engine-flags']) {
    const { workload } = await loadOrGenerateWorkload(name, scenarioOptions);
    console.log(engineArgsFor(workload.meta).join(' '));
    return 0;
  }
  const engineArgs: string[] = [];
  if (flag('backend')) engineArgs.push('--backend', flag('backend')!);
  if (flag('threads')) engineArgs.push('--threads', String(int('threads', flag('threads'), 1, 1)));
  const started = Date.now();
  const report = await runScenario({
    scenario: name,
    scenarioOptions,
    ...(flag('target') ? { target: flag('target')! } : {}),
    engineArgs,
    load: {
      processes: int('processes', flag('processes'), 2, 1),
      // Unset: the runner sizes connections for the workload's busiest second.
      ...(flag('connections')
        ? { connections: int('connections', flag('connections'), 16, 1) }
        : {}),
      pipelining: int('pipelining', flag('pipelining'), 1, 1),
      client: oneOf('client', flag('client'), CLIENTS, 'lean'),
      ...(flag('shard') ? { shard: parseShard(flag('shard')!) } : {}),
      ...(flag('start-at') ? { startAt: parseStartAt(flag('start-at')!) } : {}),
      onProgress: (s) => {
        if (process.stderr.isTTY)
          process.stderr.write(
            `\r  t=${s.t}s offered ${s.offered}/s achieved ${s.achieved}/s dropped ${s.dropped}   `,
          );
      },
    },
    sloMs: num('slo-ms', flag('slo-ms'), 50, 0),
    outDir: flag('out') ?? 'results',
    charts: values['no-charts'] !== true,
    log: (line) => console.log(line),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  printSummary(report, (Date.now() - started) / 1000);
  return report.passed ? 0 : 1;
}

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function printSummary(report: RunReport, wallS: number): void {
  const r: RunResult = report.result;
  const t = r.totals;
  const c = r.latency.corrected;
  const rejections = Object.entries(r.rejectionsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  console.log(`
${r.scenario.name}${r.scenario.variant ? `/${r.scenario.variant}` : ''} (${r.scenario.scale}, seed ${r.scenario.seed}) on ${r.environment.cpuModel} x${r.environment.cores}
  sent ${t.sent} of ${t.planned} planned over ${r.durationS.toFixed(1)} s: ${t.achievedPerSecond.toFixed(0)} answers/s, ${t.settledPerSecond.toFixed(0)} settled/s
  latency from intended send (ms): p50 ${ms(c.p50)}  p90 ${ms(c.p90)}  p99 ${ms(c.p99)}  p99.9 ${ms(c.p999)}  max ${ms(c.max)}  (SLO ${r.config.sloMs} ms)
  settled ${t.settled}, rejected ${t.rejected}${rejections ? ` (${rejections})` : ''}, dropped ${t.dropped}, errors ${t.errors}
  outcome check: ${t.matched} matched, ${t.mismatched} mismatched, ${t.lost} lost -> ${r.outcome.passed ? 'PASS' : 'FAIL'}
  books: ${r.reconciliation?.ok ? 'reconciled' : 'NOT reconciled'}
  ${report.passed ? 'PASSED' : 'FAILED'} in ${wallS.toFixed(0)} s; results in ${report.dir}/${report.files.some((f) => f.endsWith('report.html')) ? ' (open report.html)' : ''}`);
}

export const run: Command = {
  name: 'run',
  summary: 'run a pilot-city scenario against the engine and write results, charts and a report',
  run: (argv) => runCommand(argv),
};

export const start: Command = {
  name: 'start',
  summary: 'the default job: xiongan-retail at small scale on an embedded engine',
  run: (argv) => runCommand(argv, { scenario: 'xiongan-retail', scale: 'small' }),
};

export const list: Command = {
  name: 'list',
  summary: 'list the scenarios and their variants',
  async run() {
    for (const def of SCENARIOS.values()) {
      const variants = Object.keys(def.variants);
      console.log(`${def.name.padEnd(18)} ${def.summary}`);
      console.log(
        `${''.padEnd(18)} variants: ${variants.map((v) => (v === def.defaultVariant ? `${v} (default)` : v)).join(', ')}`,
      );
    }
    return 0;
  },
};

export { getScenario };
