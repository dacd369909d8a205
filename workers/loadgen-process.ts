/**
 * Entry point of a load-generator child process (forked by scenarios/driver's coordinator).
 * Thin on purpose: all behaviour lives in scenarios/driver.
 */
import { runLoadgenProcess } from '../scenarios/driver/index.js';

runLoadgenProcess();
