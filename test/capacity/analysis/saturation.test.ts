/** Naming the resource that bounds a capacity step from its resource series (pure). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeSaturation, findSaturation } from '../../../capacity/analysis/index.js';
import type { ResourceSample, RunResources } from '../../../result-format/index.js';

function engineSample(t: number, main: number, verify: readonly number[]): ResourceSample {
  const threads: Record<string, { userPercent: number; systemPercent: number }> = {
    main: { userPercent: main - 10, systemPercent: 10 },
    other: { userPercent: 5, systemPercent: 1 },
  };
  verify.forEach((v, i) => {
    threads[`verify-${i + 1}`] = { userPercent: v, systemPercent: 0 };
  });
  return {
    t,
    cpuUserPercent: main + verify.reduce((a, b) => a + b, 0),
    cpuSystemPercent: 0,
    rssMiB: 100,
    heapUsedMiB: 50,
    gcPauseMs: 1,
    eventLoopDelayP99Ms: 2,
    eventLoopUtilization: main / 100,
    threads,
  };
}

function generatorSample(t: number, cpu: number): ResourceSample {
  return {
    t,
    cpuUserPercent: cpu,
    cpuSystemPercent: 0,
    rssMiB: 80,
    heapUsedMiB: 40,
    gcPauseMs: 0,
    eventLoopDelayP99Ms: 1,
    eventLoopUtilization: cpu / 100,
  };
}

function resources(
  engine: ResourceSample[],
  generator: ResourceSample[],
  machineBusy: number,
): RunResources {
  return {
    processes: [
      { process: 'engine', samples: engine },
      { process: 'generator-1', samples: generator },
    ],
    machine: {
      cores: 2,
      samples: engine.map((s) => ({ t: s.t, cpuUserPercent: machineBusy, cpuSystemPercent: 0 })),
    },
  };
}

const all = () => true;

describe('findSaturation', () => {
  test('a main thread near a full core bounds the step', () => {
    const r = resources(
      [engineSample(0, 97, [40, 42]), engineSample(1, 95, [44, 40])],
      [generatorSample(0, 30), generatorSample(1, 30)],
      140,
    );
    const s = findSaturation(r, all);
    assert.equal(s.bound?.resource, 'the main thread');
    assert.ok(Math.abs(s.bound.utilization - 0.96) < 1e-9);
    assert.equal(describeSaturation(s), 'bound by the main thread (96%)');
  });

  test('only the seconds kept count, and the most used saturated resource wins', () => {
    const r = resources(
      [engineSample(0, 99, [10, 10]), engineSample(5, 60, [92, 94]), engineSample(6, 60, [90, 96])],
      [generatorSample(0, 10), generatorSample(5, 10), generatorSample(6, 10)],
      190,
    );
    // The machine (190% of 200%) outranks the pool (93%): the processes compete for cores.
    const s = findSaturation(r, (t) => t >= 5);
    assert.equal(s.bound?.resource, "the machine's 2 cores");
    assert.deepEqual(
      s.uses.map((u) => u.resource),
      ["the machine's 2 cores", 'the verification pool', 'the main thread', 'load generator-1'],
    );
  });

  test('a busy generator is named: the run measured the driver', () => {
    const r = resources([engineSample(0, 40, [30, 30])], [generatorSample(0, 98)], 150);
    assert.equal(findSaturation(r, all).bound?.resource, 'load generator-1');
  });

  test('nothing at the threshold: no bound, the busiest named as such', () => {
    const r = resources([engineSample(0, 50, [60, 62])], [generatorSample(0, 20)], 120);
    const s = findSaturation(r, all);
    assert.equal(s.bound, null);
    assert.equal(
      describeSaturation(s),
      'no resource saturated (busiest: the verification pool, 61%)',
    );
  });

  test('without per-thread figures the event-loop utilisation stands for the main thread', () => {
    const { threads: _, ...sample } = engineSample(0, 90, []);
    const s = findSaturation({ processes: [{ process: 'engine', samples: [sample] }] }, all);
    assert.equal(s.bound?.resource, 'the main thread');
    assert.equal(findSaturation(undefined, all).uses.length, 0);
  });

  test("engine nodes are candidates each, named by node; the busiest node's thread bounds", () => {
    const s = findSaturation(
      {
        processes: [
          { process: 'engine-1', samples: [engineSample(0, 60, [50])] },
          { process: 'engine-2', samples: [engineSample(0, 93, [40])] },
        ],
      },
      all,
    );
    assert.equal(s.bound?.resource, "engine-2's main thread");
    assert.deepEqual(
      s.uses.map((u) => u.resource),
      [
        "engine-2's main thread",
        "engine-1's main thread",
        "engine-1's verification pool",
        "engine-2's verification pool",
      ],
    );
  });

  test('PostgreSQL sampled: its cores named beside the bound, and the bound when it fills the machine', () => {
    const withDatabase = (dbCpu: number, machineBusy: number): RunResources => {
      const r = resources([engineSample(0, 50, [40])], [generatorSample(0, 10)], machineBusy);
      const db = { t: 0, cpuUserPercent: dbCpu - 10, cpuSystemPercent: 10, rssMiB: 300 };
      return { ...r, processes: [...r.processes, { process: 'postgres', samples: [db] }] };
    };
    const shared = findSaturation(withDatabase(62, 190), all);
    assert.equal(shared.bound?.resource, "the machine's 2 cores");
    assert.equal(shared.databaseCores, 0.62);
    assert.equal(
      describeSaturation(shared),
      "bound by the machine's 2 cores (95%); PostgreSQL 0.62 cores",
    );
    const filled = findSaturation(withDatabase(180, 198), all);
    assert.equal(filled.bound?.resource, "PostgreSQL (of the machine's 2 cores)");
    assert.equal(
      describeSaturation(filled),
      "bound by PostgreSQL (of the machine's 2 cores) (90%)",
    );
    assert.equal(
      findSaturation(resources([engineSample(0, 50, [40])], [], 100), all).databaseCores,
      null,
    );
  });
});
