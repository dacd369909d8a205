import { runAsShard, shardFromEnvironment } from '../../coordinator/index.js';
import { SUITE_NAMES as SUITES } from '../../engine/crypto/index.js';
import { appendRunToHistory } from '../../history/index.js';
import { watchInterrupts } from '../../lifecycle/index.js';
import { CLIENTS, parseShard, parseStartAt } from '../../load/index.js';
import {
  checkDeployment,
  DeploymentError,
  type EngineDeployment,
  engineArgsFor,
  type RunOptions,
  type RunReport,
  type RunVerdict,
  runScenario,
  STORE_NAMES,
} from '../../runner/index.js';
import { getScenario, resolveTiers, SCENARIOS } from '../../scenarios/catalog/index.js';
import { SCALES, type Scale, type ScenarioOptions } from '../../scenarios/model/index.js';
import { loadOrGenerateWorkload } from '../../scenarios/workload/index.js';
import { type Command, env, int, num, oneOf, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { progressPrinter } from './progress.js';
import { appendStepSummary, summaryMarkdown, summaryText } from './run-summary.js';

const USAGE = `usage: ecny-bench run <scenario> [--variant V] [--scale small|city|national] [--duration S]
  [--time-compression X] [--seed S] [--invalid-share F] [--target URL[,URL...]] [--target-wait 10]
  [--store memory|postgres] [--engine-nodes N] [--database-url postgres://...]
  [--processes N]
  [--connections N] [--pipelining N] [--client lean|undici] [--backend native|noble] [--threads N]
  [--suite ed25519|sm2] (keys, signatures and transaction ids of the workload and the engine)
  [--slo-ms 50] [--threshold EXPR]... [--history FILE] [--out results] [--no-charts]
  [--shard i/N|auto] [--start-at TIME] [--coordinator URL] [--coordinator-token-file FILE]
  [--coordinator-wait 120] [--print-engine-flags] [--tiers operator-2020|public-2021|FILE]
Several hosts can share one run: each runs with --target <engine> --shard i/N and the same
--start-at (ISO time, epoch ms, or +seconds), then \`ecny-bench merge\` combines their results.
With --coordinator URL (\`ecny-bench coordinate\`) instead, every shard waits paused until all
are ready and the genesis is sent, starts when the coordinator releases them, and uploads its
results, which the coordinator merges; its token comes from --coordinator-token-file or
$ECNY_COORDINATOR_TOKEN. --shard auto: the index from $JOB_COMPLETION_INDEX (a Kubernetes
Indexed Job), the count from the coordinator or $ECNY_SHARD_COUNT (docs/distributed.md).
Without --target the engine is started as a child process and stopped after the run; with it,
the engine must answer /healthz within --target-wait seconds (default 10), else exit 3, and it
must trust the workload's central bank key and read its value day: --print-engine-flags prints
the \`serve\` flags that say so (and exits), and a run checks them first. Several targets
(engine nodes sharing one postgres ledger) share the load: each generator process sends to one,
genesis goes to them in turn, and results record every target.
--store postgres --engine-nodes N: start a private PostgreSQL cluster (initdb + pg_ctl, as the
  postgres user when root) and N engine nodes on it (the cores shared out as --threads), all
  stopped on exit; --database-url uses that server instead (a fresh database is created there
  for the run and dropped after: the user needs CREATEDB).
--client: the load generators' HTTP client, lean (default, the project's own) or undici.
--threshold: an SLO judged over the measured phase, repeatable, e.g. 'p99<50ms',
  'p99.9<200ms', 'settled_rate>=0.99', 'dropped==0', 'rejected.OVERLOADED<=10',
  'p99<100ms abortOnFail=10s' (stop the run once crossed, after 10 s). Given, they replace the
  scenario's default thresholds; --threshold none runs with none. Metrics: docs/cli.md.
--history FILE: append the run's key figures to a JSON Lines history (ecny-bench history).
--slo-ms: the SLO line drawn in the charts; only a threshold fails a run.
Exit code 0: passed; 1: a correctness check failed (mismatch, loss, drops, books); 2: bad
input; 3: the run could not be carried out (engine unreachable or not starting); 99: a
threshold was crossed; 130/143: interrupted by SIGINT/SIGTERM (results marked INCOMPLETE).
--tiers: wallet tier limits (a preset or a JSON file in yuan); the workload is made for them and
the embedded engine enforces them; with --target the engine must already run the same table.`;

const FLAGS = {
  variant: { type: 'string' },
  scale: { type: 'string' },
  duration: { type: 'string' },
  'time-compression': { type: 'string' },
  seed: { type: 'string' },
  'invalid-share': { type: 'string' },
  target: { type: 'string' },
  'target-wait': { type: 'string' },
  store: { type: 'string' },
  'engine-nodes': { type: 'string' },
  'database-url': { type: 'string' },
  processes: { type: 'string' },
  connections: { type: 'string' },
  pipelining: { type: 'string' },
  client: { type: 'string' },
  backend: { type: 'string' },
  suite: { type: 'string' },
  threads: { type: 'string' },
  'slo-ms': { type: 'string' },
  threshold: { type: 'string', multiple: true },
  history: { type: 'string' },
  out: { type: 'string' },
  'no-charts': { type: 'boolean' },
  shard: { type: 'string' },
  'start-at': { type: 'string' },
  coordinator: { type: 'string' },
  'coordinator-token-file': { type: 'string' },
  'coordinator-wait': { type: 'string' },
  'print-engine-flags': { type: 'boolean' },
  tiers: { type: 'string' },
} as const;

/** `--threshold` flags (or ECNY_THRESHOLD, `;`-separated); undefined: the scenario's defaults. */
function thresholdFlags(given: readonly string[] | undefined): string[] | undefined {
  const list = given ?? env('threshold')?.split(';');
  if (list === undefined) return undefined;
  const cleaned = list.map((t) => t.trim()).filter((t) => t !== '');
  return cleaned.length === 1 && cleaned[0] === 'none' ? [] : cleaned;
}

/**
 * The engines a run starts for itself (`--store`, `--engine-nodes`, `--database-url`), checked;
 * with `--target` none of them may be given (the engines are already running).
 */
export function deploymentFromFlags(
  flag: (name: 'store' | 'engine-nodes' | 'database-url') => string | undefined,
  hasTarget: boolean,
): EngineDeployment {
  const store = flag('store');
  const nodes = flag('engine-nodes');
  const databaseUrl = flag('database-url');
  if (hasTarget && (store !== undefined || nodes !== undefined || databaseUrl !== undefined))
    throw new UsageError(
      '--store, --engine-nodes and --database-url describe the engines a run starts; with --target the engines are already running',
    );
  try {
    return checkDeployment({
      store: oneOf('store', store, STORE_NAMES, 'memory'),
      nodes: int('engine-nodes', nodes, 1, 1),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    });
  } catch (error) {
    if (error instanceof DeploymentError) throw new UsageError(error.message);
    throw error;
  }
}

/** The exit status of a finished run (docs/cli.md). */
export function runExitCode(verdict: RunVerdict, interrupted: number | null): number {
  if (interrupted !== null) return interrupted;
  switch (verdict) {
    case 'pass':
      return EXIT.ok;
    case 'failed':
      return EXIT.failed;
    case 'thresholds':
      return EXIT.thresholds;
    case 'incomplete':
      return EXIT.failed;
  }
}

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
  if (positionals.length > 1)
    throw new UsageError(`one scenario per run, got ${positionals.join(', ')}\n${USAGE}`);
  const flag = (n: Exclude<keyof typeof FLAGS, 'threshold'>) =>
    (values[n] as string | undefined) ?? env(n);
  const scale = (flag('scale') ?? defaults.scale) as Scale | undefined;
  if (scale !== undefined && !(SCALES as readonly string[]).includes(scale))
    throw new UsageError(`--scale must be one of ${SCALES.join(', ')}`);
  const tiers = flag('tiers') === undefined ? undefined : resolveTiers(flag('tiers'));
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
    ...(tiers ? { tiers: { name: tiers.name, table: tiers.table } } : {}),
  };
  if (values['print-engine-flags']) {
    const { workload } = await loadOrGenerateWorkload(name, scenarioOptions);
    console.log(engineArgsFor(workload.meta).join(' '));
    return 0;
  }
  const targets = flag('target')
    ?.split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const deployment = deploymentFromFlags(flag, targets !== undefined);
  const engineArgs: string[] = [];
  if (flag('backend')) engineArgs.push('--backend', flag('backend')!);
  if (flag('threads')) engineArgs.push('--threads', String(int('threads', flag('threads'), 1, 1)));
  const coordinator = flag('coordinator');
  const shardFlag = flag('shard');
  if (coordinator !== undefined) {
    if (!flag('target'))
      throw new UsageError('--coordinator needs --target: every shard sends to one engine');
    if (flag('start-at'))
      throw new UsageError(
        '--coordinator and --start-at exclude each other: the coordinator releases the start',
      );
    if (shardFlag === undefined)
      throw new UsageError('--coordinator needs --shard i/N or --shard auto');
  }
  // Under a coordinator, `auto` takes the count from it; without, from the environment.
  const shard =
    shardFlag === undefined
      ? undefined
      : shardFlag === 'auto'
        ? coordinator === undefined
          ? shardFromEnvironment(process.env)
          : ('auto' as const)
        : parseShard(shardFlag);
  const thresholds = thresholdFlags(values.threshold);
  const history = flag('history');
  const started = Date.now();
  const progress = progressPrinter();
  const interrupts = watchInterrupts();
  let report: RunReport;
  try {
    const options: RunOptions = {
      scenario: name,
      scenarioOptions,
      ...(targets === undefined ? {} : { targets }),
      deployment,
      engineArgs,
      load: {
        processes: int('processes', flag('processes'), 2, 1),
        // Unset: the runner sizes connections for the workload's busiest second.
        ...(flag('connections')
          ? { connections: int('connections', flag('connections'), 16, 1) }
          : {}),
        pipelining: int('pipelining', flag('pipelining'), 1, 1),
        client: oneOf('client', flag('client'), CLIENTS, 'lean'),
        ...(shard === undefined || shard === 'auto' || coordinator !== undefined ? {} : { shard }),
        ...(flag('start-at') ? { startAt: parseStartAt(flag('start-at')!) } : {}),
        onProgress: progress.onProgress,
      },
      sloMs: num('slo-ms', flag('slo-ms'), 50, 0),
      outDir: flag('out') ?? 'results',
      charts: values['no-charts'] !== true,
      log: (line) => console.log(line),
      ...(thresholds === undefined ? {} : { thresholds }),
      signal: interrupts.signal,
      targetWaitMs: num('target-wait', flag('target-wait'), 10, 0) * 1000,
    };
    report =
      coordinator === undefined
        ? await runScenario(options)
        : await runAsShard(options, {
            url: coordinator,
            shard: shard!,
            connectWaitMs: num('coordinator-wait', flag('coordinator-wait'), 120, 0) * 1000,
            ...(flag('coordinator-token-file')
              ? { tokenFile: flag('coordinator-token-file')! }
              : {}),
          });
  } finally {
    progress.done();
    interrupts.dispose();
  }
  console.log(summaryText(report, (Date.now() - started) / 1000));
  await appendStepSummary(summaryMarkdown(report));
  if (history !== undefined) {
    await appendRunToHistory(history, report.result, report.verdict);
    console.log(`  history: appended to ${history}`);
  }
  return runExitCode(report.verdict, interrupts.exitCode());
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

export { getScenario };
