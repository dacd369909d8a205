/**
 * Driver errors. Each carries a stable `code` so the CLI can map it to an exit code and tests can
 * assert it without matching message text.
 */
export type DriverErrorCode =
  | 'DRIVER_BAD_OPTIONS'
  | 'DRIVER_BAD_WORKLOAD'
  | 'DRIVER_GENESIS_MISMATCH'
  | 'DRIVER_GENESIS_FAILED'
  | 'DRIVER_GENERATOR_FAILED'
  | 'DRIVER_START_IN_PAST';

export class DriverError extends Error {
  readonly code: DriverErrorCode;
  constructor(code: DriverErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DriverError';
    this.code = code;
  }
}

/** Genesis got an answer other than the one the workload expects; the run cannot be measured. */
export class GenesisMismatchError extends DriverError {
  readonly op: number;
  readonly expected: string;
  readonly got: string;
  constructor(op: number, type: string, expected: string, got: string) {
    super(
      'DRIVER_GENESIS_MISMATCH',
      `genesis op ${op} (${type}) expected ${expected} but the engine answered ${got}; ` +
        'aborting before measurement: the engine state no longer matches the workload',
    );
    this.name = 'GenesisMismatchError';
    this.op = op;
    this.expected = expected;
    this.got = got;
  }
}
