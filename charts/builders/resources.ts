/**
 * The processes of a run, per second, from `result.resources`: CPU of the engine by thread (main,
 * each verification worker, the rest), of each load generator and of the whole machine, in percent
 * of one core; and each process's memory, event-loop delay and GC pauses.
 */
import type { ProcessResources, ResourceSample, RunResult } from '../../result-format/index.js';
import { runColour, SERIES } from '../palette.js';
import {
  DASH,
  LINE,
  lastSecond,
  linearAxis,
  lineChart,
  lineSeries,
  runSubtitle,
  timeAxis,
} from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, Point } from '../types.js';

export const RESOURCES_CPU_ID = 'resources-cpu';
export const RESOURCES_RUNTIME_ID = 'resources-runtime';

/** Colours of the engine's threads; processes other than the engine take run colours. */
const THREAD_COLOURS: Readonly<Record<string, string>> = {
  main: '#d95f0e',
  other: '#6b6b6b',
};

export function hasResources(result: RunResult): boolean {
  return (result.resources?.processes.length ?? 0) > 0;
}

function points(p: ProcessResources, f: (s: ResourceSample) => number | undefined): Point[] {
  return p.samples.map((s) => {
    const v = f(s);
    return { x: s.t, y: v === undefined || !Number.isFinite(v) ? null : v };
  });
}

const cpu = (s: ResourceSample) => s.cpuUserPercent + s.cpuSystemPercent;

/** CPU per process and per engine thread, percent of one core (100 = one core busy). */
export function buildResourcesCpuChart(result: RunResult): ChartConfig {
  const r = result.resources!;
  const datasets: ChartDatasetConfig[] = [];
  const engine = r.processes.find((p) => p.process === 'engine');
  if (engine !== undefined) {
    datasets.push(lineSeries('engine (all threads)', SERIES.achieved, points(engine, cpu)));
    const threads = [...new Set(engine.samples.flatMap((s) => Object.keys(s.threads ?? {})))];
    threads.forEach((name, i) => {
      const colour =
        THREAD_COLOURS[name] ?? (name.startsWith('verify') ? SERIES.verify : runColour(i));
      datasets.push(
        lineSeries(
          `engine ${name} thread${name === 'other' ? 's (I/O, GC)' : ''}`,
          colour,
          points(engine, (s) => {
            const t = s.threads?.[name];
            return t === undefined ? undefined : t.userPercent + t.systemPercent;
          }),
          { width: LINE.minor, ...(name.startsWith('verify-') && i > 1 ? { dash: DASH.p50 } : {}) },
        ),
      );
    });
  }
  r.processes
    .filter((p) => p.process !== 'engine')
    .forEach((p, i) => {
      datasets.push(lineSeries(p.process, runColour(i + 2), points(p, cpu), { width: LINE.minor }));
    });
  if (r.machine !== undefined) {
    datasets.push(
      lineSeries(
        `machine (${r.machine.cores} cores = ${r.machine.cores * 100}%)`,
        SERIES.offered,
        r.machine.samples.map((s) => ({ x: s.t, y: s.cpuUserPercent + s.cpuSystemPercent })),
        { dash: DASH.offered },
      ),
    );
  }
  return lineChart(
    'CPU per process and engine thread',
    runSubtitle(result),
    { x: timeAxis(lastSecond(result)), y: linearAxis('CPU', '% of one core') },
    datasets,
  );
}

/** Memory (top) and pauses (bottom): RSS per process; event-loop delay p99 and GC pause time. */
export function buildResourcesRuntimeChart(result: RunResult): ChartConfig {
  const r = result.resources!;
  const datasets: ChartDatasetConfig[] = [];
  r.processes.forEach((p, i) => {
    const colour = p.process === 'engine' ? SERIES.achieved : runColour(i + 1);
    datasets.push(
      lineSeries(
        `${p.process} RSS`,
        colour,
        points(p, (s) => s.rssMiB),
        { yAxisID: 'yMemory' },
      ),
      lineSeries(
        `${p.process} event-loop delay p99`,
        colour,
        points(p, (s) => s.eventLoopDelayP99Ms),
        {
          yAxisID: 'yPause',
          width: LINE.minor,
        },
      ),
      lineSeries(
        `${p.process} GC pause`,
        colour,
        points(p, (s) => s.gcPauseMs),
        {
          yAxisID: 'yPause',
          width: LINE.minor,
          dash: DASH.p50,
        },
      ),
    );
  });
  return lineChart(
    'Memory, event-loop delay and GC pauses per process',
    runSubtitle(result),
    {
      x: timeAxis(lastSecond(result)),
      yPause: linearAxis('delay p99, GC pause', 'ms', { stack: 'panels', weight: 1 }),
      yMemory: { ...linearAxis('RSS', 'MiB', { stack: 'panels', weight: 1 }), offset: true },
    },
    datasets,
  );
}
