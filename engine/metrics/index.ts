/** Door of engine/metrics: the project's HDR histogram configuration and readers. */
export * from './histogram.js';
