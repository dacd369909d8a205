/**
 * The run's state as the coordinator keeps it: which shard holds which index, who is ready,
 * when the start is, who has uploaded, and why the run failed. Pure (the clock is given), so
 * every rule is tested without a network; server.ts only maps requests onto these calls.
 *
 * Rules:
 * - A shard index belongs to the first session that joins it; another session is refused.
 * - The start is released when every shard is ready and the genesis has been sent (the shard
 *   that sent it says so when ready: it gets ready only after its genesis was answered).
 * - The run fails, and every shard still waiting is told why, when a shard reports a failure,
 *   goes silent longer than the shard timeout, joins with another shard count, or is ready with
 *   another workload; when the shards are not all ready within the ready timeout; or when a
 *   shard's results are not in within the collection grace after the planned end.
 */
import {
  type BeatAnswer,
  canonicalJson,
  type JoinBody,
  type ReadyBody,
  type RunState,
  type WorkloadIdentity,
} from './protocol.js';

export interface BarrierSettings {
  readonly shards: number;
  /** From the release to the start, ms: time for every shard to hear of it. */
  readonly leadMs: number;
  /** A shard silent this long is lost. */
  readonly shardTimeoutMs: number;
  /** Every shard must be ready this long after the coordinator started. */
  readonly readyTimeoutMs: number;
  /** Every shard's results must be in this long after the planned end of the run. */
  readonly collectGraceMs: number;
  /** The coordinator's clock, epoch ms. */
  readonly now: () => number;
  /** One line per event (a shard joined, ready, done; the release; a failure). */
  readonly note?: (line: string) => void;
}

/** A refused request: HTTP status, a stable code and one line. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface ShardRecord {
  readonly index: number;
  readonly session: string;
  readonly host: string;
  readonly joinedAt: number;
  lastSeen: number;
  ready?: ReadyBody & { readonly at: number };
  /** When its result files were accepted. */
  doneAt?: number;
  /** Bytes and the first byte's arrival of its upload. */
  uploadBytes: number;
  uploadStartedAt?: number;
  /** Sessions that tried to take this index after it was taken (their hosts). */
  readonly intruders: string[];
}

const refuse = (status: number, code: string, message: string): Refusal => ({
  status,
  code,
  message,
});

export class Barrier {
  readonly settings: BarrierSettings;
  readonly startedAt: number;
  readonly #shards = new Map<number, ShardRecord>();
  #state: RunState = 'gathering';
  #failure: string | undefined;
  #identity: WorkloadIdentity | undefined;
  #releasedAt: number | undefined;
  #startAt: number | undefined;
  #durationMs = 0;
  readonly #listeners: Array<() => void> = [];

  constructor(settings: BarrierSettings) {
    this.settings = settings;
    this.startedAt = settings.now();
  }

  get state(): RunState {
    return this.#state;
  }
  get failure(): string | undefined {
    return this.#failure;
  }
  /** When the coordinator decided the start, and the start itself (its clock, epoch ms). */
  get releasedAt(): number | undefined {
    return this.#releasedAt;
  }
  get startAt(): number | undefined {
    return this.#startAt;
  }
  get durationMs(): number {
    return this.#durationMs;
  }
  shards(): readonly ShardRecord[] {
    return [...this.#shards.values()].sort((a, b) => a.index - b.index);
  }
  /** Every shard's results are in. */
  allDone(): boolean {
    return (
      this.#shards.size === this.settings.shards &&
      this.shards().every((s) => s.doneAt !== undefined)
    );
  }

  /** Called on every change of state (release, failure, a shard done). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  join(index: number, session: string, body: JoinBody): Refusal | null {
    const gone = this.#gone();
    if (gone !== null) return gone;
    const { shards } = this.settings;
    if (body.count !== shards || index >= shards) {
      this.fail(
        `a shard on ${body.host} joined as shard ${index}/${body.count}, but this run has ${shards} shard${shards === 1 ? '' : 's'}: every shard must be started with the same count`,
      );
      return this.#gone();
    }
    const held = this.#shards.get(index);
    if (held !== undefined) {
      if (held.session === session) return null;
      if (held.intruders.length < 8) held.intruders.push(body.host);
      return refuse(
        409,
        'SHARD_TAKEN',
        `shard ${index} is already held by a process on ${held.host}; two processes were started for one shard`,
      );
    }
    if (this.#state !== 'gathering') return refuse(409, 'TOO_LATE', 'the run has already started');
    const now = this.settings.now();
    this.#shards.set(index, {
      index,
      session,
      host: body.host,
      joinedAt: now,
      lastSeen: now,
      uploadBytes: 0,
      intruders: [],
    });
    this.#note(`shard ${index} joined from ${body.host} (${this.#shards.size}/${shards})`);
    return null;
  }

  ready(index: number, session: string, body: ReadyBody): Refusal | null {
    const shard = this.#holder(index, session);
    if ('status' in shard) return shard;
    shard.lastSeen = this.settings.now();
    const gone = this.#gone();
    if (gone !== null) return gone;
    if (shard.ready !== undefined) return null;
    if (this.#state !== 'gathering') return refuse(409, 'TOO_LATE', 'the run has already started');
    if (this.#identity === undefined) this.#identity = body.identity;
    else if (canonicalJson(this.#identity) !== canonicalJson(body.identity)) {
      const first = this.shards().find((s) => s.ready !== undefined)!;
      this.fail(
        `shard ${index} on ${shard.host} loaded another workload than shard ${first.index} on ${first.host} ` +
          `(${differences(this.#identity, body.identity)}): every shard must run the same scenario with the same options`,
      );
      return this.#gone();
    }
    shard.ready = { ...body, at: this.settings.now() };
    this.#durationMs = Math.max(this.#durationMs, body.durationMs);
    const readyCount = this.shards().filter((s) => s.ready !== undefined).length;
    this.#note(
      `shard ${index} ready: ${body.planned} ops${body.genesisSent > 0 ? `, genesis of ${body.genesisSent} ops sent` : ''} (${readyCount}/${this.settings.shards} ready)`,
    );
    this.#maybeRelease();
    return null;
  }

  /** Liveness and the barrier's state, for the shard of `session`. */
  beat(index: number, session: string): BeatAnswer | Refusal {
    const shard = this.#holder(index, session);
    if ('status' in shard) return shard;
    const now = this.settings.now();
    shard.lastSeen = now;
    if (this.#state === 'failed')
      return { state: 'failed', now, ...(this.#failure ? { reason: this.#failure } : {}) };
    if (this.#startAt === undefined) return { state: this.#state, now };
    return { state: this.#state, now, startInMs: this.#startAt - now };
  }

  /** A shard reports that it could not carry out its part: the run fails with its reason. */
  shardFailed(index: number, session: string, code: string, message: string): Refusal | null {
    const shard = this.#holder(index, session);
    if ('status' in shard) return shard;
    if (this.#state === 'complete' || this.#state === 'failed') return null;
    this.fail(`shard ${index} on ${shard.host} failed: ${message} (${code})`);
    return null;
  }

  /** Whether `session` may upload shard `index`'s files now; counts the bytes. */
  mayUpload(index: number, session: string): Refusal | ShardRecord {
    const shard = this.#holder(index, session);
    if ('status' in shard) return shard;
    const gone = this.#gone();
    if (gone !== null) return gone;
    if (this.#state !== 'released')
      return refuse(409, 'NOT_STARTED', 'results before the start: the run has not been released');
    if (shard.doneAt !== undefined)
      return refuse(409, 'ALREADY_DONE', `shard ${index}'s results are already in`);
    const now = this.settings.now();
    shard.lastSeen = now;
    shard.uploadStartedAt ??= now;
    return shard;
  }

  /** Shard `index`'s files passed every check. */
  shardDone(index: number): void {
    const shard = this.#shards.get(index);
    if (shard === undefined || shard.doneAt !== undefined) return;
    shard.doneAt = this.settings.now();
    const done = this.shards().filter((s) => s.doneAt !== undefined).length;
    this.#note(
      `shard ${index}'s results are in (${done}/${this.settings.shards}, ${shard.uploadBytes} bytes)`,
    );
    this.#changed();
  }

  /** Every shard's results were merged. */
  complete(): void {
    if (this.#state !== 'released') return;
    this.#state = 'complete';
    this.#changed();
  }

  /** Calls the run off (the first reason is kept). */
  fail(reason: string): void {
    if (this.#state === 'failed' || this.#state === 'complete') return;
    this.#state = 'failed';
    this.#failure = reason;
    this.#note(`run failed: ${reason}`);
    this.#changed();
  }

  /** Checks the timeouts; call it every second or so. */
  tick(): void {
    if (this.#state !== 'gathering' && this.#state !== 'released') return;
    const now = this.settings.now();
    const s = this.settings;
    for (const shard of this.shards()) {
      if (shard.doneAt !== undefined) continue;
      const silent = now - shard.lastSeen;
      if (silent > s.shardTimeoutMs) {
        const where =
          this.#state === 'released'
            ? 'during the run'
            : shard.ready === undefined
              ? 'while getting ready'
              : 'while waiting for the start';
        const intruders =
          shard.intruders.length === 0
            ? ''
            : `; meanwhile another process (${shard.intruders.join(', ')}) tried to take it`;
        this.fail(
          `shard ${shard.index} on ${shard.host} went silent ${where}: nothing heard for ${seconds(silent)} (shard timeout ${seconds(s.shardTimeoutMs)})${intruders}`,
        );
        return;
      }
    }
    if (this.#state === 'gathering' && now - this.startedAt > s.readyTimeoutMs) {
      const missing: number[] = [];
      const preparing: number[] = [];
      for (let i = 0; i < s.shards; i++) {
        const shard = this.#shards.get(i);
        if (shard === undefined) missing.push(i);
        else if (shard.ready === undefined) preparing.push(i);
      }
      this.fail(
        `not every shard was ready within the ready timeout (${seconds(s.readyTimeoutMs)}): ` +
          [
            missing.length > 0 ? `never joined: ${list(missing)}` : '',
            preparing.length > 0 ? `joined but not ready: ${list(preparing)}` : '',
          ]
            .filter((x) => x !== '')
            .join('; '),
      );
      return;
    }
    if (this.#state === 'released' && this.#startAt !== undefined) {
      const deadline = this.#startAt + this.#durationMs + s.collectGraceMs;
      if (now > deadline) {
        const late = this.shards()
          .filter((x) => x.doneAt === undefined)
          .map((x) => x.index);
        this.fail(
          `no results from ${late.length === 1 ? 'shard' : 'shards'} ${list(late)} within ${seconds(s.collectGraceMs)} of the planned end of the run`,
        );
      }
    }
  }

  #holder(index: number, session: string): ShardRecord | Refusal {
    const shard = this.#shards.get(index);
    if (shard === undefined) return refuse(409, 'NOT_JOINED', `shard ${index} has not joined`);
    if (shard.session !== session)
      return refuse(
        409,
        'SHARD_TAKEN',
        `shard ${index} is held by another process (${shard.host})`,
      );
    return shard;
  }

  #gone(): Refusal | null {
    if (this.#state === 'failed')
      return refuse(410, 'RUN_FAILED', this.#failure ?? 'the run failed');
    if (this.#state === 'complete') return refuse(410, 'RUN_COMPLETE', 'the run is complete');
    return null;
  }

  #maybeRelease(): void {
    const { shards, leadMs } = this.settings;
    if (this.#shards.size !== shards) return;
    const all = this.shards();
    if (!all.every((s) => s.ready !== undefined)) return;
    const genesis = this.#identity?.genesisOps ?? 0;
    if (genesis > 0 && !all.some((s) => s.ready!.genesisSent === genesis)) {
      this.fail(
        `every shard is ready but none sent the genesis (${genesis} ops): shard 0 sends it; check that every shard targets the same engine and options`,
      );
      return;
    }
    const now = this.settings.now();
    this.#releasedAt = now;
    this.#startAt = now + leadMs;
    this.#state = 'released';
    this.#note(`every shard is ready: the run starts in ${leadMs} ms`);
    this.#changed();
  }

  #note(line: string): void {
    this.settings.note?.(line);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function list(indexes: readonly number[]): string {
  return indexes.length <= 12
    ? indexes.join(', ')
    : `${indexes.slice(0, 12).join(', ')} and ${indexes.length - 12} more`;
}

/** The fields in which two workload identities differ, for the reader. */
function differences(a: WorkloadIdentity, b: WorkloadIdentity): string {
  const keys = Object.keys(a) as Array<keyof WorkloadIdentity>;
  return keys
    .filter((k) => a[k] !== b[k])
    .map((k) => (k === 'params' ? 'parameters' : `${k} ${String(a[k])} vs ${String(b[k])}`))
    .join(', ');
}
