/**
 * Driver errors. Each carries a stable `code` so the CLI can map it to an exit code and tests can
 * assert it without matching message text.
 */
import { CodedError, type ErrorKind } from '../engine/domain/index.js';

export type DriverErrorCode =
  | 'DRIVER_BAD_OPTIONS'
  | 'DRIVER_BAD_WORKLOAD'
  | 'DRIVER_GENESIS_MISMATCH'
  | 'DRIVER_GENESIS_FAILED'
  | 'DRIVER_GENERATOR_FAILED'
  | 'DRIVER_START_IN_PAST';

/** Whose move each code is: the options or workload given, or a part of the run that failed. */
const KIND: Readonly<Record<DriverErrorCode, ErrorKind>> = {
  DRIVER_BAD_OPTIONS: 'input',
  DRIVER_BAD_WORKLOAD: 'input',
  DRIVER_START_IN_PAST: 'input',
  DRIVER_GENESIS_MISMATCH: 'failure',
  DRIVER_GENESIS_FAILED: 'failure',
  DRIVER_GENERATOR_FAILED: 'failure',
};

export class DriverError extends CodedError {
  readonly code: DriverErrorCode;
  readonly kind: ErrorKind;
  constructor(code: DriverErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.kind = KIND[code];
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
    this.op = op;
    this.expected = expected;
    this.got = got;
  }
}
