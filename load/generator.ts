/**
 * One load generator: sends its share of the workload's ops, open model.
 *
 * Every op has an intended send time (startAt + at). One timer, armed for the next due op, and
 * every answer, wake the pump, which sends everything due in one pass: no timer per op, no
 * spinning. An op waits for its dependency's answer before it is sent; an op that cannot go out
 * within `maxLagMs` of becoming sendable (in-flight limit reached, generator too slow) is dropped
 * and counted, like k6's dropped_iterations, instead of silently sliding the schedule.
 *
 * Latency is measured from the intended send time (wrk2's rule: the wait of an op that was due
 * but not yet sent is part of its latency), and separately from the actual send (service time).
 * For an op that had to wait for its dependency, "intended" means when it could first be sent
 * (the dependency's answer): that wait is the workload's ordering, recorded on its own.
 */

import { performance } from 'node:perf_hooks';
import { scheduleArrivals } from '../rates/index.js';
import { MAX_MISMATCH_SAMPLES, type MismatchSample } from '../result-format/index.js';
import type { Workload } from '../scenarios/workload/index.js';
import { classifyAnswer } from './answer.js';
import { ClassRecorder } from './class-recorder.js';
import {
  ANSWER_TIMEOUT_CODE,
  createTransport,
  type Transport,
  type TransportSink,
} from './clients/index.js';
import { OpTable } from './op-table.js';
import type { GeneratorConfig } from './options.js';
import type { GeneratorTally, WireBucket } from './protocol.js';
import { SecondRecorder } from './recorder.js';
import { REHEARSAL_OPS, REHEARSAL_RATE, rehearsalWorkload } from './rehearsal.js';
import { type Segment, WHOLE } from './segment.js';

// Op states.
const PENDING = 0;
const WAITING = 1;
const READY = 2;
const IN_FLIGHT = 3;
const RETRY = 4;
const ANSWERED = 5;
const DROPPED = 6;
const LOST = 7;

/**
 * How late a due op may leave, at most, to go with the next timer tick rather than on an earlier
 * wake-up (an answer). Sends that share a tick share the wake-ups of both processes (the answers
 * of a batch come back together); sending every op on the first wake-up after it is due spreads
 * the requests out, and then nearly every answer is a wake-up of its own.
 */
const SEND_SLACK_MS = 0.7;
/** Starting estimate of how late a timer fires after its due time (measured from then on). */
const TIMER_LATENESS_MS = 0.1;

/** Delay before re-sending after a connection error, times the attempt number. */
const CONNECT_RETRY_DELAY_MS = 100;
/**
 * Rehearsal body: a POST of a transaction's size, so the rehearsal warms the same write path as
 * the real sends (and the target's POST handling); /healthz answers it with an error or 404.
 */
const PROBE_BODY = Buffer.from(JSON.stringify({ probe: true, pad: 'x'.repeat(300) }));

/** Waits for `promise`, or calls `onTimeout` and returns after `ms`. */
async function withTimeout(
  promise: Promise<unknown>,
  ms: number,
  onTimeout: () => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        onTimeout();
        resolve();
      }, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** What a generator hands back when its run ends. */
export interface GeneratorReport {
  readonly tally: GeneratorTally;
  /** The data recorded since the last interval flush. */
  readonly buckets: WireBucket[];
  readonly reason: 'completed' | 'grace' | 'aborted';
}

/**
 * The open-model sender of one process. Build it (computes the share), optionally `warmup()`,
 * then `run(startAtMs)` once.
 */
export class LoadGenerator implements TransportSink {
  /** Ops this generator will send (its share, after any schedule override). */
  readonly planned: number;

  readonly #config: GeneratorConfig;
  readonly #onInterval: (buckets: WireBucket[]) => void;
  /** The HTTP client (`config.client`): requests encoded once at set-up, sent by op index. */
  readonly #transport: Transport;
  /** From a batch's start until it has left (the transport coalesces writes per connection). */
  #corked = false;
  /** Ops written during the batch: really sent when the batch is flushed. */
  readonly #writtenWhileCorked: number[] = [];
  readonly #maxLag: number;

  /** Every op of this generator's share, by local index k: what it is and where it stands. */
  readonly #ops: OpTable;
  /** FIFO of sendable ops (ring buffer; an op is in it at most once). */
  readonly #ready: Int32Array;
  #readyHead = 0;
  #readyLen = 0;
  readonly #retries: Array<{ readonly k: number; readonly at: number }> = [];

  #cursor = 0;
  #inFlight = 0;
  #startPerf = 0;
  #recorder: SecondRecorder | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** What the armed timer is for: the next intended send or retry (performance.now()). */
  #timerAt = Number.POSITIVE_INFINITY;
  /** When the armed timer is due by Node's clock: armed at + its whole-ms delay. */
  #timerDue = Number.POSITIVE_INFINITY;
  /** How late timers fire after they are due, ms (a moving average). */
  #timerLateness = TIMER_LATENESS_MS;
  #flushTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #pumpQueued = false;
  #running = false;
  #finished = false;
  #resolve: ((report: GeneratorReport) => void) | undefined;

  #matched = 0;
  #mismatched = 0;
  #lost = 0;
  #retried = 0;
  readonly #samples: MismatchSample[] = [];
  /** Answers, errors, drops and latency per operation type and per channel. */
  readonly #classes: ClassRecorder;

  constructor(
    workload: Workload,
    segment: Segment,
    config: GeneratorConfig,
    onInterval: (buckets: WireBucket[]) => void,
    /** Rehearsal only: POST a probe to /healthz instead of the ops (see `warmup`). */
    probe = false,
  ) {
    this.#config = config;
    this.#onInterval = onInterval;
    this.#maxLag = config.maxLagMs ?? Number.POSITIVE_INFINITY;
    const ops = workload.ops;
    let at: ArrayLike<number> = ops.at;
    let n = ops.bodies.length;
    if (config.schedule !== null) {
      at = scheduleArrivals(config.schedule, n);
      n = at.length;
    }
    const { table, bodies } = OpTable.build(workload, at, n, segment, probe ? PROBE_BODY : null);
    this.#ops = table;
    const m = table.size;
    this.planned = m;
    // Per operation type and channel, for the run's breakdown (load/class-recorder.ts).
    this.#classes = new ClassRecorder(
      Array.from(table.global, (i) => workload.ops.type[i]!),
      Array.from(table.global, (i) => workload.ops.channel?.[i]),
    );
    this.#ready = new Int32Array(Math.max(1, m));
    this.#transport = createTransport(
      { config, path: probe ? '/healthz' : config.path, bodies },
      this,
    );
  }

  /**
   * Gets ready to send on time, before the start (nothing here is measured):
   * 1. a rehearsal: a throw-away generator POSTs probes to /healthz through the same code paths
   *    (pump, dispatch, answers, recording, encoding) at a steady rate, so V8 has optimised
   *    them before the first measured op; cold, the first second runs several times slower and
   *    the generator falls behind its schedule (bench/driver.ts showed 100+ ms of send lag);
   * 2. opens this generator's connections, so connection set-up is not measured as send lag.
   * Best effort: answers and failures are ignored.
   */
  async warmup(timeoutMs = 3000): Promise<void> {
    const rehearsal = new LoadGenerator(
      rehearsalWorkload(REHEARSAL_OPS),
      WHOLE,
      {
        ...this.#config,
        schedule: { type: 'constant', rate: REHEARSAL_RATE, durationMs: 60_000 },
        maxLagMs: null,
        graceMs: 500,
        flushIntervalMs: 60_000,
        warmup: false,
      },
      () => undefined,
      true,
    );
    await withTimeout(rehearsal.run(Date.now() + 10), timeoutMs, () => rehearsal.abort());
    await this.#transport.connect(timeoutMs);
  }

  /** Runs the measured phase starting at `startAtMs` (epoch ms); resolves when it is over. */
  run(startAtMs: number): Promise<GeneratorReport> {
    if (this.#running) return Promise.reject(new Error('LoadGenerator.run() called twice'));
    this.#running = true;
    this.#startPerf = startAtMs - performance.timeOrigin;
    const recorder = new SecondRecorder(this.#startPerf);
    this.#recorder = recorder;
    const promise = new Promise<GeneratorReport>((resolve) => {
      this.#resolve = resolve;
    });
    this.#flushTimer = setInterval(() => {
      const buckets = recorder.flush(recorder.second(performance.now()) - 1);
      if (buckets.length > 0) this.#onInterval(buckets);
    }, this.#config.flushIntervalMs);
    this.#arm(performance.now());
    if (this.planned === 0) this.#finish('completed');
    return promise;
  }

  /** Stops at once: in-flight ops count as lost, unsent ones as dropped. */
  abort(): void {
    if (this.#running && !this.#finished) this.#finish('aborted');
    else if (!this.#running) this.#transport.destroy();
  }

  // ---- scheduling -------------------------------------------------------------------------

  readonly #pump = (): void => {
    this.#pumpQueued = false;
    if (this.#finished) return;
    const now = performance.now();
    const rel = now - this.#startPerf;
    const m = this.planned;
    const intended = this.#ops.intended;
    while (this.#cursor < m && intended[this.#cursor]! <= rel) this.#releaseOp(this.#cursor++);
    const retries = this.#retries;
    while (retries.length > 0 && retries[0]!.at <= now) {
      const r = retries.shift()!;
      this.#enqueue(r.k, r.at);
    }
    const release = this.#ops.release;
    const maxLag = this.#maxLag;
    if (this.#readyLen > 0 && this.#inFlight < this.#config.maxInFlight) {
      this.#corked = true;
      this.#transport.cork();
      while (this.#readyLen > 0 && this.#inFlight < this.#config.maxInFlight) {
        const k = this.#dequeue();
        if (now - release[k]! > maxLag) this.#drop(k);
        else this.#send(k, now);
      }
      this.#transport.uncork();
    }
    // Ops still waiting for a free slot are dropped as soon as they are too late.
    while (this.#readyLen > 0 && now - release[this.#ready[this.#readyHead]!]! > maxLag) {
      this.#drop(this.#dequeue());
    }
    if (this.#cursor === m) {
      if (this.#readyLen === 0 && retries.length === 0 && this.#inFlight === 0) {
        this.#finish('completed');
        return;
      }
      if (this.#graceTimer === undefined) {
        this.#graceTimer = setTimeout(() => this.#finish('grace'), this.#config.graceMs);
      }
    }
    this.#arm(now);
  };

  /**
   * @internal the batch left (requests for one connection in one writev): its sends are recorded
   * with one clock read
   */
  flushed(): void {
    this.#corked = false;
    const written = this.#writtenWhileCorked;
    if (written.length === 0) return;
    const now = performance.now();
    for (const k of written) this.#recordSend(k, now);
    written.length = 0;
  }

  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(this.#pump);
  }

  /** Arms the one timer for the next intended send or retry, unless it already fires earlier. */
  #arm(now: number): void {
    let next =
      this.#cursor < this.planned
        ? this.#startPerf + this.#ops.intended[this.#cursor]!
        : Number.POSITIVE_INFINITY;
    if (this.#retries.length > 0) next = Math.min(next, this.#retries[0]!.at);
    if (next === Number.POSITIVE_INFINITY || (this.#timer !== undefined && this.#timerAt <= next)) {
      return;
    }
    clearTimeout(this.#timer);
    this.#timerAt = next;
    // Node timers have 1 ms resolution; an early wake-up just re-arms.
    const delay = Math.max(1, Math.ceil(next - now));
    this.#timerDue = now + delay;
    this.#timer = setTimeout(this.#onTimer, delay);
  }

  readonly #onTimer = (): void => {
    const late = performance.now() - this.#timerDue;
    this.#timerLateness += 0.1 * (late - this.#timerLateness);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#timerDue = Number.POSITIVE_INFINITY;
    this.#pump();
  };

  /**
   * Whether an op is due that would leave more than SEND_SLACK_MS after its time if it waited
   * for the armed timer: then the wake-up at hand sends it (and everything else due).
   */
  #urgent(now: number): boolean {
    if (this.#cursor === this.planned) return false;
    const due = this.#startPerf + this.#ops.intended[this.#cursor]!;
    if (due > now) return false;
    return this.#timer === undefined || this.#timerDue + this.#timerLateness - due > SEND_SLACK_MS;
  }

  /** The op's intended time has come: count it offered and make it sendable or let it wait. */
  #releaseOp(k: number): void {
    const rec = this.#recorder!;
    rec.counters(Math.floor(this.#ops.intended[k]! / 1000)).offered++;
    const d = this.#ops.dep[k]!;
    if (d >= 0) {
      const s = this.#ops.state[d]!;
      if (s === DROPPED || s === LOST) {
        this.#drop(k);
        return;
      }
      if (s !== ANSWERED) {
        this.#ops.state[k] = WAITING;
        this.#ops.waitNext[k] = this.#ops.waitHead[d]!;
        this.#ops.waitHead[d] = k;
        return;
      }
    }
    this.#ops.origin[k] = this.#startPerf + this.#ops.intended[k]!;
    this.#enqueue(k, this.#ops.origin[k]!);
  }

  #enqueue(k: number, releaseAt: number): void {
    this.#ops.state[k] = READY;
    this.#ops.release[k] = releaseAt;
    const cap = this.#ready.length;
    this.#ready[(this.#readyHead + this.#readyLen) % cap] = k;
    this.#readyLen++;
  }

  #dequeue(): number {
    const k = this.#ready[this.#readyHead]!;
    this.#readyHead = (this.#readyHead + 1) % this.#ready.length;
    this.#readyLen--;
    return k;
  }

  #send(k: number, now: number): void {
    this.#ops.state[k] = IN_FLIGHT;
    this.#inFlight++;
    this.#ops.sentAt[k] = now;
    if (this.#ops.overloads[k] === 0 && this.#ops.connectFailures[k] === 0) {
      const rec = this.#recorder!;
      rec.counters(rec.second(now)).sent++;
    }
    if (this.#graceTimer !== undefined) this.#graceTimer.refresh();
    this.#transport.send(k);
  }

  // ---- answers (called by the transport) --------------------------------------------------

  /** @internal the request was written to a socket (again, by the client itself, if `rewrite`) */
  started(k: number, rewrite = false): void {
    if (rewrite) this.#ops.maybeDuplicate[k] = 1;
    if (this.#corked) this.#writtenWhileCorked.push(k);
    else this.#recordSend(k, performance.now());
  }

  /** The op left for the engine at `now`: its service time starts; first sends record lag. */
  #recordSend(k: number, now: number): void {
    if (this.#ops.state[k] !== IN_FLIGHT) return;
    this.#ops.sentAt[k] = now;
    // lag of the first write of the first attempt only (not of retries or client rewrites)
    if (this.#ops.overloads[k] === 0 && this.#ops.maybeDuplicate[k] === 0) {
      const rec = this.#recorder!;
      rec.record(rec.second(now), 'sendLag', (now - this.#ops.release[k]!) * 1000);
    }
  }

  /** @internal a complete answer */
  answered(k: number, status: number, body: string, retryAfter: string | undefined): void {
    if (this.#finished || this.#ops.state[k] !== IN_FLIGHT) return;
    const now = performance.now();
    this.#inFlight--;
    if (this.#graceTimer !== undefined) this.#graceTimer.refresh();
    const answer = classifyAnswer(status, body, retryAfter);
    if (answer.kind === 'overloaded' && this.#ops.overloads[k]! < this.#config.maxRetries) {
      this.#ops.overloads[k]!++;
      this.#retry(k, now + answer.retryAfterMs);
      return;
    }
    const rec = this.#recorder!;
    const t = rec.second(now);
    const c = rec.counters(t);
    let got: string;
    if (answer.kind === 'settled' || answer.kind === 'rejected') {
      c.achieved++;
      if (this.#ops.offline[k] === 1) c.synced++;
      if (answer.kind === 'settled') {
        c.settled++;
        got = 'SETTLED';
      } else {
        c.rejectedByCode[answer.code] = (c.rejectedByCode[answer.code] ?? 0) + 1;
        got = answer.code;
      }
      rec.record(t, 'corrected', (now - this.#ops.origin[k]!) * 1000);
      rec.record(t, 'uncorrected', (now - this.#ops.sentAt[k]!) * 1000);
      this.#classes.answered(k, t, answer.kind === 'settled', (now - this.#ops.origin[k]!) * 1000);
    } else {
      c.errors++;
      this.#classes.error(k);
      got =
        answer.kind === 'overloaded'
          ? `OVERLOADED after ${this.#ops.overloads[k]} retries`
          : answer.got;
    }
    const expected = this.#ops.expected[k]!;
    if (
      got === expected ||
      // A resend after a connection error finding the first attempt settled.
      (got === 'DUPLICATE_TX' && expected === 'SETTLED' && this.#ops.maybeDuplicate[k] === 1)
    ) {
      this.#matched++;
    } else {
      this.#mismatched++;
      if (this.#samples.length < MAX_MISMATCH_SAMPLES) {
        this.#samples.push({ op: this.#ops.global[k]!, expected, got });
      }
    }
    this.#ops.state[k] = ANSWERED;
    this.#releaseWaiters(k, now);
    // An answer is a wake-up that costs nothing more: use it when ops wait for a free slot, the
    // run may be over, or a due op would be too late by the timer (sub-ms timing the 1 ms timer
    // cannot give). Ops the timer serves in time wait for it, so sends go out together.
    if (this.#readyLen > 0 || this.#cursor === this.planned || this.#urgent(now)) {
      this.#schedulePump();
    }
  }

  /** @internal no answer: connection refused/reset, timeout, socket closed */
  failed(k: number, error: Error): void {
    if (this.#finished || this.#ops.state[k] !== IN_FLIGHT) return;
    const now = performance.now();
    this.#inFlight--;
    const code = (error as { code?: unknown }).code;
    // after a timeout the request may have been processed: never retried
    const timedOut = code === ANSWER_TIMEOUT_CODE;
    if (!timedOut && this.#ops.connectFailures[k]! < this.#config.connectRetries) {
      this.#ops.connectFailures[k]!++;
      this.#ops.maybeDuplicate[k] = 1;
      this.#retry(k, now + CONNECT_RETRY_DELAY_MS * this.#ops.connectFailures[k]!);
      return;
    }
    this.#ops.state[k] = LOST;
    this.#lost++;
    const rec = this.#recorder!;
    rec.counters(rec.second(now)).errors++;
    this.#classes.error(k);
    this.#cascadeDrop(k);
    this.#schedulePump();
  }

  #retry(k: number, at: number): void {
    this.#retried++;
    this.#ops.state[k] = RETRY;
    const retries = this.#retries;
    let i = retries.length;
    while (i > 0 && retries[i - 1]!.at > at) i--;
    retries.splice(i, 0, { k, at });
    this.#schedulePump();
  }

  #releaseWaiters(d: number, now: number): void {
    let w = this.#ops.waitHead[d]!;
    if (w < 0) return;
    this.#ops.waitHead[d] = -1;
    const order: number[] = [];
    for (; w >= 0; w = this.#ops.waitNext[w]!) order.push(w);
    const rec = this.#recorder!;
    const t = rec.second(now);
    for (let i = order.length - 1; i >= 0; i--) {
      const k = order[i]!;
      rec.record(t, 'dependencyWait', (now - this.#startPerf - this.#ops.intended[k]!) * 1000);
      this.#ops.origin[k] = now;
      this.#enqueue(k, now);
    }
  }

  #drop(k: number): void {
    this.#ops.state[k] = DROPPED;
    this.#recorder!.counters(Math.floor(this.#ops.intended[k]! / 1000)).dropped++;
    this.#cascadeDrop(k);
  }

  /** Ops waiting on a dependency that will never be answered are dropped with it. */
  #cascadeDrop(d: number): void {
    const stack = [d];
    while (stack.length > 0) {
      const x = stack.pop()!;
      let w = this.#ops.waitHead[x]!;
      this.#ops.waitHead[x] = -1;
      while (w >= 0) {
        const next = this.#ops.waitNext[w]!;
        this.#ops.state[w] = DROPPED;
        this.#recorder!.counters(Math.floor(this.#ops.intended[w]! / 1000)).dropped++;
        stack.push(w);
        w = next;
      }
    }
  }

  #finish(reason: GeneratorReport['reason']): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#graceTimer);
    clearInterval(this.#flushTimer);
    const rec = this.#recorder!;
    // Whatever is left: sent and unanswered is lost; never sent is dropped.
    for (let k = 0; k < this.planned; k++) {
      const s = this.#ops.state[k]!;
      if (s === IN_FLIGHT || s === RETRY) {
        this.#ops.state[k] = LOST;
        this.#lost++;
      } else if (s === READY || s === WAITING || s === PENDING) {
        if (s === PENDING) rec.counters(Math.floor(this.#ops.intended[k]! / 1000)).offered++;
        this.#ops.state[k] = DROPPED;
        rec.counters(Math.floor(this.#ops.intended[k]! / 1000)).dropped++;
      }
    }
    for (let k = 0; k < this.planned; k++)
      if (this.#ops.state[k] === DROPPED) this.#classes.dropped(k);
    this.#cursor = this.planned;
    if (reason === 'completed') this.#transport.close();
    else this.#transport.destroy();
    const report: GeneratorReport = {
      reason,
      buckets: rec.flush(Number.POSITIVE_INFINITY),
      tally: {
        planned: this.planned,
        matched: this.#matched,
        mismatched: this.#mismatched,
        lost: this.#lost,
        retried: this.#retried,
        samples: this.#samples,
        classes: this.#classes.finish(),
      },
    };
    this.#resolve?.(report);
  }
}
