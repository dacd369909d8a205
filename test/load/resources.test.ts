/** Per-process resource series from cumulative readings (load/resources.ts) and their CSV. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuntimeSnapshot, ThreadCpu } from '../../engine/metrics/index.js';
import { StatsPoller } from '../../load/engine-stats.js';
import { OsProcessTrack, ResourceTrack, type WatchedProcess } from '../../load/resources.js';
import { treeUsage } from '../../local-postgres/index.js';
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

describe('watched processes (PostgreSQL)', () => {
  test('CPU and memory only, by differences; the Node-only columns left empty in the CSV', () => {
    const track = new OsProcessTrack();
    const mib = 1024 * 1024;
    track.add(0, 1000, { userMs: 100, systemMs: 50, rssBytes: 100 * mib });
    track.add(1, 2000, { userMs: 700, systemMs: 250, rssBytes: 120 * mib });
    // A child exited before its parent reaped it: the tree's CPU steps back, counted as 0.
    track.add(2, 3000, { userMs: 650, systemMs: 300, rssBytes: 110 * mib });
    const samples = track.samples();
    assert.deepEqual(samples, [
      { t: 1, cpuUserPercent: 60, cpuSystemPercent: 20, rssMiB: 120 },
      { t: 2, cpuUserPercent: 0, cpuSystemPercent: 5, rssMiB: 110 },
    ]);
    const csv = formatResourcesCsv({ processes: [{ process: 'postgres', samples }] });
    assert.equal(csv.trim().split('\n')[1], '1,postgres,,60,20,120,,,,');
  });

  test('a process tree read from /proc: CPU, memory, null once gone', () => {
    const usage = treeUsage(process.pid);
    assert.ok(usage !== null && usage.processes >= 1);
    assert.ok(usage.userMs + usage.systemMs > 0 && usage.rssBytes > 0, JSON.stringify(usage));
    assert.equal(treeUsage(2 ** 22 + 1), null, 'beyond pid_max: no such process');
  });

  test('the stats poller reads each watched process on its beat', async () => {
    let reads = 0;
    const watched: WatchedProcess = {
      name: 'postgres',
      read: () => {
        reads++;
        return { userMs: reads * 100, systemMs: 0, rssBytes: 1024 * 1024 };
      },
    };
    // No engine answers here: the watched process is sampled all the same.
    const poller = new StatsPoller('http://127.0.0.1:9', Date.now() - 500, 400, [watched]);
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await poller.stop();
    assert.ok(reads >= 2, `${reads} reads`);
    const [[process, track]] = poller.watched as [[WatchedProcess, OsProcessTrack]];
    assert.equal(process.name, 'postgres');
    assert.ok(track.samples().length >= 1 && track.samples().every((s) => s.rssMiB === 1));
  });
});
