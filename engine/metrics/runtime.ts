/**
 * The engine process as a runtime: CPU, memory, garbage collection and how late its event loop
 * runs. Event-loop figures are those of the last whole second (a gauge of lifetime percentiles
 * would flatten every stall into the run's history); CPU, busy time and GC pauses are cumulative,
 * so a scraper takes rates.
 */
import {
  constants,
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { EngineMetrics } from './engine-metrics.js';
import type { HistogramSeries } from './prometheus.js';

/** The last whole second of the main thread, and cumulative GC. Times in ms. */
export interface RuntimeSnapshot {
  /** How late the event loop ran its timers over the last whole second (0s in the first). */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Share of the last whole second the main thread spent running JavaScript or I/O callbacks. */
  readonly eventLoopUtilization: number;
  /** Main-thread busy time since start (event-loop utilization's active time). */
  readonly mainThreadBusyMs: number;
  /** GC pauses since start: how many and how long in total. */
  readonly gc: { readonly count: number; readonly pauseMs: number };
  readonly cpu: { readonly userMs: number; readonly systemMs: number };
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
}

const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/**
 * The event-loop delay sampler's timer period, ms. Node records each period's full length (the
 * period plus how late the timer ran): the lateness is the recorded value less this.
 */
const DELAY_RESOLUTION_MS = 10;

/**
 * Starts sampling the runtime; with `metrics`, registers its gauges and counters there (the
 * engine), without, only `snapshot()` reads it (a load generator reporting on itself).
 */
export class RuntimeMetrics {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  readonly #timer: NodeJS.Timeout;
  readonly #gc: PerformanceObserver;
  readonly #gcSeries = new Map<string, HistogramSeries>();
  #gcCount = 0;
  #gcPauseMs = 0;
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  #window = { p50: 0, p99: 0, max: 0, utilization: 0 };

  constructor(metrics: EngineMetrics | null = null) {
    this.#delay.enable();
    this.#timer = setInterval(() => this.#rotate(), 1000);
    this.#timer.unref();
    this.#gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        // Node puts the GC kind in `detail` (PerformanceEntry's type in @types/node lacks it).
        const detail = (entry as { detail?: { kind?: number } | null }).detail;
        const kind = GC_KINDS.get(detail?.kind ?? -1) ?? 'other';
        if (metrics !== null) {
          let series = this.#gcSeries.get(kind);
          if (series === undefined) {
            series = metrics.gcPause(kind);
            this.#gcSeries.set(kind, series);
          }
          series.observeMs(entry.duration);
        }
        this.#gcCount++;
        this.#gcPauseMs += entry.duration;
      }
    });
    this.#gc.observe({ entryTypes: ['gc'] });
    if (metrics !== null) this.#register(metrics);
  }

  #register(metrics: EngineMetrics): void {
    const r = metrics.registry;
    r.collected(
      'ecny_process_cpu_seconds_total',
      'counter',
      'Process CPU, all threads, by mode.',
      () => {
        const cpu = process.cpuUsage();
        return [
          ['{mode="user"}', cpu.user / 1e6],
          ['{mode="system"}', cpu.system / 1e6],
        ];
      },
    );
    r.collected('ecny_process_resident_memory_bytes', 'gauge', 'Resident set size.', () => [
      ['', process.memoryUsage.rss()],
    ]);
    r.collected('ecny_heap_bytes', 'gauge', 'V8 heap of the main thread, used and total.', () => {
      // v8's own figures: process.memoryUsage() would also read the RSS, at ten times the cost.
      const h = getHeapStatistics();
      return [
        ['{state="used"}', h.used_heap_size],
        ['{state="total"}', h.total_heap_size],
      ];
    });
    const w = () => this.#window;
    r.collected(
      'ecny_event_loop_delay_seconds',
      'gauge',
      'How late the main thread ran its timers over the last whole second: median, 99th percentile, maximum.',
      () => [
        ['{stat="p50"}', w().p50 / 1000],
        ['{stat="p99"}', w().p99 / 1000],
        ['{stat="max"}', w().max / 1000],
      ],
    );
    r.collected(
      'ecny_event_loop_utilization_ratio',
      'gauge',
      'Share of the last whole second the main thread was busy (1 = saturated).',
      () => [['', w().utilization]],
    );
    r.collected(
      'ecny_main_thread_busy_seconds_total',
      'counter',
      'Time the main thread spent busy (event-loop utilization, active).',
      () => [['', performance.eventLoopUtilization().active / 1000]],
    );
  }

  #rotate(): void {
    const d = this.#delay;
    const elu = performance.eventLoopUtilization();
    const late = (ns: number) => (d.count > 0 ? Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS) : 0);
    this.#window = {
      p50: late(d.percentile(50)),
      p99: late(d.percentile(99)),
      max: late(d.max),
      utilization: performance.eventLoopUtilization(elu, this.#elu).utilization,
    };
    this.#elu = elu;
    d.reset();
  }

  snapshot(): RuntimeSnapshot {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    const w = this.#window;
    return {
      eventLoopDelayMs: { p50: w.p50, p99: w.p99, max: w.max },
      eventLoopUtilization: w.utilization,
      mainThreadBusyMs: performance.eventLoopUtilization().active,
      gc: { count: this.#gcCount, pauseMs: this.#gcPauseMs },
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#delay.disable();
    this.#gc.disconnect();
  }
}
