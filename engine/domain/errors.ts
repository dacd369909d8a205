/**
 * What a coded error asks of whoever sees it:
 * - `input`: the input given (flags, configuration, files) is unusable; fixing it is the fix;
 * - `failure`: something the work depended on failed (a disk, a child process, a worker).
 */
export type ErrorKind = 'input' | 'failure';

/**
 * Base of every error a user can see: a stable `code` to match on (never the message) and a
 * `kind` that says whose move it is; the CLI maps the kind to an exit status (docs/cli.md).
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True for a coded error of that kind (and code, when given). */
export function isCodedError(value: unknown, kind?: ErrorKind): value is CodedError {
  return value instanceof CodedError && (kind === undefined || value.kind === kind);
}
