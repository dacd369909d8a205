/**
 * Load-driver benchmark: `node dist/bench/driver.js`.
 *
 * Against a no-op HTTP endpoint in its own process (node:http answering 200 `{}`), in one run,
 * for the driver with each of its HTTP clients (`lean`, the project's own, and `undici`):
 *  (a) requests per load-generator CPU-second, the driver vs autocannon, same connections,
 *      same fixed offered rate and duration (CPU = process.cpuUsage() of the generator process
 *      over the measured phase only);
 *  (b) the driver's send lag (actual send - intended send) p50/p99/max at that rate;
 *  (c) the same CPU comparison flat out (no pacing: driver with an unreachable rate and no
 *      lateness bound, autocannon without a rate), BENCH_FLAT_OUT requests each, which
 *      separates the HTTP clients' cost from the cost of pacing.
 * BENCH_CLIENTS (default `lean,undici`) picks the driver's clients.
 * Settings from env vars: BENCH_RATE (default 10000 req/s), BENCH_DURATION_S (10),
 * BENCH_CONNECTIONS (16), BENCH_PIPELINING (1), BENCH_BODY_BYTES (400), BENCH_FLAT_OUT (50000).
 * The server also counts arrivals per 10 ms window: autocannon's `overallRate` is a quota per
 * connection per second (closed-loop bursts, then idle until the next second), the driver
 * spreads its sends evenly; (a) compares the two as they are, the arrival counts show how
 * differently they pace.
 * Set-up (workload generation, server start, workload file, connection warm-up) is outside
 * timing, and a 2 s warm-up run of the driver (reported apart) warms the server first. On a shared 2-core machine the server, the generator and the OS compete: compare the
 * two tools within one run, not across runs.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CLIENTS, type ClientName, runLoad } from '../load/index.js';
import {
  collectEnvironment,
  createHistogram,
  decodeHistogram,
  type Percentiles,
  percentiles,
} from '../result-format/index.js';
import type { Workload } from '../scenarios/workload/index.js';

const SELF = fileURLToPath(import.meta.url);

interface Settings {
  readonly rate: number;
  readonly durationS: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly bodyBytes: number;
  readonly flatOut: number;
  readonly repeats: number;
  readonly clients: readonly ClientName[];
}

interface AutocannonReport {
  readonly completed: number;
  readonly sent: number;
  readonly cpuMicros: number;
  readonly wallS: number;
  readonly latencyP99Ms: number;
  readonly errors: number;
}

function settings(): Settings {
  const num = (name: string, fallback: number): number => {
    const raw = process.env[name];
    const v = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(v) || v <= 0)
      throw new RangeError(`${name} must be a positive number, got ${raw}`);
    return v;
  };
  return {
    rate: num('BENCH_RATE', 10_000),
    durationS: num('BENCH_DURATION_S', 10),
    connections: num('BENCH_CONNECTIONS', 16),
    pipelining: num('BENCH_PIPELINING', 1),
    bodyBytes: num('BENCH_BODY_BYTES', 400),
    flatOut: num('BENCH_FLAT_OUT', 50_000),
    repeats: num('BENCH_REPEATS', 3),
    clients: clientsFrom(process.env['BENCH_CLIENTS'] ?? CLIENTS.join(',')),
  };
}

function clientsFrom(raw: string): ClientName[] {
  const names = raw.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(CLIENTS as readonly string[]).includes(n))
      throw new RangeError(`BENCH_CLIENTS: unknown client "${n}" (known: ${CLIENTS.join(', ')})`);
  }
  return names as ClientName[];
}

/** Requests the no-op endpoint received per 10 ms window, and what that says about pacing. */
interface Arrivals {
  readonly requests: number;
  /** Mean per window over the windows from the first arrival to the last. */
  readonly mean: number;
  readonly p99: number;
  readonly max: number;
}

const ARRIVAL_WINDOW_MS = 10;

/**
 * Child role: the no-op endpoint. It also counts arrivals per 10 ms window ('arrivals' message:
 * report and reset), which shows how evenly each tool spreads its requests over time.
 */
function serve(): void {
  let bins = new Map<number, number>();
  process.on('message', (m: unknown) => {
    if (m !== 'arrivals') return;
    process.send?.(summarizeArrivals(bins));
    bins = new Map();
  });
  const server = createServer((req, res) => {
    // the driver's warm-up rehearsal POSTs to /healthz before its start: not counted
    if (req.url !== '/healthz') {
      const bin = Math.floor(performance.now() / ARRIVAL_WINDOW_MS);
      bins.set(bin, (bins.get(bin) ?? 0) + 1);
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

function summarizeArrivals(bins: Map<number, number>): Arrivals {
  if (bins.size === 0) return { requests: 0, mean: 0, p99: 0, max: 0 };
  const keys = [...bins.keys()];
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  const counts: number[] = [];
  let requests = 0;
  for (let b = first; b <= last; b++) {
    const n = bins.get(b) ?? 0;
    counts.push(n);
    requests += n;
  }
  counts.sort((a, b) => a - b);
  return {
    requests,
    mean: requests / counts.length,
    p99: counts[Math.min(counts.length - 1, Math.floor(counts.length * 0.99))]!,
    max: counts[counts.length - 1]!,
  };
}

/** Asks the server child for the arrivals since the last ask (and resets them). */
function arrivals(server: ChildProcess): Promise<Arrivals> {
  return new Promise((resolve) => {
    server.once('message', (m) => resolve(m as Arrivals));
    server.send('arrivals');
  });
}

/** Child role: autocannon at a fixed overall rate, CPU measured around the run only. */
async function runAutocannon(
  url: string,
  s: Settings,
  body: string,
  flatOut: boolean,
): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: s.connections,
    pipelining: s.pipelining,
    ...(flatOut ? { amount: s.flatOut } : { duration: s.durationS, overallRate: s.rate }),
  });
  const cpu = process.cpuUsage(cpu0);
  const report: AutocannonReport = {
    completed: result.requests.total,
    sent: result.requests.sent,
    cpuMicros: cpu.user + cpu.system,
    wallS: (performance.now() - t0) / 1000,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
  process.send?.(report, () => process.disconnect());
}

function workloadFor(s: Settings, n: number): Workload {
  const lanes = 1024;
  const pad = 'x'.repeat(Math.max(0, s.bodyBytes - 120));
  const bodies: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    bodies[i] = JSON.stringify({ v: 1, type: 'transfer', nonce: i, pad });
  }
  return {
    meta: {
      format: 'ecny-bench/workload/v1',
      scenario: 'bench-noop',
      seed: 'bench',
      params: { rate: s.rate, durationS: s.durationS },
      centralBankKey: '00'.repeat(32),
      day: 0,
      durationMs: s.durationS * 1000,
      plannedRate: [],
      expectedCounts: { SETTLED: n },
      lanes,
    },
    genesis: { bodies: [], expected: [], at: [], dependsOn: [], lane: [], type: [] },
    ops: {
      bodies,
      expected: bodies.map(() => 'SETTLED' as const),
      at: bodies.map((_, i) => (i * 1000) / s.rate),
      dependsOn: bodies.map(() => -1),
      lane: bodies.map((_, i) => i % lanes),
      type: bodies.map(() => 'transfer'),
    },
  };
}

function pause(): Promise<void> {
  // let the server and the OS settle between measurements
  return new Promise((resolve) => setTimeout(resolve, 1000));
}

async function autocannonChild(
  url: string,
  s: Settings,
  body: string,
  flatOut: boolean,
): Promise<AutocannonReport> {
  const child = startChild([
    'autocannon',
    url,
    JSON.stringify(s),
    body,
    flatOut ? 'flat-out' : 'rate',
  ]);
  return (await child.message) as AutocannonReport;
}

function startChild(args: string[]): { child: ChildProcess; message: Promise<unknown> } {
  const child = fork(SELF, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const message = new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, message };
}

/** One paced run of the driver, as (a) and (b) report it. */
interface PacedRun {
  readonly perCpu: number;
  readonly cpuS: number;
  readonly answers: number;
  readonly passed: boolean;
  readonly dropped: number;
  readonly errors: number;
  readonly arrivals: Arrivals;
  /** Send lag of the whole run, after second 0, and of second 0 alone (ms). */
  readonly lag: {
    readonly whole: Percentiles;
    readonly steady: Percentiles;
    readonly first: Percentiles;
  };
  readonly corrected: Percentiles;
  readonly serviceP99: number;
}

async function pacedRun(
  url: string,
  s: Settings,
  workload: Workload,
  client: ClientName,
  server: ChildProcess,
): Promise<PacedRun> {
  const run = await runLoad(workload, {
    target: url,
    client,
    processes: 1,
    connections: s.connections,
    pipelining: s.pipelining,
    statsIntervalMs: 0,
    startLeadMs: 1000,
  });
  const m = run.measured;
  const cpuS = m.generator?.cpuSeconds ?? Number.NaN;
  const answers = m.totals.settled + m.totals.rejected;
  // The first second is reported apart: it would hold a start-up transient (both processes
  // going from idle to full rate at once).
  const steady = createHistogram();
  for (const interval of run.histograms.intervals) {
    if (interval.t >= 1) steady.add(decodeHistogram(interval.histograms.sendLag));
  }
  const first = run.histograms.intervals.find((i) => i.t === 0);
  return {
    perCpu: answers / cpuS,
    cpuS,
    answers,
    passed: m.outcome.passed,
    dropped: m.totals.dropped,
    errors: m.totals.errors,
    arrivals: await arrivals(server),
    lag: {
      whole: m.latency.sendLag!,
      steady: percentiles(steady),
      first: percentiles(
        first === undefined ? createHistogram() : decodeHistogram(first.histograms.sendLag),
      ),
    },
    corrected: m.latency.corrected,
    serviceP99: m.latency.uncorrected.p99,
  };
}

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** "median (min-max)" of a figure over the repeats. */
function spread(values: readonly number[], digits: number): string {
  const f = (v: number) => v.toFixed(digits);
  if (values.length === 1) return f(values[0]!);
  return `${f(median(values))} (${f(Math.min(...values))}-${f(Math.max(...values))})`;
}

function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const s = settings();
  const env = collectEnvironment();
  console.log(
    `machine: ${cpus()[0]?.model.trim()} x ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${env.os}; load average ${loadAverage()}`,
  );
  console.log(
    `node ${process.version}, undici ${env.packages['undici']}, autocannon ${env.packages['autocannon']}`,
  );
  console.log(
    `settings: ${s.rate} req/s for ${s.durationS} s, ${s.connections} connections, pipelining ${s.pipelining}, ` +
      `${s.bodyBytes}-byte bodies; driver clients ${s.clients.join(', ')}; one generator process each; no-op server in its own process; ` +
      `${s.repeats} round(s), each tool once per round, medians (min-max) over the rounds`,
  );

  const server = startChild(['server']);
  const { port } = (await server.message) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  try {
    // Warm-up, reported apart: 2 s of the same load per client, so the server is as warm for
    // the driver as it will be for autocannon (which runs after the driver).
    for (const client of s.clients) {
      const warm = await runLoad(workloadFor(s, Math.ceil(s.rate * 2)), {
        target: url,
        client,
        connections: s.connections,
        pipelining: s.pipelining,
        statsIntervalMs: 0,
        startLeadMs: 1000,
        allowDrops: true,
      });
      console.log(
        `warm-up (not measured, ${client}): 2 s at ${s.rate} req/s, send lag p99 ${warm.measured.latency.sendLag?.p99.toFixed(3)} ms`,
      );
    }
    await pause();
    await arrivals(server.child);

    // The driver's set-up (workload, file, fork, rehearsal) happens before its start time.
    const workload = workloadFor(s, Math.ceil(s.rate * s.durationS));
    const body = workload.ops.bodies[0]!;
    const paced = new Map<ClientName, PacedRun[]>(s.clients.map((c) => [c, []]));
    const ac: Array<{ report: AutocannonReport; perCpu: number; arrivals: Arrivals }> = [];
    for (let round = 0; round < s.repeats; round++) {
      for (const client of s.clients) {
        paced.get(client)!.push(await pacedRun(url, s, workload, client, server.child));
        await pause();
      }
      const report = await autocannonChild(url, s, body, false);
      ac.push({
        report,
        perCpu: report.completed / (report.cpuMicros / 1e6),
        arrivals: await arrivals(server.child),
      });
      await pause();
    }

    const name = (client: string): string => `driver/${client}:`.padEnd(15);
    console.log('');
    console.log(`(a) requests per generator CPU-second at ${s.rate} req/s`);
    for (const [client, runs] of paced) {
      console.log(
        `  ${name(client)} ${spread(
          runs.map((r) => r.perCpu),
          0,
        )} req/CPU-s; ${runs.map((r) => `${r.answers} answers in ${r.cpuS.toFixed(2)} CPU-s`).join(', ')}` +
          ` (passed ${runs.every((r) => r.passed)}, dropped ${runs.reduce((a, r) => a + r.dropped, 0)}, errors ${runs.reduce((a, r) => a + r.errors, 0)})`,
      );
    }
    console.log(
      `  ${'autocannon:'.padEnd(15)} ${spread(
        ac.map((a) => a.perCpu),
        0,
      )} req/CPU-s; ${ac.map((a) => `${a.report.completed} answers in ${(a.report.cpuMicros / 1e6).toFixed(2)} CPU-s`).join(', ')}` +
        ` (errors ${ac.reduce((n, a) => n + a.report.errors, 0)})`,
    );
    for (const [client, runs] of paced) {
      console.log(
        `  ratio driver/${client} : autocannon, per round = ${spread(
          runs.map((r, i) => r.perCpu / ac[i]!.perCpu),
          2,
        )}x (target >= 1.0x)`,
      );
    }
    // autocannon's overallRate is a per-connection quota per second: each connection sends
    // closed-loop until its quota is used, then waits for the next second. The driver spreads
    // its sends over time (open model). The server's arrival counts show the difference.
    const showArrivals = (label: string, a: readonly Arrivals[]): string =>
      `${label} mean ${spread(
        a.map((x) => x.mean),
        0,
      )}, p99 ${spread(
        a.map((x) => x.p99),
        0,
      )}, max ${spread(
        a.map((x) => x.max),
        0,
      )} (max/mean ${spread(
        a.map((x) => x.max / x.mean),
        1,
      )})`;
    console.log(`  arrivals at the server per ${ARRIVAL_WINDOW_MS} ms:`);
    for (const [client, runs] of paced) {
      console.log(
        `    ${showArrivals(
          `driver/${client}`,
          runs.map((r) => r.arrivals),
        )}`,
      );
    }
    console.log(
      `    ${showArrivals(
        'autocannon',
        ac.map((a) => a.arrivals),
      )}`,
    );
    for (const [client, runs] of paced) {
      const lagLine = (pick: (r: PacedRun) => Percentiles): string =>
        `p50 ${spread(
          runs.map((r) => pick(r).p50),
          3,
        )} ms, p99 ${spread(
          runs.map((r) => pick(r).p99),
          3,
        )} ms, max ${spread(
          runs.map((r) => pick(r).max),
          3,
        )} ms`;
      console.log('');
      console.log(`(b) driver/${client} send lag (actual - intended) at ${s.rate} req/s`);
      console.log(`  whole run:       ${lagLine((r) => r.lag.whole)} (target p99 <= 1 ms)`);
      console.log(`  after second 0:  ${lagLine((r) => r.lag.steady)}`);
      console.log(`  second 0 alone:  ${lagLine((r) => r.lag.first)}`);
      console.log(
        `  latency from intended send: p50 ${spread(
          runs.map((r) => r.corrected.p50),
          3,
        )} ms, p99 ${spread(
          runs.map((r) => r.corrected.p99),
          3,
        )} ms; service time p99 ${spread(
          runs.map((r) => r.serviceP99),
          3,
        )} ms; autocannon p99 ${spread(
          ac.map((a) => a.report.latencyP99Ms),
          0,
        )} ms (whole ms)`,
      );
    }

    // (c) flat out: no pacing on either side
    const flat = new Map<ClientName, number[]>(s.clients.map((c) => [c, []]));
    const acFlat: number[] = [];
    for (let round = 0; round < s.repeats; round++) {
      for (const client of s.clients) {
        await pause();
        const run = await runLoad(workloadFor(s, s.flatOut), {
          target: url,
          client,
          processes: 1,
          connections: s.connections,
          pipelining: s.pipelining,
          statsIntervalMs: 0,
          startLeadMs: 1000,
          maxLagMs: Number.POSITIVE_INFINITY,
          schedule: { type: 'constant', rate: 1e9, durationMs: 1e9 },
        });
        const cpu = run.measured.generator?.cpuSeconds ?? Number.NaN;
        const answers = run.measured.totals.settled + run.measured.totals.rejected;
        flat.get(client)!.push(answers / cpu);
      }
      await pause();
      const r = await autocannonChild(url, s, body, true);
      acFlat.push(r.completed / (r.cpuMicros / 1e6));
    }
    console.log('');
    console.log(`(c) flat out, ${s.flatOut} requests, no pacing`);
    console.log(`  ${'autocannon:'.padEnd(15)} ${spread(acFlat, 0)} req/CPU-s`);
    for (const [client, perCpu] of flat) {
      console.log(
        `  ${name(client)} ${spread(perCpu, 0)} req/CPU-s; ratio per round ${spread(
          perCpu.map((v, i) => v / acFlat[i]!),
          2,
        )}x`,
      );
    }
    console.log(`\nload average at the end: ${loadAverage()}`);
  } finally {
    server.child.disconnect();
  }
}

const role = process.argv[2];
if (role === 'server') serve();
else if (role === 'autocannon') {
  await runAutocannon(
    process.argv[3]!,
    JSON.parse(process.argv[4]!) as Settings,
    process.argv[5]!,
    process.argv[6] === 'flat-out',
  );
} else {
  await main();
}
