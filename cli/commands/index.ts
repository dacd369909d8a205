import { CHART_COMMANDS } from '../../charts/cli.js';
import type { Command } from '../args.js';
import { serve } from './serve.js';

/** Every command, in the order `ecny-bench help` lists them. */
export const COMMANDS: readonly Command[] = [serve, ...CHART_COMMANDS];
