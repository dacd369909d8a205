/**
 * Engine configuration: defaults < environment (ECNY_*) < flags. Every value is checked and a
 * wrong one names itself.
 */
import { availableParallelism } from 'node:os';
import { type BackendName, isSuiteName, type SuiteName } from '../crypto/index.js';
import {
  CodedError,
  DEFAULT_TIERS,
  DEFAULT_TIERS_NAME,
  parseTierTable,
  type TierTable,
  tierTableYuan,
  txSuite,
} from '../domain/index.js';
import type { CorruptionPolicy, JournalFaults } from '../journal/index.js';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './http-options.js';

/** Test-only fault injection (docs/reliability.md). Never set outside tests. */
export interface EngineFaults {
  /** Disk failures of the journal (ENOSPC after N bytes, EIO after N fsyncs). */
  readonly journal?: JournalFaults;
  /** Each verification worker thread exits at the start of its Nth batch. */
  readonly crashAfterBatches?: number;
}

/**
 * Where the ledger lives (engine/registry port): `memory` (the journal file, one process) or
 * `postgres` (a database any number of engine nodes share; docs/postgres.md).
 */
export type StoreConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'postgres';
      readonly databaseUrl: string;
      /** Most transactions in one settle call (one database round trip). */
      readonly settleBatch: number;
      /** Database connections of this node: one settles, the others serve reads. */
      readonly poolSize: number;
    };

export interface EngineConfig {
  readonly store: StoreConfig;
  /** Journal file (memory store); created if missing, replayed if present. */
  readonly journalPath: string;
  /**
   * What recovery does with a corrupt journal record (not a torn tail): 'refuse' to start (the
   * default), or 'truncate' there, discarding it and every record behind it.
   */
  readonly journalCorruption: CorruptionPolicy;
  /**
   * The central bank's public key, hex: the only signer of issue, allocate, destroy and enroll.
   * No default: the caller names it (the CLI resolves it with resolveCentralBankKey).
   */
  readonly centralBankKey: string;
  /**
   * The engine's value day, fixed (days since 1970-01-01 UTC), or null for the system clock's
   * UTC day (the default). Fixed is for runs that replay a simulated date (`serve --today`).
   */
  readonly today: number | null;
  /** Signature suite: every key, signature and transaction id of this engine (docs/signatures.md). */
  readonly suite: SuiteName;
  /** SM2 distinguishing ID, printable ASCII. Absent: 1234567812345678 (GM/T 0009). */
  readonly sm2Id?: string;
  readonly backend: BackendName;
  /** Verification worker threads. */
  readonly threads: number;
  readonly maxBatch: number;
  /** Bound of the verification queue (signatures waiting for a worker). */
  readonly maxQueue: number;
  /** Bound of transactions admitted and not yet answered. */
  readonly maxInflight: number;
  /**
   * Admission bound in time: new requests are refused (503 OVERLOADED, before they are read)
   * while the verification queue holds more than this many ms of work (docs/reliability.md).
   */
  readonly maxQueueDelayMs: number;
  /** Test-only: extra hashing per verified signature (proves the CI gate catches a slowdown). */
  readonly extraWorkPerItem: number;
  readonly http: HttpOptions;
  /**
   * Wallet tier limits the registry enforces, and the name they go by in stats (a preset such
   * as "operator-2020", or a file). A journal replays under the table the engine starts with:
   * restart with the table that wrote it.
   */
  readonly tiers: { readonly name: string; readonly table: TierTable };
  /** Test-only: injected faults. Absent in production. */
  readonly faults?: EngineFaults;
}

export function defaultEngineConfig(): EngineConfig {
  const threads = availableParallelism();
  return {
    store: { kind: 'memory' },
    journalPath: '.cache/engine/journal.ecj',
    journalCorruption: 'refuse',
    // Deliberately empty: checkEngineConfig refuses to run until someone names the key.
    centralBankKey: '',
    today: null,
    suite: 'ed25519',
    backend: 'native',
    threads,
    maxBatch: 256,
    maxQueue: 16_384,
    maxInflight: 20_000,
    maxQueueDelayMs: 500,
    extraWorkPerItem: 0,
    http: DEFAULT_HTTP_OPTIONS,
    tiers: { name: DEFAULT_TIERS_NAME, table: DEFAULT_TIERS },
  };
}

export class ConfigError extends CodedError {
  readonly code = 'BAD_CONFIG';
  readonly kind = 'input';
}

function positiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ConfigError(`${name} must be an integer in [1, ${max}], got ${value}`);
  }
}

function nonNegativeInt(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ConfigError(`${name} must be an integer >= 0, got ${value}`);
}

/** Throws ConfigError naming the first wrong field. */
export function checkEngineConfig(c: EngineConfig): EngineConfig {
  if (!isSuiteName(c.suite))
    throw new ConfigError(`suite must be "ed25519" or "sm2", got "${c.suite}"`);
  if (c.centralBankKey === '')
    throw new ConfigError('no central bank key: name the key this engine trusts');
  const suite = txSuite(c.suite);
  if (suite.keyFromWire(c.centralBankKey) !== c.centralBankKey)
    throw new ConfigError(
      `centralBankKey must be ${c.suite === 'sm2' ? 'a compressed SM2 key (66 lowercase hex digits)' : suite.keyDescription}`,
    );
  if (c.sm2Id !== undefined && !/^[\x20-\x7e]{1,1023}$/.test(c.sm2Id))
    throw new ConfigError('sm2Id must be 1 to 1023 printable ASCII characters');
  if (c.journalCorruption !== 'refuse' && c.journalCorruption !== 'truncate')
    throw new ConfigError(
      `journalCorruption must be "refuse" or "truncate", got "${c.journalCorruption}"`,
    );
  if (c.today !== null && (!Number.isSafeInteger(c.today) || c.today < 0 || c.today >= 2 ** 32))
    throw new ConfigError(`today must be a value day in [0, 2^32) or null, got ${c.today}`);
  if (c.store.kind === 'postgres') {
    if (!/^postgres(ql)?:\/\//.test(c.store.databaseUrl))
      throw new ConfigError('databaseUrl must be a postgres:// or postgresql:// URL');
    positiveInt('settleBatch', c.store.settleBatch, 65_536);
    positiveInt('poolSize', c.store.poolSize, 64);
    if (c.store.poolSize < 2)
      throw new ConfigError('poolSize must be >= 2 (one connection settles, one reads)');
  } else if (c.store.kind !== 'memory') {
    throw new ConfigError(
      `store must be "memory" or "postgres", got "${(c.store as { kind: string }).kind}"`,
    );
  }
  if (c.backend !== 'native' && c.backend !== 'noble')
    throw new ConfigError(`backend must be "native" or "noble", got "${c.backend}"`);
  try {
    parseTierTable(tierTableYuan(c.tiers.table));
  } catch (error) {
    throw new ConfigError(`tiers (${c.tiers.name}): ${(error as Error).message}`);
  }
  positiveInt('threads', c.threads, 256);
  positiveInt('maxBatch', c.maxBatch, 65_536);
  positiveInt('maxQueue', c.maxQueue);
  positiveInt('maxInflight', c.maxInflight);
  positiveInt('maxQueueDelayMs', c.maxQueueDelayMs);
  if (!Number.isSafeInteger(c.extraWorkPerItem) || c.extraWorkPerItem < 0)
    throw new ConfigError('extraWorkPerItem must be >= 0');
  if (!Number.isInteger(c.http.port) || c.http.port < 0 || c.http.port > 65_535)
    throw new ConfigError('port must be in [0, 65535]');
  positiveInt('maxBodyBytes', c.http.maxBodyBytes);
  positiveInt('maxBatchTxs', c.http.maxBatchTxs, 100_000);
  positiveInt('maxBatchBodyBytes', c.http.maxBatchBodyBytes);
  positiveInt('headersTimeoutMs', c.http.headersTimeoutMs);
  positiveInt('maxConnections', c.http.maxConnections);
  const f = c.faults;
  if (f?.journal?.failWriteAfterBytes !== undefined)
    nonNegativeInt('faults.journal.failWriteAfterBytes', f.journal.failWriteAfterBytes);
  if (f?.journal?.failSyncAfter !== undefined)
    nonNegativeInt('faults.journal.failSyncAfter', f.journal.failSyncAfter);
  if (f?.crashAfterBatches !== undefined)
    nonNegativeInt('faults.crashAfterBatches', f.crashAfterBatches);
  return c;
}
