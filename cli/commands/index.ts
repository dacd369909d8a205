import type { Command } from './args.js';

export { type Command, UsageError } from './args.js';

import { capacity } from './capacity.js';
import { CHART_COMMANDS } from './charts.js';
import { coordinate } from './coordinate.js';
import { gate } from './gate.js';
import { history } from './history.js';
import { list } from './list.js';
import { merge } from './merge.js';
import { run, start } from './run.js';
import { saturateCommand } from './saturate.js';
import { serve } from './serve.js';

/** Every command, in the order `ecny-bench help` lists them. */
export const COMMANDS: readonly Command[] = [
  start,
  run,
  list,
  saturateCommand,
  serve,
  merge,
  coordinate,
  ...CHART_COMMANDS,
  capacity,
  gate,
  history,
];
