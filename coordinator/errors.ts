/**
 * Errors of a coordinated multi-host run, each with a stable code; the CLI maps the kind to the
 * exit status (docs/cli.md): a bad flag or variable is input (2), a run that could not be
 * carried out (a shard lost or failed, the coordinator unreachable) is a failure (3).
 */
import { CodedError, type ErrorKind } from '../engine/domain/index.js';

export type CoordinatorErrorCode =
  /** `--shard auto` without its environment, a bad token, or options that do not fit together. */
  | 'COORDINATOR_BAD_OPTIONS'
  /** The coordinator did not answer, or answered something that is not its protocol. */
  | 'COORDINATOR_UNREACHABLE'
  /** The coordinator refused this shard (a taken index, another run, a different workload). */
  | 'COORDINATOR_REFUSED'
  /** The run was called off: a shard was lost or failed, or the barrier timed out. */
  | 'COORDINATOR_RUN_FAILED'
  /** No exchange with the coordinator was quick enough to place the start within the bound. */
  | 'COORDINATOR_START_UNBOUNDED';

const KIND: Readonly<Record<CoordinatorErrorCode, ErrorKind>> = {
  COORDINATOR_BAD_OPTIONS: 'input',
  COORDINATOR_UNREACHABLE: 'failure',
  COORDINATOR_REFUSED: 'failure',
  COORDINATOR_RUN_FAILED: 'failure',
  COORDINATOR_START_UNBOUNDED: 'failure',
};

export class CoordinatorError extends CodedError {
  readonly code: CoordinatorErrorCode;
  readonly kind: ErrorKind;
  constructor(code: CoordinatorErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.kind = KIND[code];
  }
}
