#!/usr/bin/env node
/**
 * ecny-bench: one module per command under cli/commands/. Exit codes (docs/cli.md):
 * 0 success, 1 a correctness check failed, 2 unusable input (a coded error of kind `input`),
 * 3 the run could not be carried out (a coded error of kind `failure`), 99 thresholds crossed,
 * 130 / 143 interrupted by SIGINT / SIGTERM. The exit status follows the error's kind, never a
 * list of codes; a coded error is told in one line, only an unexpected error (a bug) with its stack.
 */
import { readFileSync } from 'node:fs';
import { isCodedError } from '../engine/domain/index.js';
import { InterruptedError, SIGNAL_EXIT_CODES } from '../lifecycle/index.js';
import { EXIT } from './commands/exit-codes.js';
import { COMMANDS } from './commands/index.js';

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** The message, and the cause's when it adds something, on one line. */
function oneLine(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause.message : null;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`ecny-bench ${version()}`);
    return EXIT.ok;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(helpText());
    return EXIT.ok;
  }
  if (!name) {
    console.error(helpText());
    return EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(
      `ecny-bench: unknown ${name.startsWith('-') ? 'option' : 'command'} "${name}"\n\n${helpText()}`,
    );
    return EXIT.usage;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isCodedError(error, 'input')) {
      console.error(`ecny-bench ${name}: ${error.message}`);
      return EXIT.usage;
    }
    if (isCodedError(error, 'failure')) {
      console.error(`ecny-bench ${name}: ${oneLine(error)}`);
      return EXIT.notRun;
    }
    if (error instanceof InterruptedError) {
      console.error(
        `ecny-bench ${name}: ${error.message} before anything was measured; nothing written`,
      );
      return SIGNAL_EXIT_CODES[error.signal];
    }
    // Not an expected failure: a bug, so the stack helps whoever reports it.
    console.error(`ecny-bench ${name}: unexpected error: ${(error as Error).message}`);
    console.error(error);
    return EXIT.notRun;
  }
}

function helpText(): string {
  return [
    'usage: ecny-bench <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `ecny-bench <command> --help` for its options; `ecny-bench --version` for the version.',
    'Exit codes: 0 success, 1 checks failed, 2 unusable input, 3 could not run,',
    '99 thresholds crossed, 130/143 interrupted (docs/cli.md).',
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A command stopped by a signal has stopped what it started; work it left in the
    // background (workload generation, genesis requests) must not keep the process alive.
    if (code === SIGNAL_EXIT_CODES.SIGINT || code === SIGNAL_EXIT_CODES.SIGTERM) process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.notRun;
  },
);
