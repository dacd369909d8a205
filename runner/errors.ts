/**
 * Why a run could not start, each a coded error whose kind the CLI maps to its exit status
 * (docs/cli.md): options the embedded engine refuses or a target that is no URL are unusable
 * input (2); an engine that does not start or cannot be reached is a failure (3).
 */
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

/** The embedded engine refused the options it was given (`--backend foo`). */
export class EngineOptionsError extends CodedError {
  readonly code = 'ENGINE_BAD_OPTIONS';
  readonly kind = 'input';
}

/** The engine at `--target` did not answer /healthz with 200 in time. */
export class EngineUnreachableError extends CodedError {
  readonly code = 'ENGINE_UNREACHABLE';
  readonly kind = 'failure';
}

/** `--target` is not an http(s) URL. */
export class TargetError extends CodedError {
  readonly code = 'BAD_TARGET';
  readonly kind = 'input';
}
