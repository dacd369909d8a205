#!/usr/bin/env node
/**
 * ecny-bench: one module per command under cli/commands/. Exit codes (docs/cli.md):
 * 0 success, 1 the run failed its checks (mismatch, loss, reconciliation, regression),
 * 2 unusable input (a coded error of kind 'input': the message alone) or a failure (the full
 * error). The exit status follows the error's kind, never a list of codes.
 */
import { isCodedError } from '../engine/domain/index.js';
import { COMMANDS } from './commands/index.js';

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
    // Unusable input: the message is the whole story. Anything else: the full error, cause and all.
    if (isCodedError(error, 'input')) {
      console.error(`ecny-bench ${name}: ${error.message}`);
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
