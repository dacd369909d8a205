/**
 * The scale-out analysis (`capacity --store postgres --nodes ...`): node ramps judged like any
 * ramp, the curve fitted over node counts, the bound read from the CPU at the elbows, the
 * projections by nodes and by the database's cost per payment, and what result.json keeps of it
 * for the scale-out chart.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  analyzeCapacity,
  analyzeScaleOut,
  capacityStepEntries,
  capacitySummaryLines,
  type MeasuredRampStep,
  nodeSettings,
  type RampRecord,
  type StepCpu,
  scaleOutBound,
} from '../../../capacity/analysis/index.js';
import { hasScaleOut } from '../../../charts/builders/index.js';
import type { RunResult } from '../../../result-format/index.js';

/** CPU of one 10 s step: `cores` busy in all, split engine / database / load, `settled` paid. */
function cpu(cores: number, settled: number, db: number | null = cores * 0.3): StepCpu {
  return {
    engineS: (cores - (db ?? 0) - 0.2) * 10,
    databaseS: db === null ? null : db * 10,
    loadS: 2,
    wallS: 10,
    settled,
  };
}

/** A node ramp that keeps up to `capacity` tx/s, then collapses; the elbow step's CPU given. */
function nodeRamp(nodes: number, capacity: number, elbowCpu: StepCpu | undefined): RampRecord {
  const rates = [capacity / 2, capacity, capacity * 1.5, capacity * 2];
  const steps: MeasuredRampStep[] = rates.map((offered, i) => {
    const over = offered > capacity;
    const achieved = over ? capacity : offered;
    return {
      offered,
      achieved,
      settled: achieved,
      p99Ms: over ? 900 : 10 + nodes,
      p50Ms: 3,
      errorRate: 0,
      offeredMeasured: offered,
      measuredS: 9,
      warmupS: 1,
      sent: offered * 10,
      dropped: over ? (offered - capacity) * 10 : 0,
      errors: 0,
      shed: 0,
      latencyExact: true,
      engineCores: null,
      tStart: i * 10,
      seconds: 10,
      ...(offered === capacity && elbowCpu !== undefined ? { cpu: elbowCpu } : {}),
    };
  });
  return {
    setting: { nodes, threads: 1, maxBatch: 256 },
    steps,
    stopped: '2 consecutive failing steps',
  };
}

describe('scale-out over engine nodes', () => {
  test('node settings: one ramp per distinct count, ascending, the cores shared out', () => {
    assert.deepEqual(nodeSettings([3, 1, 2, 3], undefined, 256, 2), [
      { nodes: 1, threads: 2, maxBatch: 256 },
      { nodes: 2, threads: 1, maxBatch: 256 },
      { nodes: 3, threads: 1, maxBatch: 256 },
    ]);
    assert.deepEqual(nodeSettings([2], 4, 64, 2), [{ nodes: 2, threads: 4, maxBatch: 64 }]);
    assert.throws(() => nodeSettings([0], undefined, 256, 2), RangeError);
  });

  test('the bound: CPU when the machine is (nearly) all busy at the largest elbow, else latency', () => {
    const busy = scaleOutBound(
      [{ nodes: 2, elbowSettledTps: 900, p99Ms: 20, cpu: cpu(1.9, 9000) }],
      2,
    );
    assert.equal(busy.kind, 'cpu');
    assert.match(busy.text, /1\.9 of 2 cores busy at the 2-node elbow/);
    const idle = scaleOutBound(
      [{ nodes: 3, elbowSettledTps: 900, p99Ms: 20, cpu: cpu(0.8, 9000) }],
      2,
    );
    assert.equal(idle.kind, 'latency');
    // On a shared machine other jobs' CPU counts: the cores were busy, if not with this run.
    const starved = scaleOutBound(
      [{ nodes: 3, elbowSettledTps: 50, p99Ms: 20, cpu: { ...cpu(0.5, 500), machineS: 19 } }],
      2,
    );
    assert.equal(starved.kind, 'cpu');
    assert.match(starved.text, /1\.9 of 2 cores busy .*other processes 1\.4 cores/);
    assert.equal(
      scaleOutBound([{ nodes: 1, elbowSettledTps: 9, p99Ms: 1, cpu: null }], 2).kind,
      'unknown',
    );
  });

  test('projections: nodes from the fit over node counts, the database from its cost per payment', () => {
    const a = analyzeScaleOut({
      points: [
        { nodes: 1, elbowSettledTps: 1000, p99Ms: 10, cpu: cpu(1.9, 10_000, 0.5) },
        { nodes: 2, elbowSettledTps: 1900, p99Ms: 12, cpu: cpu(1.95, 19_000, 0.6) },
        { nodes: 3, elbowSettledTps: 2700, p99Ms: 15, cpu: cpu(1.97, 27_000, 0.7) },
      ],
      targetTps: 300_000,
      headroom: 0.7,
      coresPerMachine: 16,
      machineCores: 2,
    });
    assert.ok(a.fit !== null);
    assert.ok(Math.abs(a.fit.lambda - 1000) / 1000 < 0.1, `lambda ${a.fit.lambda}`);
    assert.ok(a.nodes !== null);
    // Linear: 300,000 / 0.7 / lambda nodes; the fit's losses can only add nodes (or cap them).
    assert.ok(
      a.nodes.linearNodes >= 400 && a.nodes.linearNodes <= 480,
      String(a.nodes.linearNodes),
    );
    assert.ok(a.nodes.uslNodes === null || a.nodes.uslNodes >= a.nodes.linearNodes);
    // Database: the best elbow's PostgreSQL CPU per payment, 7 s / 27,000 = 259 us.
    assert.ok(a.database !== null);
    assert.ok(Math.abs(a.database.microsPerTx - 7e6 / 27_000) < 1e-6);
    assert.equal(a.database.cores, Math.ceil((300_000 * a.database.microsPerTx) / 1e6 / 0.7));
    assert.equal(a.database.machines, Math.ceil(a.database.cores / 16));
    assert.equal(a.bound.kind, 'cpu');
  });

  test('no database figure from an external server, and no fit from one node count', () => {
    const a = analyzeScaleOut({
      points: [{ nodes: 2, elbowSettledTps: 500, p99Ms: 9, cpu: cpu(1, 5000, null) }],
      targetTps: 300_000,
      headroom: 0.7,
      coresPerMachine: 16,
      machineCores: 2,
    });
    assert.equal(a.fit, null);
    assert.equal(a.nodes, null);
    assert.equal(a.database, null);
    assert.match(a.notes.join(' '), /not measured \(an external server\)/);
  });

  test('a capacity analysis of node ramps carries the scale-out; result.json keeps it for the chart', () => {
    const ramps = [
      nodeRamp(1, 400, cpu(1.9, 4000)),
      nodeRamp(2, 600, cpu(1.95, 6000)),
      nodeRamp(3, 650, cpu(1.97, 6500)),
    ];
    const analysis = analyzeCapacity({
      ramps,
      criteria: { sloP99Ms: 50 },
      coresPerMachine: 2,
      headroom: 0.7,
      machine: 'test machine',
      machineCores: 2,
      assumptions: { signatureSuite: 'Ed25519', backend: 'native' },
    });
    // Node ramps have no USL over threads (that is one engine's); the per-thread projection
    // counts every node's threads.
    assert.deepEqual(analysis.usl, []);
    assert.equal(analysis.best?.setting.nodes, 3);
    assert.equal(analysis.best?.perCoreTps, 650 / 3);
    assert.ok(analysis.scaleOut !== null);
    assert.deepEqual(
      analysis.scaleOut.points.map((p) => [p.nodes, p.elbowSettledTps]),
      [
        [1, 400],
        [2, 600],
        [3, 650],
      ],
    );
    const text = capacitySummaryLines(analysis).join('\n');
    assert.match(text, /Scale-out \(elbow by engine nodes on one database\)/);
    assert.match(text, /Engine nodes: /);
    assert.match(text, /Database tier: /);
    assert.match(text, /nodes=2, threads=1, max batch=256/);

    const entries = capacityStepEntries(analysis, ramps);
    const scaleOut = entries.find((e) => e.kind === 'scale-out');
    assert.ok(scaleOut !== undefined && scaleOut.kind === 'scale-out');
    assert.equal(scaleOut.points.length, 3);
    assert.equal(scaleOut.boundKind, 'cpu');
    assert.ok(entries.filter((e) => e.kind === 'step').every((e) => 'nodes' in e));

    const result = {
      kind: 'capacity',
      steps: entries as unknown as RunResult['steps'],
    } as unknown as RunResult;
    assert.equal(hasScaleOut(result), true);
    assert.equal(hasScaleOut({ ...result, steps: [] } as unknown as RunResult), false);
  });

  test('memory-store ramps have no scale-out', () => {
    const r = nodeRamp(1, 400, undefined);
    const analysis = analyzeCapacity({
      ramps: [{ ...r, setting: { threads: 1, maxBatch: 256 } }],
      criteria: { sloP99Ms: 50 },
      coresPerMachine: 2,
      headroom: 0.7,
      machine: 'test machine',
      assumptions: { signatureSuite: 'Ed25519', backend: 'native' },
    });
    assert.equal(analysis.scaleOut, null);
  });
});
