#!/usr/bin/env node
/**
 * ecny-bench: one module per command under cli/commands/. Exit codes (docs/cli.md):
 * 0 success, 1 the run failed its checks (mismatch, loss, reconciliation, regression),
 * 2 unusable input (bad flags, bad config, unreadable files).
 */
import { COMMANDS, UsageError } from './commands/index.js';

/** Error codes that mean "the input was unusable": exit 2 with the message, no stack. */
const INPUT_ERRORS = new Set([
  'USAGE',
  'BAD_CONFIG',
  'BAD_SCENARIO',
  'UNKNOWN_SCENARIO',
  'MERGE_INCOMPATIBLE',
  'BAD_WORKLOAD_FILE',
  'DRIVER_BAD_OPTIONS',
  'DRIVER_BAD_WORKLOAD',
  'DRIVER_START_IN_PAST',
]);

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    printHelp();
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`ecny-bench: unknown command "${name}"`);
    printHelp();
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && INPUT_ERRORS.has(code))) {
      console.error(`ecny-bench ${name}: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

function printHelp(): void {
  console.error('usage: ecny-bench <command> [options]\n');
  for (const c of COMMANDS) console.error(`  ${c.name.padEnd(10)} ${c.summary}`);
  console.error('\nRun `ecny-bench <command> --help` for its options.');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
