/**
 * Door of engine/metrics: the project's HDR histogram configuration and readers; the engine's
 * Prometheus metrics (a lean registry, the engine's metric set, runtime gauges); and its events on
 * diagnostics_channel.
 */
export * from './engine-metrics.js';
export * from './events.js';
export * from './histogram.js';
export * from './prometheus.js';
export * from './runtime.js';
export * from './threads.js';
