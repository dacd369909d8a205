/**
 * Entry point of a load-generator child process (forked by load/coordinator.ts).
 * Thin on purpose: all behaviour lives in load/.
 */
import { runLoadgenProcess } from '../load/index.js';

runLoadgenProcess();
