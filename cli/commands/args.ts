/** Flag parsing shared by every command: node:util parseArgs plus checked number conversion. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CodedError } from '../../engine/domain/index.js';

/** Bad flags or arguments: exit 2 with the message. */
export class UsageError extends CodedError {
  readonly code = 'USAGE';
  readonly kind = 'input';
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}

export function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function num(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new UsageError(`--${name} must be a number >= ${min}, got "${value}"`);
  return n;
}

/** One of `choices`, or `fallback` when unset. */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Environment overrides: ECNY_<NAME> for --<name>, flags win. */
export function env(name: string): string | undefined {
  return process.env[`ECNY_${name.toUpperCase().replaceAll('-', '_')}`];
}

/** Parses "1,2,4" into distinct positive integers in the given order. */
export function parseIntList(name: string, value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (p === '' || !Number.isSafeInteger(n) || n < 1)
      throw new UsageError(
        `--${name} must be a comma-separated list of integers >= 1, got "${value}"`,
      );
    if (!out.includes(n)) out.push(n);
  }
  return out;
}
