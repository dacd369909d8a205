/**
 * CPU (and memory) of a process tree from /proc (Linux): the PostgreSQL server's cost is the
 * postmaster plus every process under it (backends, WAL writer, checkpointer, ...). Read twice
 * and subtract.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU in clock ticks (USER_HZ: 100 per second on mainstream kernels). */
const TICK_SECONDS = 0.01;

interface Stat {
  readonly ppid: number;
  /** utime + stime + cutime + cstime, ticks: own CPU and that of reaped children. */
  readonly ticks: number;
  /** utime + cutime and stime + cstime, ticks. */
  readonly userTicks: number;
  readonly systemTicks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(f[11]) + Number(f[13]);
    const systemTicks = Number(f[12]) + Number(f[14]);
    return { ppid: Number(f[1]), ticks: userTicks + systemTicks, userTicks, systemTicks };
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

/**
 * A process tree's CPU (cumulative, ms; exited children inside their parent once reaped) and
 * memory now: each process's own resident memory (`RssAnon` + `RssFile` of /proc/<pid>/status)
 * plus the shared memory once (the largest `RssShmem` of any of them: PostgreSQL's shared
 * buffers, mapped by every backend), not once per backend. Cheap enough for once a second: the
 * tree is walked through /proc/<pid>/task/<pid>/children, not by scanning every process (falling
 * back to that where the kernel lacks the file), and PSS (smaps_rollup, milliseconds per
 * PostgreSQL process) is not read. Null when `root` is gone.
 */
export function treeUsage(
  root: number,
): { userMs: number; systemMs: number; rssBytes: number; processes: number } | null {
  const tree = childrenTree(root) ?? processTree(root);
  if (tree.size === 0) return null;
  let user = 0;
  let system = 0;
  let own = 0;
  let shared = 0;
  for (const pid of tree) {
    const s = readStat(pid);
    if (s === null) continue;
    user += s.userTicks;
    system += s.systemTicks;
    const m = memoryOf(pid);
    own += m.own;
    shared = Math.max(shared, m.shared);
  }
  const ms = TICK_SECONDS * 1000;
  return { userMs: user * ms, systemMs: system * ms, rssBytes: own + shared, processes: tree.size };
}

/** `root` and its descendants through the kernel's children lists; null where they are absent. */
function childrenTree(root: number): Set<number> | null {
  const tree = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (tree.has(pid)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    } catch (error) {
      if (pid === root && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        // No such process, or a kernel without the children file: tell them apart.
        return readStat(root) === null ? new Set() : null;
      }
      continue; // a child gone since its parent listed it
    }
    tree.add(pid);
    for (const c of text.trim().split(' ')) if (c !== '') stack.push(Number(c));
  }
  return tree;
}

function memoryOf(pid: number): { own: number; shared: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => {
      const at = text.indexOf(field);
      return at === -1 ? 0 : Number.parseInt(text.slice(at + field.length), 10) * 1024 || 0;
    };
    return { own: kb('RssAnon:') + kb('RssFile:'), shared: kb('RssShmem:') };
  } catch {
    return { own: 0, shared: 0 };
  }
}
