/**
 * `ecny-bench gate`: flags -> gate/run.ts. The baseline is read and checked BEFORE any trial
 * runs, so a missing or garbled file costs nothing but the error message.
 */
import { resolve } from 'node:path';
import {
  DEFAULT_GATE_BASELINE,
  DEFAULT_GATE_TRIALS,
  MIN_TRIALS,
  runGate,
} from '../../gate/index.js';
import { appendGateToHistory } from '../../history/index.js';
import { watchInterrupts } from '../../lifecycle/index.js';
import { type Command, env, int, parse } from './args.js';

const USAGE = `usage: ecny-bench gate [--baseline ${DEFAULT_GATE_BASELINE}] [--trials ${DEFAULT_GATE_TRIALS}]
  [--update-baseline] [--json out.json] [--history FILE] [--extra-work N]
Runs the trials in this process, each measuring in the same few seconds:
  efficiency = engine settled tx/s / (pure native verifications/s per core x cores)  (higher is better)
  cpuRatio   = engine CPU us per settled tx / CPU us per pure verification        (lower is better)
and judges them against the baseline's trials (docs/gate.md).
  --update-baseline  write the trials as the new baseline (nothing is judged or committed)
  --json FILE        also write the verdict, the trials and their raw figures as JSON
  --history FILE     append the medians and the verdict to a JSON Lines history (ecny-bench history)
  --extra-work N     TEST ONLY: N extra SHA-256 rounds per signature in the engine's workers
                     (not in the calibration), to prove the gate catches a slowdown
Exit code 0 pass (or baseline written), 1 regression, 2 unusable input (missing or garbled
baseline, fewer than ${MIN_TRIALS} trials), 130/143 interrupted (no verdict). The Markdown verdict is appended to $GITHUB_STEP_SUMMARY when set.`;

const FLAGS = {
  baseline: { type: 'string' },
  trials: { type: 'string' },
  'update-baseline': { type: 'boolean' },
  json: { type: 'string' },
  history: { type: 'string' },
  'extra-work': { type: 'string' },
} as const;

/** Flags -> options -> the gate run; the exit code (0 pass, 1 regression, 2 unusable). */
export async function gateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, FLAGS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const flag = (n: keyof typeof FLAGS) => (values[n] as string | undefined) ?? env(n);
  const jsonPath = flag('json');
  const history = flag('history');
  const interrupts = watchInterrupts();
  try {
    return await runGate({
      baselinePath: resolve(flag('baseline') ?? DEFAULT_GATE_BASELINE),
      trials: int('trials', flag('trials'), DEFAULT_GATE_TRIALS, 1),
      extraWork: int('extra-work', flag('extra-work'), 0, 0),
      update: values['update-baseline'] === true,
      ...(jsonPath === undefined ? {} : { jsonPath }),
      signal: interrupts.signal,
      ...(history === undefined
        ? {}
        : {
            onReport: async (report) => {
              if (await appendGateToHistory(history, report))
                console.error(`gate: appended to the history ${history}`);
            },
          }),
    });
  } finally {
    interrupts.dispose();
  }
}

export const gate: Command = {
  name: 'gate',
  summary: 'CI performance gate: same-run ratios vs a committed baseline (exit 1 on regression)',
  run: gateCommand,
};
