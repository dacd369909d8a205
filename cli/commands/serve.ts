import { isoDay, parseIsoDay } from '../../engine/domain/index.js';
import { BATCH_ITEM_BYTES, startHttpServer } from '../../engine/http/index.js';
import { isJournalError } from '../../engine/journal/index.js';
import {
  type CentralBankKeySource,
  defaultEngineConfig,
  type EngineConfig,
  openEngineService,
  RecoveryError,
  type ResolvedCentralBankKey,
  resolveCentralBankKey,
} from '../../engine/service/index.js';
import { resolveTiers } from '../../scenarios/catalog/index.js';
import { type Command, env, int, oneOf, parse, UsageError } from './args.js';

const USAGE = `usage: ecny-bench serve [--port 8080] [--host 127.0.0.1] [--backend native|noble]
  [--store memory|postgres] [--journal PATH] (memory: the default, one process)
  [--database-url postgres://...] [--settle-batch 1024] [--db-pool 4] (postgres: any number of
  nodes share the database; migrations are applied at start; docs/postgres.md)
  [--suite ed25519|sm2] [--sm2-id 1234567812345678]
  [--threads N] [--max-batch 256] [--max-queue 16384] [--max-inflight 20000] [--max-queue-delay-ms 500] [--max-batch-txs 256]
  [--central-bank-key HEX | --central-bank-key-file PATH | --insecure-dev-central-bank-key]
  [--regulator-token TOKEN] [--max-body-bytes 65536]
  [--max-batch-body-bytes N] (default: max-batch-txs x ${BATCH_ITEM_BYTES}, 393216)
  [--headers-timeout-ms 10000] [--max-connections 1024] [--journal-truncate-corrupt] [--today YYYY-MM-DD]
  [--tiers operator-2020|public-2021|FILE]
The central bank key (the only one that can issue money): --central-bank-key or
  --central-bank-key-file (PEM private or public Ed25519 key, or 64 hex digits); with neither, the
  key beside the journal (<journal>.central-bank-key.pem), made fresh at first start (mode 0600).
  With --store postgres the key must be named: nodes sharing a database trust one key.
  --insecure-dev-central-bank-key trusts a key anyone can derive from the source: tests only.
--today YYYY-MM-DD: fix the engine's value day (UTC) instead of reading the system clock, for
  runs that replay a simulated date; every transaction must carry this day (docs/api.md).
--journal-truncate-corrupt: recovery cuts the journal at a corrupt record instead of refusing to
  start, discarding the intact records after it (it prints how many).
Test-only fault injection (docs/reliability.md), never for production:
  [--fault-journal-fail-after-bytes N] (ENOSPC once the journal has written N record bytes)
  [--fault-journal-fail-sync-after N] (EIO on the fsync after N good ones)
  [--fault-crash-after-batches N] (each verification worker exits at its Nth batch)
--tiers: the wallet tier limits, a preset (operator-2020, the default; public-2021) or a JSON
file in yuan (docs/cli.md). A journal replays under the table given: restart with the same one.
Each flag can also come from ECNY_<FLAG> (e.g. ECNY_PORT). Prints one JSON line when listening.`;

/** A boolean flag, or its ECNY_ variable set to 1 or true. */
function switched(values: Record<string, string | boolean | undefined>, name: string): boolean {
  if (values[name] === true) return true;
  const fromEnv = env(name);
  return fromEnv === '1' || fromEnv === 'true';
}

function todayFlag(value: string | undefined): number | null {
  if (value === undefined) return null;
  const day = parseIsoDay(value);
  if (day === null) throw new UsageError(`--today must be a date YYYY-MM-DD, got "${value}"`);
  return day;
}

/** Which central-bank key the flags name: at most one of the three ways, or none (stored). */
export function centralBankKeySource(
  values: Record<string, string | boolean | undefined>,
): CentralBankKeySource {
  const key = (values['central-bank-key'] as string | undefined) ?? env('central-bank-key');
  const file =
    (values['central-bank-key-file'] as string | undefined) ?? env('central-bank-key-file');
  const insecure = switched(values, 'insecure-dev-central-bank-key');
  const given = [key, file, insecure || undefined].filter((v) => v !== undefined).length;
  if (given > 1)
    throw new UsageError(
      'give at most one of --central-bank-key, --central-bank-key-file and --insecure-dev-central-bank-key',
    );
  if (key !== undefined) return { kind: 'key', publicKey: key };
  if (file !== undefined) return { kind: 'file', path: file };
  if (insecure) return { kind: 'insecure-dev' };
  return { kind: 'stored' };
}

/** The engine configuration the flags describe; `centralBankKey` is the resolved key's. */
export function engineConfigFromFlags(
  values: Record<string, string | boolean | undefined>,
  centralBankKey: string,
): EngineConfig {
  const d = defaultEngineConfig();
  const flag = (name: string) => (values[name] as string | undefined) ?? env(name);
  const suite = (flag('suite') ?? d.suite) as EngineConfig['suite'];
  const sm2Id = flag('sm2-id');
  const failWriteAfterBytes = flag('fault-journal-fail-after-bytes');
  const failSyncAfter = flag('fault-journal-fail-sync-after');
  const crashAfterBatches = flag('fault-crash-after-batches');
  const journalFaults = {
    ...(failWriteAfterBytes === undefined
      ? {}
      : {
          failWriteAfterBytes: int('fault-journal-fail-after-bytes', failWriteAfterBytes, 0, 0),
        }),
    ...(failSyncAfter === undefined
      ? {}
      : { failSyncAfter: int('fault-journal-fail-sync-after', failSyncAfter, 0, 0) }),
  };
  const faults = {
    ...(Object.keys(journalFaults).length > 0 ? { journal: journalFaults } : {}),
    ...(crashAfterBatches === undefined
      ? {}
      : { crashAfterBatches: int('fault-crash-after-batches', crashAfterBatches, 0, 1) }),
  };
  const maxBatchTxs = int('max-batch-txs', flag('max-batch-txs'), d.http.maxBatchTxs, 1);
  const storeKind = oneOf('store', flag('store'), ['memory', 'postgres'] as const, 'memory');
  const databaseUrl = flag('database-url');
  if (storeKind === 'postgres' && !databaseUrl)
    throw new UsageError('--store postgres needs --database-url (or ECNY_DATABASE_URL)');
  if (storeKind === 'memory' && databaseUrl)
    throw new UsageError('--database-url is for --store postgres');
  const store: EngineConfig['store'] =
    storeKind === 'postgres'
      ? {
          kind: 'postgres',
          databaseUrl: databaseUrl!,
          settleBatch: int('settle-batch', flag('settle-batch'), 1024, 1),
          poolSize: int('db-pool', flag('db-pool'), 4, 2),
        }
      : { kind: 'memory' };
  const tiers = resolveTiers(flag('tiers'));
  return {
    ...d,
    store,
    tiers: { name: tiers.name, table: tiers.table },
    journalPath: flag('journal') ?? d.journalPath,
    journalCorruption: switched(values, 'journal-truncate-corrupt') ? 'truncate' : 'refuse',
    centralBankKey,
    today: todayFlag(flag('today')),
    suite,
    ...(sm2Id === undefined ? {} : { sm2Id }),
    backend: (flag('backend') ?? d.backend) as EngineConfig['backend'],
    threads: int('threads', flag('threads'), d.threads, 1),
    maxBatch: int('max-batch', flag('max-batch'), d.maxBatch, 1),
    maxQueue: int('max-queue', flag('max-queue'), d.maxQueue, 1),
    maxInflight: int('max-inflight', flag('max-inflight'), d.maxInflight, 1),
    maxQueueDelayMs: int('max-queue-delay-ms', flag('max-queue-delay-ms'), d.maxQueueDelayMs, 1),
    extraWorkPerItem: int('extra-work', flag('extra-work'), d.extraWorkPerItem, 0),
    http: {
      ...d.http,
      host: flag('host') ?? d.http.host,
      port: int('port', flag('port'), d.http.port, 0),
      maxBatchTxs,
      maxBatchBodyBytes: int(
        'max-batch-body-bytes',
        flag('max-batch-body-bytes'),
        maxBatchTxs * BATCH_ITEM_BYTES,
        1,
      ),
      regulatorToken: flag('regulator-token') ?? null,
      maxBodyBytes: int('max-body-bytes', flag('max-body-bytes'), d.http.maxBodyBytes, 1),
      headersTimeoutMs: int(
        'headers-timeout-ms',
        flag('headers-timeout-ms'),
        d.http.headersTimeoutMs,
        1,
      ),
      maxConnections: int('max-connections', flag('max-connections'), d.http.maxConnections, 1),
    },
    ...(Object.keys(faults).length > 0 ? { faults } : {}),
  };
}

export const SERVE_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  journal: { type: 'string' },
  store: { type: 'string' },
  'database-url': { type: 'string' },
  'settle-batch': { type: 'string' },
  'db-pool': { type: 'string' },
  backend: { type: 'string' },
  suite: { type: 'string' },
  'sm2-id': { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-inflight': { type: 'string' },
  'max-queue-delay-ms': { type: 'string' },
  'max-batch-txs': { type: 'string' },
  'extra-work': { type: 'string' },
  'central-bank-key': { type: 'string' },
  'central-bank-key-file': { type: 'string' },
  'insecure-dev-central-bank-key': { type: 'boolean' },
  'journal-truncate-corrupt': { type: 'boolean' },
  today: { type: 'string' },
  'regulator-token': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-batch-body-bytes': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'max-connections': { type: 'string' },
  tiers: { type: 'string' },
  'fault-journal-fail-after-bytes': { type: 'string' },
  'fault-journal-fail-sync-after': { type: 'string' },
  'fault-crash-after-batches': { type: 'string' },
} as const;

export const serve: Command = {
  name: 'serve',
  summary: 'run the settlement engine as an HTTP service',
  async run(argv) {
    const { values } = parse(argv, SERVE_FLAGS, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const journalPath = (values.journal as string | undefined) ?? env('journal');
    const source = centralBankKeySource(values);
    if (
      source.kind === 'stored' &&
      ((values.store as string | undefined) ?? env('store')) === 'postgres'
    )
      throw new UsageError(
        '--store postgres needs the central bank key named (--central-bank-key, --central-bank-key-file or --insecure-dev-central-bank-key): nodes sharing a database trust one key',
      );
    const key = await resolveCentralBankKey(
      source,
      journalPath ?? defaultEngineConfig().journalPath,
      ((values.suite as string | undefined) ?? env('suite') ?? 'ed25519') === 'sm2'
        ? 'sm2'
        : 'ed25519',
    );
    announceKey(key);
    const config = engineConfigFromFlags(values, key.publicKey);
    let service: Awaited<ReturnType<typeof openEngineService>>;
    try {
      service = await openEngineService(config);
    } catch (error) {
      return refusedToStart(error);
    }
    const reason = service.recovery.dropReason;
    if (reason === 'bad-length' || reason === 'bad-checksum') {
      console.error(
        `ecny-bench serve: --journal-truncate-corrupt: ${service.recovery.recordsDiscarded} intact ` +
          `journal records discarded behind a corrupt one (${service.recovery.droppedBytes} bytes cut)`,
      );
    }
    const http = await startHttpServer(service, config.http);
    console.log(
      JSON.stringify({
        event: 'listening',
        url: http.url,
        pid: process.pid,
        recovery: service.recovery,
        backend: config.backend,
        suite: config.suite,
        threads: config.threads,
        centralBankKey: key,
        today: isoDay(service.today()),
        store: config.store.kind,
        tiers: config.tiers.name,
      }),
    );
    // A close that fails (the journal failed closed) exits 1, so a supervisor can tell.
    const clean = await new Promise<boolean>((resolve) => {
      const stop = (signal: string) => {
        console.error(
          `ecny-bench serve: ${signal}: draining in-flight work and flushing the journal`,
        );
        http.close().then(
          () => resolve(true),
          (error: unknown) => {
            console.error(error);
            resolve(false);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    console.log(
      JSON.stringify({ event: 'stopped', settled: service.engine.counters.settled, clean }),
    );
    return clean ? 0 : 1;
  },
};

/** Tells the operator which key the engine trusts, loudly when it is new or insecure. */
function announceKey(key: ResolvedCentralBankKey): void {
  if (key.origin === 'generated') {
    console.error(
      `ecny-bench serve: generated a new central bank key for this ledger; public key ${key.publicKey}. ` +
        `Its private half is in ${key.path} (mode 0600), the only key that can issue money here: ` +
        'keep it safe and keep it with the journal.',
    );
  } else if (key.origin === 'insecure-dev') {
    console.error(
      'ecny-bench serve: WARNING: --insecure-dev-central-bank-key: trusting a central bank key ' +
        `anyone can derive from the source (${key.publicKey}): anyone can issue money. Tests only.`,
    );
  }
}

/** Exit code 3: the stored state cannot be recovered as it is (docs/cli.md). */
export const EXIT_REFUSED_TO_START = 3;

function refusedToStart(error: unknown): number {
  if (isJournalError(error, 'JOURNAL_CORRUPT')) {
    console.error(`ecny-bench serve: refusing to start: ${error.message}`);
    console.error(
      'ecny-bench serve: to cut the journal there on purpose, start once with --journal-truncate-corrupt',
    );
    return EXIT_REFUSED_TO_START;
  }
  if (
    error instanceof RecoveryError ||
    isJournalError(error, 'JOURNAL_BAD_HEADER') ||
    isJournalError(error, 'JOURNAL_UNSUPPORTED_VERSION')
  ) {
    console.error(`ecny-bench serve: refusing to start: ${(error as Error).message}`);
    return EXIT_REFUSED_TO_START;
  }
  throw error;
}
