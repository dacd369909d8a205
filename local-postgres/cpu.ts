/**
 * CPU of a process tree from /proc (Linux): the PostgreSQL server's cost is the postmaster plus
 * every process under it (backends, WAL writer, checkpointer, ...). Read twice and subtract.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU in clock ticks (USER_HZ: 100 per second on mainstream kernels). */
const TICK_SECONDS = 0.01;

interface Stat {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, ticks: own CPU and that of reaped children. */
  readonly ticks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null;
  }
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (s) stats.set(pid, s);
  }
  return stats;
}

/** `root` and all its descendants that exist now. */
export function processTree(root: number, stats = allStats()): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const tree = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (tree.has(pid) || !stats.has(pid)) continue;
    tree.add(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return tree;
}

/**
 * CPU seconds used so far by `root`'s process tree, exited children included (a parent's
 * cutime/cstime holds its reaped children). Difference two readings to time a region; a child
 * that exits between the readings is counted once, in its parent, once reaped.
 */
export function treeCpuSeconds(root: number): number {
  const stats = allStats();
  let ticks = 0;
  for (const pid of processTree(root, stats)) ticks += stats.get(pid)!.ticks;
  return ticks * TICK_SECONDS;
}

/**
 * CPU seconds every process on the machine has used since boot, summed over cores (/proc/stat:
 * all time but idle and iowait). Difference two readings: over a region on a shared machine it
 * says how busy the cores were, whoever used them.
 */
export function machineCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is inside user already)
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
    return busy * TICK_SECONDS;
  } catch {
    return Number.NaN;
  }
}
