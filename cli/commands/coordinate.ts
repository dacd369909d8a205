/** `ecny-bench coordinate`: the coordinator of a run spread over many hosts (docs/distributed.md). */
import { loadRunKey, startCoordinator } from '../../coordinator/index.js';
import { watchInterrupts } from '../../lifecycle/index.js';
import { thresholdLines } from '../../thresholds/index.js';
import { type Command, env, int, num, parse, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const USAGE = `usage: ecny-bench coordinate --shards N [--host 0.0.0.0] [--port 8090] [--out results]
  [--token-file FILE] [--start-lead 3] [--max-rtt-ms 50] [--shard-timeout 60]
  [--ready-timeout 900] [--collect-timeout 300] [--max-upload-mb 512] [--no-charts]
Serves one run of N shards (\`ecny-bench run <scenario> --target <engine> --coordinator URL
--shard auto|i/N\` on each load host): releases them together once every shard is ready and
the genesis is sent, the start placed on each shard's own clock; collects every shard's result
files and merges them exactly as \`merge\` does into <out>/<run-id>/, with charts and report.
The shared secret (at least 32 characters) comes from --token-file or $ECNY_COORDINATOR_TOKEN;
every shard must hold the same. Times in seconds unless named.
A shard lost (silent for --shard-timeout), failed, not ready within --ready-timeout or without
results --collect-timeout after the planned end fails the run: exit 3, nothing merged, the
uploads kept in <out>/coordinator-<run>/ with a FAILED file saying why.
Exit 0 passed, 1 a correctness check failed, 2 bad options, 3 the run failed, 99 a threshold
was crossed, 130/143 interrupted.`;

const FLAGS = {
  shards: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  out: { type: 'string' },
  'token-file': { type: 'string' },
  'start-lead': { type: 'string' },
  'max-rtt-ms': { type: 'string' },
  'shard-timeout': { type: 'string' },
  'ready-timeout': { type: 'string' },
  'collect-timeout': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'no-charts': { type: 'boolean' },
} as const;

export const coordinate: Command = {
  name: 'coordinate',
  summary: 'the coordinator of a run over many hosts: start barrier, collection, merge',
  async run(argv) {
    const { values, positionals } = parse(argv, FLAGS, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`coordinate takes no arguments\n${USAGE}`);
    const flag = (n: Exclude<keyof typeof FLAGS, 'no-charts'>) =>
      (values[n] as string | undefined) ?? env(n);
    if (flag('shards') === undefined) throw new UsageError(`--shards N is required\n${USAGE}`);
    const seconds = (name: Parameters<typeof flag>[0], fallback: number) =>
      Math.round(num(name, flag(name), fallback, 0) * 1000);
    const key = await loadRunKey(flag('token-file'));
    const interrupts = watchInterrupts();
    try {
      const coordinator = await startCoordinator({
        shards: int('shards', flag('shards'), 1, 1),
        key,
        outDir: flag('out') ?? 'results',
        host: flag('host') ?? '0.0.0.0',
        port: int('port', flag('port'), 8090, 0),
        leadMs: seconds('start-lead', 3),
        maxRttMs: int('max-rtt-ms', flag('max-rtt-ms'), 50, 1),
        shardTimeoutMs: seconds('shard-timeout', 60),
        readyTimeoutMs: seconds('ready-timeout', 900),
        collectGraceMs: seconds('collect-timeout', 300),
        maxUploadBytes: int('max-upload-mb', flag('max-upload-mb'), 512, 1) * 1024 * 1024,
        charts: values['no-charts'] !== true,
        log: (line) => console.log(line),
        signal: interrupts.signal,
      });
      console.log(
        `coordinator listening on ${coordinator.url} for ${coordinator.barrier.settings.shards} shards (run ${coordinator.run.slice(0, 12)})`,
      );
      try {
        const report = await coordinator.finished;
        const { result } = report;
        const c = result.coordinated;
        console.log(
          `merged ${c?.shards.length ?? 0} shards: ${result.totals.sent} sent, ${result.totals.settled} settled, ${result.totals.mismatched} mismatched, ${result.totals.lost} lost -> ${report.dir}`,
        );
        if (c !== undefined)
          console.log(
            `  start spread bound +-${(c.startSpreadBoundMs / 2).toFixed(1)} ms, worst clock skew ${c.worstClockSkewMs.toFixed(1)} ms, collection ${(c.collectMs / 1000).toFixed(1)} s, merge ${c.mergeMs} ms`,
          );
        for (const line of thresholdLines(result.thresholds ?? [])) console.log(`  ${line}`);
        if (interrupts.exitCode() !== null) return interrupts.exitCode()!;
        return report.verdict === 'failed'
          ? EXIT.failed
          : report.verdict === 'thresholds'
            ? EXIT.thresholds
            : EXIT.ok;
      } catch (error) {
        if (interrupts.exitCode() !== null) {
          console.error(`ecny-bench coordinate: ${(error as Error).message}`);
          return interrupts.exitCode()!;
        }
        console.error(`  shards' uploads kept in ${coordinator.staging}`);
        throw error;
      } finally {
        await coordinator.close();
      }
    } finally {
      interrupts.dispose();
    }
  },
};
