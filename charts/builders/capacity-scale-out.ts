/**
 * Capacity: scale-out over engine nodes sharing one database (`capacity --store postgres
 * --nodes 1,2,3`), the chart OpenCBDC publishes for its architectures: the settled rate at each
 * node count's elbow and that step's p99, with the USL fitted over the node counts and linear
 * scaling of one node for reference. The subtitle says which resource bounds the curve on the
 * machine it was measured on (the capacity run decides it from the CPU at the elbows).
 */
import { type UslParams, uslThroughput } from '../../capacity/analysis/index.js';
import type { RunResult } from '../../result-format/index.js';
import { runColour, SERIES, withAlpha } from '../palette.js';
import {
  DASH,
  LINE,
  latin,
  linearAxis,
  linearMsAxis,
  lineChart,
  lineSeries,
  runSubtitle,
} from '../theme.js';
import type { ChartConfig, ChartDatasetConfig, FormatterName, Point } from '../types.js';

/** Chart id (also the PNG file stem). */
export const CAPACITY_SCALE_OUT_ID = 'capacity-scale-out';

/** The "scale-out" entry of a capacity result, checked field by field. */
export interface ScaleOutEntry {
  readonly points: readonly {
    readonly nodes: number;
    readonly elbowSettled: number;
    readonly p99Ms: number | null;
  }[];
  readonly fit: (UslParams & { readonly trustworthy: boolean }) | null;
  readonly bound: string;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The result's "scale-out" entry, or null when it has none (or a malformed one). */
export function scaleOutEntry(result: RunResult): ScaleOutEntry | null {
  if (result.kind !== 'capacity') return null;
  const e = (result.steps ?? []).find((s) => s['kind'] === 'scale-out');
  if (e === undefined || !Array.isArray(e['points'])) return null;
  const points: ScaleOutEntry['points'][number][] = [];
  for (const p of e['points'] as unknown[]) {
    const r = p as Record<string, unknown>;
    if (!(num(r['nodes']) && num(r['elbowSettled']))) continue;
    points.push({
      nodes: r['nodes'],
      elbowSettled: r['elbowSettled'],
      p99Ms: num(r['p99Ms']) ? r['p99Ms'] : null,
    });
  }
  const f = e['fit'] as Record<string, unknown> | null | undefined;
  const fit =
    f && num(f['lambda']) && num(f['sigma']) && num(f['kappa'])
      ? {
          lambda: f['lambda'],
          sigma: f['sigma'],
          kappa: f['kappa'],
          trustworthy: f['trustworthy'] === true,
        }
      : null;
  const bound = typeof e['bound'] === 'string' ? e['bound'] : '';
  return points.length > 0 ? { points, fit, bound } : null;
}

/** Whether the chart applies: a capacity run with at least one node count's elbow. */
export function hasScaleOut(result: RunResult): boolean {
  return scaleOutEntry(result) !== null;
}

/** Elbow settled tx/s (left) and its p99 (right) against engine nodes, the USL, linear. */
export function buildCapacityScaleOutChart(result: RunResult): ChartConfig {
  const entry = scaleOutEntry(result)!;
  const pts = [...entry.points].sort((a, b) => a.nodes - b.nodes);
  const maxNodes = Math.max(1, ...pts.map((p) => p.nodes));
  const nEnd = Math.max(4, maxNodes + 1);
  const colour = runColour(0);
  const datasets: ChartDatasetConfig[] = [
    {
      type: 'line',
      label: latin('settled at the elbow'),
      data: pts.map((p) => ({ x: p.nodes, y: p.elbowSettled })),
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: LINE.main,
      pointStyle: 'circle',
      pointRadius: 5,
      pointHoverRadius: 6,
      fill: false,
      yAxisID: 'y',
    },
    {
      ...lineSeries(
        'p99 at the elbow',
        SERIES.slo,
        pts.map((p): Point => ({ x: p.nodes, y: p.p99Ms })),
        { yAxisID: 'p99', dash: DASH.p50 },
      ),
      pointStyle: 'rect',
      pointRadius: 4,
    },
  ];
  let top = Math.max(1, ...pts.map((p) => p.elbowSettled));
  const fit = entry.fit;
  if (fit !== null) {
    const curve: Point[] = [];
    const linear: Point[] = [];
    for (let k = 0; k <= 4 * (nEnd - 1); k++) {
      const n = 1 + k / 4;
      curve.push({ x: n, y: uslThroughput(fit, n) });
      linear.push({ x: n, y: fit.lambda * n });
    }
    top = Math.max(top, ...curve.map((p) => p.y ?? 0));
    const sig = (v: number) => Number(v.toPrecision(3)).toString();
    datasets.push(
      lineSeries(
        `USL over nodes (lambda=${sig(fit.lambda)}, sigma=${sig(fit.sigma)}, kappa=${sig(fit.kappa)}${fit.trustworthy ? '' : ', untrustworthy'})`,
        withAlpha(colour, 0.8),
        curve,
        fit.trustworthy ? {} : { dash: DASH.offered },
      ),
      lineSeries('linear: one node x N', withAlpha(colour, 0.4), linear, {
        dash: DASH.faint,
        width: LINE.minor,
      }),
    );
  }
  const p99Top = Math.max(1, ...pts.map((p) => p.p99Ms ?? 0)) * 1.2;
  const xAxis = linearAxis('engine nodes on one database', 'nodes');
  const config = lineChart(
    'Capacity: scale-out over engine nodes',
    runSubtitle(result),
    {
      x: {
        ...xAxis,
        min: 0,
        max: nEnd,
        ticks: { ...xAxis.ticks, maxTicksLimit: nEnd + 1, stepSize: 1 },
        ecny: { format: 'number' as FormatterName, unit: 'nodes' },
      },
      y: { ...linearAxis('settled at the elbow', 'tx/s'), min: 0, suggestedMax: top * 1.15 },
      p99: {
        ...linearMsAxis('p99 at the elbow', p99Top),
        position: 'right',
        grid: { drawOnChartArea: false },
      },
    },
    datasets,
  );
  // Two subtitle lines: the run, and what bounds the curve on this machine.
  const plugins = (config.options as { plugins: { subtitle: { text: unknown } } }).plugins;
  plugins.subtitle.text = [latin(runSubtitle(result)), latin(entry.bound)];
  return config;
}
