/**
 * The body of a load-generator child process (workers/loadgen-process.ts only calls this):
 * init (load the workload from disk, compute the share, warm the connections) -> ready ->
 * start at the agreed time -> per-second intervals -> done, then exit.
 */

import { RuntimeMetrics } from '../engine/metrics/index.js';
import { LoadGenerator } from './generator.js';
import { type FromGenerator, isToGenerator, type ToGenerator } from './protocol.js';
import { readWorkloadFile } from './workload-file.js';

/** Serves the coordinator over the IPC channel of a `child_process.fork`. */
export function runLoadgenProcess(): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new Error('the load-generator process must be started with child_process.fork');
  }
  const post = (message: FromGenerator, then?: () => void): void => {
    if (!process.connected) {
      then?.();
      return;
    }
    send(message, undefined, {}, () => then?.());
  };
  let generator: LoadGenerator | undefined;

  const fail = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    const code =
      typeof (error as { code?: unknown })?.code === 'string'
        ? (error as { code: string }).code
        : 'DRIVER_GENERATOR_FAILED';
    generator?.abort();
    post({ type: 'failed', message, code }, () => process.exit(1));
  };

  const handle = async (message: ToGenerator): Promise<void> => {
    switch (message.type) {
      case 'init': {
        const workload = await readWorkloadFile(message.workloadPath);
        generator = new LoadGenerator(workload, message.segment, message.config, (buckets) =>
          post({ type: 'interval', buckets }),
        );
        if (message.config.warmup) await generator.warmup();
        // The parsed workload file is garbage now; collect it before the start rather than
        // in a major GC pause during the measured phase (the coordinator forks with --expose-gc).
        globalThis.gc?.();
        post({ type: 'ready', planned: generator.planned });
        return;
      }
      case 'start': {
        if (generator === undefined) throw new Error('start before init');
        // CPU of the measured phase only: loading and parsing the workload is set-up.
        const cpuStart = process.cpuUsage();
        // This process's own resources each second, so a run that measured the driver says so.
        const runtime = new RuntimeMetrics();
        const report_ = () =>
          post({ type: 'resources', atMs: Date.now(), runtime: runtime.snapshot() });
        const sampler = setInterval(report_, 1000);
        report_();
        const report = await generator.run(message.startAtMs).finally(() => {
          clearInterval(sampler);
          report_();
          runtime.stop();
        });
        const cpu = process.cpuUsage(cpuStart);
        post(
          {
            type: 'done',
            buckets: report.buckets,
            tally: report.tally,
            cpuMicros: cpu.user + cpu.system,
          },
          () => {
            if (process.connected) process.disconnect();
          },
        );
        return;
      }
      case 'abort':
        generator?.abort();
        return;
    }
  };

  process.on('message', (message: unknown) => {
    if (isToGenerator(message)) handle(message).catch(fail);
  });
  // The coordinator went away: nobody will read the results.
  process.on('disconnect', () => {
    generator?.abort();
  });
}
