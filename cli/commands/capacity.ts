/** `ecny-bench capacity <scenario>`: flags -> capacity/run.ts -> summary lines. */
import { availableParallelism } from 'node:os';
import {
  type CapacityAnalysis,
  type CapacityOptions,
  capacitySummaryLines,
  checkRampPlanInput,
  E_CNY_DESIGN_TPS,
  runCapacity,
  suiteProjectionLines,
} from '../../capacity/index.js';
import { isSuiteName, SUITE_NAMES, type SuiteName } from '../../engine/crypto/index.js';
import { watchInterrupts } from '../../lifecycle/index.js';
import { CLIENTS } from '../../load/index.js';
import { STORE_NAMES } from '../../runner/index.js';
import { SCENARIOS } from '../../scenarios/catalog/index.js';
import { SCALES, type Scale } from '../../scenarios/model/index.js';
import { type Command, env, int, num, oneOf, parse, parseIntList, UsageError } from './args.js';
import { progressPrinter } from './progress.js';

const USAGE = `usage: ecny-bench capacity <scenario> [--variant V] [--scale small|city|national] [--seed S]
  [--start 500] [--step 500] [--step-duration 5] [--warmup 1] [--max-steps 8] [--slo-ms 50]
  [--threads-sweep 1,...,cores] [--batch-sweep 64,256] [--target-tps 300000] [--headroom 0.7]
  [--cores-per-machine N] [--backend native|noble] [--processes 1] [--connections N]
  [--client lean|undici] [--suites ed25519,sm2] [--out results] [--no-charts]
  [--store memory|postgres] [--nodes 1,2,3] [--database-url postgres://...]
One stepped open-loop ramp per engine setting (each --threads-sweep value at the largest batch,
each --batch-sweep value at the most threads) against an embedded engine: steps of
--step-duration s at start, start+step, ... (the first --warmup s of each step left out), until
2 consecutive steps fail (achieved < 95% of offered, p99 > SLO or errors > 1%). Then the elbow of
each ramp, a USL fit of elbow throughput over threads, and projections to --target-tps and to
the scenario's planned peak. Without --scale, the smallest scale with enough operations for a
full ramp (city at most). Each signature suite of --suites (default both) gets its own workload,
engines and results, and the projections are printed side by side. Exit 0: results written and
an elbow found for every suite; 1: a suite found no elbow; 2: bad input; 3: an engine could not
be started; 130/143: interrupted (the steps measured so far are written, marked INCOMPLETE).
--store postgres: one ramp per --nodes value instead of the thread and batch sweep: that many
engine nodes (each with its share of the cores) on one ledger in a private PostgreSQL cluster
(or a fresh database on the server of --database-url), the load spread over them; then the
scale-out curve, a USL fit over node counts, what bounds it on this machine, and projections by
nodes and by the database's measured cost per payment beside the per-core one.`;

const FLAGS = {
  variant: { type: 'string' },
  scale: { type: 'string' },
  seed: { type: 'string' },
  start: { type: 'string' },
  step: { type: 'string' },
  'step-duration': { type: 'string' },
  warmup: { type: 'string' },
  'max-steps': { type: 'string' },
  'slo-ms': { type: 'string' },
  'threads-sweep': { type: 'string' },
  'batch-sweep': { type: 'string' },
  'target-tps': { type: 'string' },
  headroom: { type: 'string' },
  'cores-per-machine': { type: 'string' },
  backend: { type: 'string' },
  processes: { type: 'string' },
  connections: { type: 'string' },
  client: { type: 'string' },
  suites: { type: 'string' },
  out: { type: 'string' },
  'no-charts': { type: 'boolean' },
  store: { type: 'string' },
  nodes: { type: 'string' },
  'database-url': { type: 'string' },
} as const;

/** Flags -> options -> run -> summary; the exit code. */
export async function capacityCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, FLAGS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const name = positionals[0];
  if (!name)
    throw new UsageError(`which scenario? (${[...SCENARIOS.keys()].join(', ')})\n${USAGE}`);
  if (!SCENARIOS.has(name))
    throw new UsageError(`unknown scenario "${name}" (known: ${[...SCENARIOS.keys()].join(', ')})`);
  const flag = (n: keyof typeof FLAGS) => (values[n] as string | undefined) ?? env(n);
  const scale = flag('scale') as Scale | undefined;
  if (scale !== undefined && !(SCALES as readonly string[]).includes(scale))
    throw new UsageError(`--scale must be one of ${SCALES.join(', ')}`);
  const backend = flag('backend') ?? 'native';
  if (backend !== 'native' && backend !== 'noble')
    throw new UsageError('--backend must be native or noble');
  const cores = availableParallelism();
  const headroom = num('headroom', flag('headroom'), 0.7, 0);
  if (!(headroom > 0 && headroom <= 1)) throw new UsageError('--headroom must be in (0, 1]');
  const store = oneOf('store', flag('store'), STORE_NAMES, 'memory');
  if (store === 'memory' && (flag('nodes') !== undefined || flag('database-url') !== undefined))
    throw new UsageError('--nodes and --database-url are for --store postgres');
  if (store === 'postgres' && flag('threads-sweep') !== undefined)
    throw new UsageError(
      '--threads-sweep is for the memory store: with --store postgres each node gets its share of the cores',
    );
  const databaseUrl = flag('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new UsageError('--database-url must be a postgres:// or postgresql:// URL');
  const options: CapacityOptions = {
    scenario: name,
    ...(flag('variant') ? { variant: flag('variant')! } : {}),
    ...(scale ? { scale } : {}),
    ...(flag('seed') ? { seed: flag('seed')! } : {}),
    start: num('start', flag('start'), 500, 0),
    step: num('step', flag('step'), 500, 0),
    stepDurationS: int('step-duration', flag('step-duration'), 5, 1),
    warmupS: int('warmup', flag('warmup'), 1, 0),
    maxSteps: int('max-steps', flag('max-steps'), 8, 1),
    sloMs: num('slo-ms', flag('slo-ms'), 50, 0),
    threadsSweep: parseIntList(
      'threads-sweep',
      flag('threads-sweep') ?? Array.from({ length: cores }, (_, i) => i + 1).join(','),
    ),
    batchSweep: parseIntList('batch-sweep', flag('batch-sweep') ?? '64,256'),
    targetTps: num('target-tps', flag('target-tps'), E_CNY_DESIGN_TPS, 0),
    headroom,
    coresPerMachine: int('cores-per-machine', flag('cores-per-machine'), cores, 1),
    backend,
    processes: int('processes', flag('processes'), 1, 1),
    ...(flag('connections') ? { connections: int('connections', flag('connections'), 64, 1) } : {}),
    client: oneOf('client', flag('client'), CLIENTS, 'lean'),
    store,
    ...(store === 'postgres' ? { nodesSweep: parseIntList('nodes', flag('nodes') ?? '1') } : {}),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    outDir: flag('out') ?? 'results',
    charts: values['no-charts'] !== true,
    log: (line) => console.log(line),
  };
  if (positionals.length > 1)
    throw new UsageError(`one scenario per capacity run, got ${positionals.join(', ')}`);
  try {
    checkRampPlanInput(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!(options.start > 0 && options.step > 0 && options.sloMs > 0 && options.targetTps > 0))
    throw new UsageError('--start, --step, --slo-ms and --target-tps must be > 0');
  const suites = parseSuites(flag('suites') ?? SUITE_NAMES.join(','));
  const bySuite: { suite: SuiteName; analysis: CapacityAnalysis }[] = [];
  const progress = progressPrinter();
  const interrupts = watchInterrupts();
  try {
    for (const suite of suites) {
      const started = Date.now();
      if (suites.length > 1) console.log(`\n=== signature suite ${suite} ===`);
      const report = await runCapacity({
        ...options,
        suite,
        onProgress: progress.onProgress,
        signal: interrupts.signal,
      });
      for (const line of capacitySummaryLines(report.analysis)) console.log(line);
      if (report.result.incomplete) console.log(`\nINCOMPLETE: ${report.result.incomplete.reason}`);
      console.log(
        `\ncapacity run ${report.result.runId} (${suite}) in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${report.dir}/` +
          `${options.charts ? ' (open report.html)' : ''}`,
      );
      bySuite.push({ suite, analysis: report.analysis });
      if (report.result.incomplete) break;
    }
  } finally {
    progress.done();
    interrupts.dispose();
  }
  if (bySuite.length > 1) for (const line of suiteProjectionLines(bySuite)) console.log(line);
  return interrupts.exitCode() ?? (bySuite.every((s) => s.analysis.best !== null) ? 0 : 1);
}

/** "ed25519,sm2" -> distinct suite names, in order. */
export function parseSuites(value: string): SuiteName[] {
  const out: SuiteName[] = [];
  for (const part of value.split(',').map((s) => s.trim())) {
    if (!isSuiteName(part))
      throw new UsageError(`--suites must list ed25519 and/or sm2, got "${value}"`);
    if (!out.includes(part)) out.push(part);
  }
  return out;
}

export const capacity: Command = {
  name: 'capacity',
  summary:
    'stepped ramps per engine setting (or engine node count): elbow, USL fit, projection to 300,000 TPS',
  run: capacityCommand,
};
