/**
 * The durable journal: the engine acknowledges a transaction only after its record is here.
 * See docs/journal.md for the format, group commit, durability and recovery rules.
 */
export {
  isJournalError,
  JournalCorruptError,
  JournalError,
  type JournalErrorCode,
} from './errors.js';
export { FORMAT_VERSION, HEADER_SIZE, MAGIC, RECORD_OVERHEAD } from './format.js';
export { Journal, type JournalOptions, type JournalStats } from './journal.js';
export {
  type CorruptionPolicy,
  type DropReason,
  type OnRecord,
  type ReplayOptions,
  type ReplayReport,
  replay,
} from './replay.js';
export type { JournalFaults } from './sink.js';
