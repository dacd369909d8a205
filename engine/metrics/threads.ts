/**
 * CPU of the engine's threads by role, from Linux /proc/self/task/<tid>/stat: the main thread
 * (HTTP, decode, registry, journal writes), each verification worker, and the rest of the process
 * (libuv's threads doing the journal's write and fdatasync, V8's GC and compiler helpers, threads
 * gone since start). Node 20 names none of its threads, so the workers are known by the ids they
 * report (engine/verify-pool) and the main thread is the process id.
 */
import { readFileSync } from 'node:fs';

/** Cumulative CPU time, ms. */
export interface CpuTimes {
  readonly userMs: number;
  readonly systemMs: number;
}

export interface ThreadCpu {
  readonly main: CpuTimes;
  /** One per live verification worker, by OS thread id. */
  readonly verify: ReadonlyArray<CpuTimes & { readonly tid: number }>;
  /** The process less the main thread and the live workers. */
  readonly other: CpuTimes;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

function taskTimes(tid: number): CpuTimes | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    // After the parenthesised command name: utime and stime are fields 14 and 15 of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { userMs: Number(fields[11]) * TICK_MS, systemMs: Number(fields[12]) * TICK_MS };
  } catch {
    return null;
  }
}

/** This process's threads by role now, or null where /proc is not there (not Linux). */
export function readThreadCpu(verifyTids: Iterable<number>): ThreadCpu | null {
  const main = taskTimes(process.pid);
  if (main === null) return null;
  const verify: Array<CpuTimes & { tid: number }> = [];
  for (const tid of verifyTids) {
    const times = taskTimes(tid);
    if (times !== null) verify.push({ tid, ...times });
  }
  const total = process.cpuUsage();
  const known = (key: keyof CpuTimes) => main[key] + verify.reduce((sum, v) => sum + v[key], 0);
  return {
    main,
    verify,
    other: {
      // process.cpuUsage is exact (µs); the tasks' ticks are 10 ms: never below zero.
      userMs: Math.max(0, total.user / 1000 - known('userMs')),
      systemMs: Math.max(0, total.system / 1000 - known('systemMs')),
    },
  };
}
