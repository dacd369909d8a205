import { startHttpServer } from '../../engine/http/index.js';
import {
  defaultEngineConfig,
  type EngineConfig,
  openEngineService,
} from '../../engine/service/index.js';
import { type Command, env, int, parse } from '../args.js';

const USAGE = `usage: ecny-bench serve [--port 8080] [--host 127.0.0.1] [--journal PATH] [--backend native|noble]
  [--threads N] [--max-batch 256] [--max-queue 16384] [--max-inflight 20000] [--max-batch-txs 256]
  [--central-bank-key HEX] [--regulator-token TOKEN]
Each flag can also come from ECNY_<FLAG> (e.g. ECNY_PORT). Prints one JSON line when listening.`;

export function engineConfigFromFlags(
  values: Record<string, string | boolean | undefined>,
): EngineConfig {
  const d = defaultEngineConfig();
  const flag = (name: string) => (values[name] as string | undefined) ?? env(name);
  return {
    ...d,
    journalPath: flag('journal') ?? d.journalPath,
    centralBankKey: flag('central-bank-key') ?? d.centralBankKey,
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
    },
  };
}

export const SERVE_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  journal: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  'max-batch': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-inflight': { type: 'string' },
  'max-batch-txs': { type: 'string' },
  'extra-work': { type: 'string' },
  'central-bank-key': { type: 'string' },
  'regulator-token': { type: 'string' },
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
        threads: config.threads,
      }),
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        console.error(
          `ecny-bench serve: ${signal}: draining in-flight work and flushing the journal`,
        );
        http.close().then(resolve, (error: unknown) => {
          console.error(error);
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    console.log(JSON.stringify({ event: 'stopped', settled: service.engine.counters.settled }));
    return 0;
  },
};
