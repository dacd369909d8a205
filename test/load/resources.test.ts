/** Per-process resource series from cumulative readings (load/resources.ts) and their CSV. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuntimeSnapshot, ThreadCpu } from '../../engine/metrics/index.js';
import { ResourceTrack } from '../../load/resources.js';
import { formatResourcesCsv } from '../../result-format/index.js';

function snapshot(cpuUserMs: number, cpuSystemMs: number, gcPauseMs: number): RuntimeSnapshot {
  return {
    eventLoopDelayMs: { p50: 1, p99: 3.5, max: 9 },
    eventLoopUtilization: 0.42,
    mainThreadBusyMs: 0,
    gc: { count: 3, pauseMs: gcPauseMs },
    cpu: { userMs: cpuUserMs, systemMs: cpuSystemMs },
    rssBytes: 200 * 1024 * 1024,
    heapUsedBytes: 64 * 1024 * 1024,
    heapTotalBytes: 96 * 1024 * 1024,
  };
}

function threads(main: number, verify: ReadonlyArray<readonly [number, number]>): ThreadCpu {
  return {
    main: { userMs: main, systemMs: 0 },
    verify: verify.map(([tid, ms]) => ({ tid, userMs: ms, systemMs: 0 })),
    other: { userMs: 10, systemMs: 5 },
  };
}

describe('ResourceTrack', () => {
  test('per-second samples are differences of cumulative readings over their interval', () => {
    const track = new ResourceTrack();
    track.add(0, 10_000, {
      runtime: snapshot(1_000, 200, 5),
      threads: threads(500, [
        [12, 100],
        [11, 100],
      ]),
    });
    track.add(1, 12_000, {
      runtime: snapshot(2_600, 400, 9),
      threads: threads(1_300, [
        [11, 900],
        [12, 700],
      ]),
    });
    const [s, ...rest] = track.samples();
    assert.equal(rest.length, 0, 'the first reading only starts the series');
    assert.ok(s);
    assert.equal(s.t, 1);
    assert.equal(s.cpuUserPercent, 80); // 1,600 ms of CPU over 2,000 ms
    assert.equal(s.cpuSystemPercent, 10);
    assert.equal(s.gcPauseMs, 4);
    assert.equal(s.rssMiB, 200);
    assert.equal(s.eventLoopDelayP99Ms, 3.5);
    // Workers named by thread id order: tid 11 is verify-1.
    assert.deepEqual(s.threads, {
      main: { userPercent: 40, systemPercent: 0 },
      'verify-1': { userPercent: 40, systemPercent: 0 },
      'verify-2': { userPercent: 30, systemPercent: 0 },
      other: { userPercent: 0, systemPercent: 0 },
    });
    const csv = formatResourcesCsv({ processes: [{ process: 'engine', samples: [s] }] });
    const lines = csv.trim().split('\n');
    assert.equal(
      lines[0],
      't_s,process,thread,cpu_user_percent,cpu_system_percent,rss_mib,heap_used_mib,gc_pause_ms,event_loop_delay_p99_ms,event_loop_utilization_percent',
    );
    assert.equal(lines[1], '1,engine,,80,10,200,64,4,3.5,42');
    assert.equal(lines[2], '1,engine,main,40,0');
    assert.equal(lines.length, 6);
  });
});
