import { CodedError } from '../engine/domain/index.js';

/** A run directory's file that is missing, unreadable or not this result format. */
export class ResultFileError extends CodedError {
  readonly code = 'BAD_RESULT_FILE';
  readonly kind = 'input';
}
