import { CodedError } from '../engine/domain/index.js';

/** A gate trial that could not measure: the engine did not settle, or a calibration failed. */
export class GateTrialError extends CodedError {
  readonly code = 'GATE_TRIAL_FAILED';
  readonly kind = 'failure';
}
