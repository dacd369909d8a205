import { CodedError } from '../engine/domain/index.js';

/** The engine child process did not start, or did not become healthy in time. */
export class EngineStartError extends CodedError {
  readonly code = 'ENGINE_START_FAILED';
  readonly kind = 'failure';
}

/** An engine given with --target does not fit the workload: exit 2, saying how to start it. */
export class EngineMismatchError extends CodedError {
  readonly code = 'ENGINE_MISMATCH';
  readonly kind = 'input';
}
