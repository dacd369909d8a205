/**
 * A shard's part in a coordinated run: find the coordinator, claim a shard index, beat while
 * alive, report ready and wait paused for the release (the start barrier: `startGate`, which
 * the load driver calls once its generators are ready), upload the result files at the end, or
 * report why this shard could not carry out its part. Every wait is bounded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCodedError } from '../engine/domain/index.js';
import type { Shard, ShardReady, StartDecision } from '../load/index.js';
import type { RunKey } from './auth.js';
import { type Answer, type Body, CoordinatorClient } from './client.js';
import { type ClockSample, clockOffsetOf, placeStart, quickest } from './clock.js';
import { CoordinatorError } from './errors.js';
import {
  type BeatAnswer,
  checkBeatAnswer,
  checkRunInfo,
  identityOf,
  paths,
  REQUIRED_FILES,
  RESULT_FILES,
  type ResultFileName,
  type RunInfo,
} from './protocol.js';
import { shardFromEnvironment } from './shard-env.js';

export interface ShardSessionOptions {
  /** The coordinator, e.g. `http://coordinator:8090`. */
  readonly url: string;
  readonly key: RunKey;
  /** This shard, or `auto`: the index from the environment, the count from the coordinator. */
  readonly shard: Shard | 'auto';
  readonly env?: NodeJS.ProcessEnv;
  /** How long to keep asking a coordinator that does not answer yet (it may start last). Default 120 s. */
  readonly connectWaitMs?: number;
  readonly log?: (line: string) => void;
  /** Aborting stops any wait at once. */
  readonly signal?: AbortSignal;
}

/** Timeout of one control request. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Exchanges after the release, to place the start by the quickest. */
const PLACEMENT_EXCHANGES = 5;
/** A start closer than this once placed cannot be met by every generator: fail instead. */
const MIN_START_MARGIN_MS = 20;
/** Attempts of one request that failed on the network. */
const ATTEMPTS = 3;
/** An upload may be large: its timeout is the coordinator's whole-request bound. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

function expectOk(answer: Answer, what: string): unknown {
  if (answer.status === 200) return answer.body;
  const body = answer.body as { error?: unknown; message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : `status ${answer.status}`;
  const code = typeof body?.error === 'string' ? body.error : String(answer.status);
  if (answer.status === 410)
    throw new CoordinatorError('COORDINATOR_RUN_FAILED', `the run was called off: ${message}`);
  throw new CoordinatorError(
    'COORDINATOR_REFUSED',
    `the coordinator refused ${what}: ${message} (${code})`,
  );
}

function beatOf(answer: Answer): BeatAnswer {
  const body = expectOk(answer, 'a beat');
  const checked = checkBeatAnswer(body);
  if (!checked.ok)
    throw new CoordinatorError(
      'COORDINATOR_UNREACHABLE',
      `the coordinator's beat answer is malformed (${checked.problem})`,
    );
  if (checked.value.state === 'failed')
    throw new CoordinatorError(
      'COORDINATOR_RUN_FAILED',
      `the run was called off: ${checked.value.reason ?? 'no reason given'}`,
    );
  return checked.value;
}

export class ShardSession {
  readonly shard: Shard;
  readonly info: RunInfo;
  readonly host = hostname();
  readonly #client: CoordinatorClient;
  readonly #log: (line: string) => void;
  readonly #signal: AbortSignal | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #calledOff = false;

  private constructor(
    client: CoordinatorClient,
    info: RunInfo,
    shard: Shard,
    options: ShardSessionOptions,
  ) {
    this.#client = client;
    this.info = info;
    this.shard = shard;
    this.#log = options.log ?? (() => {});
    this.#signal = options.signal;
  }

  /** This shard's session id (it names every request of this shard). */
  get id(): string {
    return this.#client.session;
  }

  /** Finds the coordinator (waiting for it up to `connectWaitMs`) and claims this shard's index. */
  static async open(options: ShardSessionOptions): Promise<ShardSession> {
    const client = new CoordinatorClient(options.url, options.key);
    try {
      const info = await ShardSession.#runInfo(client, options);
      client.run = info.run;
      const shard =
        options.shard === 'auto'
          ? shardFromEnvironment(options.env ?? process.env, info.shards)
          : options.shard;
      client.session = randomBytes(16).toString('hex');
      const session = new ShardSession(client, info, shard, options);
      await session.#call(
        'POST',
        paths.shard(shard.index, 'join'),
        { json: { count: shard.count, host: session.host } },
        `shard ${shard.index}/${shard.count}`,
        REQUEST_TIMEOUT_MS,
      );
      session.#log(
        `coordinator ${client.url.origin}: joined run ${info.run.slice(0, 12)} as shard ${shard.index}/${shard.count}`,
      );
      session.#beatLater();
      return session;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  static async #runInfo(client: CoordinatorClient, options: ShardSessionOptions): Promise<RunInfo> {
    const waitMs = options.connectWaitMs ?? 120_000;
    const until = performance.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      try {
        const body = expectOk(
          await client.send('GET', paths.run(), null, REQUEST_TIMEOUT_MS),
          'this shard',
        );
        const checked = checkRunInfo(body);
        if (!checked.ok)
          throw new CoordinatorError(
            'COORDINATOR_UNREACHABLE',
            `${client.url.origin} does not speak the coordinator protocol (${checked.problem})`,
          );
        return checked.value;
      } catch (error) {
        const retriable =
          isCodedError(error) &&
          error.code === 'COORDINATOR_UNREACHABLE' &&
          /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|no answer/.test(error.message);
        if (!retriable || performance.now() >= until) {
          if (retriable)
            throw new CoordinatorError(
              'COORDINATOR_UNREACHABLE',
              `no coordinator answered at ${client.url.origin} within ${Math.round(waitMs / 1000)} s (${(error as Error).message})`,
            );
          throw error;
        }
        if (attempt === 0) options.log?.(`waiting for the coordinator at ${client.url.origin}`);
        await sleep(1000, undefined, options.signal ? { signal: options.signal } : {});
      }
    }
  }

  /** Beats while the shard prepares and runs, so the coordinator knows it is alive. */
  #beatLater(): void {
    if (this.#closed) return;
    this.#beatTimer = setTimeout(() => {
      this.#beat()
        .catch((error: unknown) => {
          // Said once; the upload at the end is refused with the same reason.
          if (!this.#calledOff && isCodedError(error) && error.code === 'COORDINATOR_RUN_FAILED') {
            this.#calledOff = true;
            this.#log(error.message);
          }
        })
        .finally(() => this.#beatLater());
    }, this.info.beatMs);
    this.#beatTimer.unref();
  }

  async #beat(): Promise<{ answer: Answer; beat: BeatAnswer }> {
    const answer = await this.#client.send(
      'POST',
      paths.shard(this.shard.index, 'beat'),
      null,
      REQUEST_TIMEOUT_MS,
    );
    return { answer, beat: beatOf(answer) };
  }

  /**
   * The start barrier (load/ `startGate`): reports ready, beats every `pollMs` until the
   * coordinator releases the run, places the start by the quickest of a few exchanges, and
   * returns it on this host's clock with what to record of it.
   */
  readonly startGate = async (ready: ShardReady): Promise<StartDecision> => {
    const { info } = this;
    await this.#call(
      'POST',
      paths.shard(this.shard.index, 'ready'),
      {
        json: {
          identity: identityOf(ready.workload, ready.genesisTotal),
          planned: ready.planned,
          genesisSent: ready.genesisOps,
          durationMs: Math.ceil(ready.durationMs),
        },
      },
      'the ready report',
      REQUEST_TIMEOUT_MS,
    );
    const readyAt = performance.now();
    this.#log(
      `ready: waiting for every shard and the genesis (shard ${this.shard.index}/${this.shard.count})`,
    );
    const samples: Array<ClockSample & { readonly startInMs?: number }> = [];
    let heard = performance.now();
    let releasedAfterMs = 0;
    // Waiting: bounded by the coordinator's silence (it fails the run on its ready timeout).
    for (;;) {
      this.#signal?.throwIfAborted();
      let exchange: { answer: Answer; beat: BeatAnswer } | undefined;
      try {
        exchange = await this.#beat();
      } catch (error) {
        if (!isCodedError(error) || error.code !== 'COORDINATOR_UNREACHABLE') throw error;
        if (performance.now() - heard > info.shardTimeoutMs)
          throw new CoordinatorError(
            'COORDINATOR_UNREACHABLE',
            `the coordinator went silent while this shard waited for the start (${error.message})`,
          );
      }
      if (exchange !== undefined) {
        heard = performance.now();
        const { answer, beat } = exchange;
        samples.push({
          sentAtMs: answer.sentAtMs,
          rttMs: answer.rttMs,
          coordinatorNowMs: beat.now,
          ...(beat.startInMs === undefined ? {} : { startInMs: beat.startInMs }),
        });
        if (beat.startInMs !== undefined) {
          releasedAfterMs = performance.now() - readyAt;
          break;
        }
      }
      await sleep(info.pollMs, undefined, this.#signal ? { signal: this.#signal } : {});
    }
    // Released: a few more exchanges at once; the quickest places the start.
    for (let i = 1; i < PLACEMENT_EXCHANGES; i++) {
      try {
        const { answer, beat } = await this.#beat();
        if (beat.startInMs === undefined) break;
        samples.push({
          sentAtMs: answer.sentAtMs,
          rttMs: answer.rttMs,
          coordinatorNowMs: beat.now,
          startInMs: beat.startInMs,
        });
      } catch (error) {
        if (!isCodedError(error) || error.code !== 'COORDINATOR_UNREACHABLE') throw error;
      }
    }
    const released = samples.filter(
      (s): s is ClockSample & { startInMs: number } => s.startInMs !== undefined,
    );
    const best = quickest(released)!;
    if (best.rttMs > info.maxRttMs)
      throw new CoordinatorError(
        'COORDINATOR_START_UNBOUNDED',
        `no exchange with the coordinator was quicker than ${best.rttMs.toFixed(1)} ms round trip, above the run's bound of ${info.maxRttMs} ms: the start cannot be placed within +-${info.maxRttMs / 2} ms`,
      );
    const { startAtMs, boundMs } = placeStart(best);
    if (startAtMs - Date.now() < MIN_START_MARGIN_MS)
      throw new CoordinatorError(
        'COORDINATOR_RUN_FAILED',
        `the release reached this shard too late to start on time (start ${Math.round(startAtMs - Date.now())} ms away): raise the coordinator's --start-lead`,
      );
    const clock = quickest(samples)!;
    return {
      startAtMs,
      record: {
        coordinator: this.#client.url.origin,
        run: this.info.run,
        session: this.#client.session,
        host: this.host,
        clockOffsetMs: round3(clockOffsetOf(clock)),
        clockRttMs: round3(clock.rttMs),
        startRttMs: round3(best.rttMs),
        startBoundMs: round3(boundMs),
        startInMs: best.startInMs,
        firstStartInMs: released[0]!.startInMs,
        startAtMs: round3(startAtMs),
        waitedMs: Math.round(releasedAfterMs),
      },
    };
  };

  /** Uploads the result files of `dir` and marks this shard's part complete. */
  async upload(dir: string): Promise<{ readonly bytes: number }> {
    const digests: Partial<Record<ResultFileName, string>> = {};
    let total = 0;
    for (const name of RESULT_FILES) {
      const file = join(dir, name);
      const size = await stat(file).then(
        (s) => s.size,
        () => null,
      );
      if (size === null) {
        if (REQUIRED_FILES.includes(name))
          throw new CoordinatorError(
            'COORDINATOR_REFUSED',
            `cannot upload the results: ${file} is missing`,
          );
        continue;
      }
      const sha256 = await fileSha256(file);
      await this.#call(
        'PUT',
        paths.file(this.shard.index, name),
        { file, sha256, bytes: size },
        `the upload of ${name}`,
        UPLOAD_TIMEOUT_MS,
      );
      digests[name] = sha256;
      total += size;
    }
    await this.#call(
      'POST',
      paths.shard(this.shard.index, 'done'),
      { json: { files: digests } },
      'the results',
      UPLOAD_TIMEOUT_MS,
    );
    this.#log(`results uploaded to the coordinator (${total} bytes)`);
    return { bytes: total };
  }

  /**
   * One request whose answer must be 200, sent again (it is idempotent) when the network failed
   * it: a keep-alive socket the coordinator closed just as it was reused, a brief outage.
   */
  async #call(
    method: string,
    path: string,
    body: Body,
    what: string,
    timeoutMs: number,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return expectOk(await this.#client.send(method, path, body, timeoutMs), what);
      } catch (error) {
        const network = isCodedError(error) && error.code === 'COORDINATOR_UNREACHABLE';
        if (!network || attempt >= ATTEMPTS) throw error;
        await sleep(500 * attempt);
      }
    }
  }

  /** Tells the coordinator this shard failed (best effort: the run fails either way). */
  async fail(error: unknown): Promise<void> {
    if (isCodedError(error) && error.code === 'COORDINATOR_RUN_FAILED') return;
    const message = error instanceof Error ? error.message : String(error);
    const code = isCodedError(error) ? error.code : 'UNEXPECTED';
    try {
      await this.#client.send(
        'POST',
        paths.shard(this.shard.index, 'failed'),
        { json: { code, message: message.slice(0, 4000) } },
        5_000,
      );
    } catch {
      // The coordinator learns of it from this shard's silence instead.
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#beatTimer);
    this.#client.close();
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .once('error', reject)
      .once('end', () => resolve(hash.digest('hex')));
  });
}
