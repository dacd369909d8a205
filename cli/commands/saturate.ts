import { watchInterrupts } from '../../lifecycle/index.js';
import { saturateScenario } from '../../runner/index.js';
import { SCENARIOS } from '../../scenarios/catalog/index.js';
import type { Scale } from '../../scenarios/model/index.js';
import { type Command, int, num, parse, UsageError } from './args.js';

const USAGE = `usage: ecny-bench saturate <scenario> [--scale small|city|national] [--seed S] [--duration 10]
  [--connections 16] [--pipelining 1] [--target URL] [--backend native|noble] [--threads N] [--out results]
Closed loop with autocannon over the scenario's independent valid operations: the engine's
maximum throughput. Latency is service time from the actual send (see docs/driver.md).`;

export const saturateCommand: Command = {
  name: 'saturate',
  summary: "closed-loop maximum throughput (autocannon) over a scenario's operations",
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        scale: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        pipelining: { type: 'string' },
        target: { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string' },
      },
      USAGE,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const name = positionals[0] ?? 'xiongan-retail';
    if (positionals.length > 1) throw new UsageError(`one scenario, got ${positionals.join(', ')}`);
    if (!SCENARIOS.has(name)) throw new UsageError(`unknown scenario "${name}"\n${USAGE}`);
    const engineArgs: string[] = [];
    if (values.backend) engineArgs.push('--backend', values.backend);
    if (values.threads) engineArgs.push('--threads', String(int('threads', values.threads, 1, 1)));
    // autocannon cannot stop in order: a signal stops everything at once (lifecycle/).
    const interrupts = watchInterrupts({ orderly: false });
    const { result, saturation, dir } = await saturateScenario({
      scenario: name,
      scenarioOptions: {
        scale: (values.scale ?? 'small') as Scale,
        ...(values.seed ? { seed: values.seed } : {}),
      },
      ...(values.target ? { target: values.target } : {}),
      engineArgs,
      load: {
        connections: int('connections', values.connections, 16, 1),
        pipelining: int('pipelining', values.pipelining, 1, 1),
        durationS: num('duration', values.duration, 10, 1),
      },
      outDir: values.out ?? 'results',
      charts: true,
      log: (l) => console.log(l),
    }).finally(() => interrupts.dispose());
    const l = saturation.latency;
    console.log(
      `${name}: max ${saturation.maxThroughput.toFixed(0)} answers/s, ${saturation.settledPerSecond.toFixed(0)} settled/s; ` +
        `service time p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms; overloaded ${saturation.overloaded}; ` +
        `outcome ${result.outcome.passed ? 'PASS' : 'FAIL'}; results in ${dir}/`,
    );
    return result.outcome.passed ? 0 : 1;
  },
};
