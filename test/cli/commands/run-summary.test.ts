/** The resources line of a run's summary: what bounded the run, and a driver that was the limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourcesNote } from '../../../cli/commands/run-summary.js';
import type { ResourceSample, RunResult } from '../../../result-format/index.js';

function sample(cpu: number): ResourceSample {
  return {
    t: 1,
    cpuUserPercent: cpu,
    cpuSystemPercent: 0,
    rssMiB: 1,
    heapUsedMiB: 1,
    gcPauseMs: 0,
    eventLoopDelayP99Ms: 0,
    eventLoopUtilization: 0.5,
  };
}

const withResources = (generatorCpu: number) =>
  ({
    resources: {
      processes: [
        {
          process: 'engine',
          samples: [
            {
              ...sample(150),
              threads: {
                main: { userPercent: 60, systemPercent: 0 },
                'verify-1': { userPercent: 50, systemPercent: 0 },
              },
            },
          ],
        },
        { process: 'generator-1', samples: [sample(generatorCpu)] },
      ],
    },
  }) as unknown as RunResult;

test('a saturated generator is named as the limit of the run', () => {
  assert.equal(
    resourcesNote(withResources(96)),
    'bound by load generator-1 (96%): this run measured the load generator, not the engine ' +
      '(mean use: load generator-1 96%, the main thread 60%, the verification pool 50%)',
  );
});

test('no saturation: the busiest resource; no figures: no line', () => {
  assert.match(
    resourcesNote(withResources(20)) ?? '',
    /^no resource saturated \(busiest: the main thread, 60%\)/,
  );
  assert.equal(resourcesNote({} as RunResult), null);
});
