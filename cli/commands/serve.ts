import { startHttpServer } from '../../engine/http/index.js';
import {
  defaultCentralBankKey,
  defaultEngineConfig,
  type EngineConfig,
  openEngineService,
} from '../../engine/service/index.js';
import { type Command, env, int, parse } from './args.js';

const USAGE = `usage: ecny-bench serve [--port 8080] [--host 127.0.0.1] [--journal PATH] [--backend native|noble]
  [--suite ed25519|sm2] [--sm2-id 1234567812345678]
  [--threads N] [--max-batch 256] [--max-queue 16384] [--max-inflight 20000] [--max-batch-txs 256]
  [--central-bank-key HEX] [--regulator-token TOKEN] [--max-body-bytes 65536]
  [--headers-timeout-ms 10000] [--max-connections 1024]
Test-only fault injection (docs/reliability.md), never for production:
  [--fault-journal-fail-after-bytes N] (ENOSPC once the journal has written N record bytes)
  [--fault-journal-fail-sync-after N] (EIO on the fsync after N good ones)
  [--fault-crash-after-batches N] (each verification worker exits at its Nth batch)
Each flag can also come from ECNY_<FLAG> (e.g. ECNY_PORT). Prints one JSON line when listening.`;

export function engineConfigFromFlags(
  values: Record<string, string | boolean | undefined>,
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
  return {
    ...d,
    journalPath: flag('journal') ?? d.journalPath,
    suite,
    ...(sm2Id === undefined ? {} : { sm2Id }),
    // The default central bank key is derived per suite (an SM2 engine trusts an SM2 key).
    centralBankKey:
      flag('central-bank-key') ??
      (suite === 'sm2' ? defaultCentralBankKey('sm2') : d.centralBankKey),
    backend: (flag('backend') ?? d.backend) as EngineConfig['backend'],
    threads: int('threads', flag('threads'), d.threads, 1),
    maxBatch: int('max-batch', flag('max-batch'), d.maxBatch, 1),
    maxQueue: int('max-queue', flag('max-queue'), d.maxQueue, 1),
    maxInflight: int('max-inflight', flag('max-inflight'), d.maxInflight, 1),
    extraWorkPerItem: int('extra-work', flag('extra-work'), d.extraWorkPerItem, 0),
    http: {
      ...d.http,
      host: flag('host') ?? d.http.host,
      port: int('port', flag('port'), d.http.port, 0),
      maxBatchTxs: int('max-batch-txs', flag('max-batch-txs'), d.http.maxBatchTxs, 1),
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
  backend: { type: 'string' },
  suite: { type: 'string' },
  'sm2-id': { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-inflight': { type: 'string' },
  'max-batch-txs': { type: 'string' },
  'extra-work': { type: 'string' },
  'central-bank-key': { type: 'string' },
  'regulator-token': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'max-connections': { type: 'string' },
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
    const config = engineConfigFromFlags(values);
    const service = await openEngineService(config);
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
