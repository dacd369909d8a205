/**
 * The barrier's rules on a clock the test moves: who holds an index, when the start is
 * released, and every way the run fails, each with the message a user reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, type BarrierSettings } from '../../coordinator/barrier.js';
import type { ReadyBody, WorkloadIdentity } from '../../coordinator/protocol.js';

const IDENTITY: WorkloadIdentity = {
  scenario: 'xiongan-retail',
  variant: null,
  seed: 'ci',
  suite: 'ed25519',
  params: 'a'.repeat(64),
  centralBankKey: 'b'.repeat(64),
  day: 18_372,
  lanes: 64,
  genesisOps: 40,
};

function ready(genesisSent = 0, identity: Partial<WorkloadIdentity> = {}): ReadyBody {
  return {
    identity: { ...IDENTITY, ...identity },
    planned: 100,
    genesisSent,
    durationMs: 5_000,
  };
}

function barrier(shards: number, over: Partial<BarrierSettings> = {}) {
  let now = 1_000_000;
  const notes: string[] = [];
  const b = new Barrier({
    shards,
    leadMs: 3_000,
    shardTimeoutMs: 10_000,
    readyTimeoutMs: 60_000,
    collectGraceMs: 20_000,
    now: () => now,
    note: (line) => notes.push(line),
    ...over,
  });
  return {
    b,
    notes,
    advance(ms: number) {
      now += ms;
      b.tick();
    },
    now: () => now,
  };
}

const S = ['s0', 's1', 's2'].map((s) => s.padEnd(32, '0'));

describe('the start barrier', () => {
  it('releases once every shard is ready and the genesis is sent, the start a lead away', () => {
    const { b, advance, now } = barrier(3);
    let changes = 0;
    b.onChange(() => changes++);
    for (let i = 0; i < 3; i++) assert.equal(b.join(i, S[i]!, { count: 3, host: `h${i}` }), null);
    assert.equal(b.ready(1, S[1]!, ready()), null);
    assert.equal(b.ready(2, S[2]!, ready()), null);
    advance(500);
    assert.deepEqual(b.beat(1, S[1]!), { state: 'gathering', now: now() });
    assert.equal(b.state, 'gathering');
    // shard 0 gets ready only after its genesis was answered
    assert.equal(b.ready(0, S[0]!, ready(40)), null);
    assert.equal(b.state, 'released');
    assert.equal(changes, 1);
    assert.equal(b.startAt, now() + 3_000);
    advance(1_200);
    assert.deepEqual(b.beat(2, S[2]!), { state: 'released', now: now(), startInMs: 1_800 });
  });

  it('a ready report is idempotent, and a join or ready after the release is refused', () => {
    const { b } = barrier(1);
    assert.equal(b.join(0, S[0]!, { count: 1, host: 'h' }), null);
    assert.equal(b.join(0, S[0]!, { count: 1, host: 'h' }), null);
    assert.equal(b.ready(0, S[0]!, ready(40)), null);
    assert.equal(b.ready(0, S[0]!, ready(40)), null);
    assert.equal(b.state, 'released');
    assert.equal(b.join(0, S[1]!, { count: 1, host: 'late' })?.code, 'SHARD_TAKEN');
  });

  it('keeps an index for its first session, refuses a second, and names it if the first goes silent', () => {
    const { b, advance } = barrier(2);
    assert.equal(b.join(0, S[0]!, { count: 2, host: 'pod-a' }), null);
    const second = b.join(0, S[1]!, { count: 2, host: 'pod-b' });
    assert.equal(second?.status, 409);
    assert.equal(second?.code, 'SHARD_TAKEN');
    // the second session can do nothing as shard 0
    assert.equal((b.beat(0, S[1]!) as { code: string }).code, 'SHARD_TAKEN');
    assert.equal(b.ready(0, S[1]!, ready(40))?.code, 'SHARD_TAKEN');
    assert.equal(b.state, 'gathering');
    advance(10_001);
    assert.equal(b.state, 'failed');
    assert.match(
      b.failure!,
      /^shard 0 on pod-a went silent while getting ready: nothing heard for 10 s \(shard timeout 10 s\); meanwhile another process \(pod-b\) tried to take it$/,
    );
  });

  it('a shard that goes silent while waiting for the start fails the run, and the others hear why', () => {
    const { b, advance } = barrier(3);
    for (let i = 0; i < 3; i++) b.join(i, S[i]!, { count: 3, host: `h${i}` });
    b.ready(0, S[0]!, ready(40));
    b.ready(1, S[1]!, ready());
    for (let t = 0; t < 11; t++) {
      advance(1_000);
      b.beat(0, S[0]!);
      b.beat(2, S[2]!);
    }
    assert.equal(b.state, 'failed');
    assert.match(
      b.failure!,
      /^shard 1 on h1 went silent while waiting for the start: nothing heard for 11 s \(shard timeout 10 s\)$/,
    );
    const told = b.beat(0, S[0]!);
    assert.equal((told as { state: string }).state, 'failed');
    assert.equal((told as { reason: string }).reason, b.failure);
    // nothing is accepted any more
    assert.equal(b.ready(2, S[2]!, ready())?.code, 'RUN_FAILED');
    assert.equal((b.mayUpload(0, S[0]!) as { code: string }).code, 'RUN_FAILED');
  });

  it('fails at once for a shard started with another count, or beyond the count', () => {
    const { b } = barrier(3);
    b.join(0, S[0]!, { count: 3, host: 'h0' });
    const refused = b.join(1, S[1]!, { count: 4, host: 'h1' });
    assert.equal(refused?.status, 410);
    assert.equal(b.state, 'failed');
    assert.equal(
      b.failure,
      'a shard on h1 joined as shard 1/4, but this run has 3 shards: every shard must be started with the same count',
    );
    const other = barrier(2);
    other.b.join(2, S[2]!, { count: 2, host: 'h2' });
    assert.equal(other.b.state, 'failed');
  });

  it('fails at once for a shard with another workload, naming what differs', () => {
    const { b } = barrier(2);
    b.join(0, S[0]!, { count: 2, host: 'h0' });
    b.join(1, S[1]!, { count: 2, host: 'h1' });
    b.ready(0, S[0]!, ready(40));
    b.ready(1, S[1]!, ready(0, { seed: 'other', params: 'c'.repeat(64) }));
    assert.equal(b.state, 'failed');
    assert.equal(
      b.failure,
      'shard 1 on h1 loaded another workload than shard 0 on h0 (seed ci vs other, parameters): every shard must run the same scenario with the same options',
    );
  });

  it('fails when every shard is ready but none sent the genesis', () => {
    const { b } = barrier(2);
    b.join(0, S[0]!, { count: 2, host: 'h0' });
    b.join(1, S[1]!, { count: 2, host: 'h1' });
    b.ready(0, S[0]!, ready());
    b.ready(1, S[1]!, ready());
    assert.equal(b.state, 'failed');
    assert.match(b.failure!, /^every shard is ready but none sent the genesis \(40 ops\)/);
    // a workload without genesis needs none
    const plain = barrier(1);
    plain.b.join(0, S[0]!, { count: 1, host: 'h0' });
    plain.b.ready(0, S[0]!, ready(0, { genesisOps: 0 }));
    assert.equal(plain.b.state, 'released');
  });

  it('fails when not every shard is ready within the ready timeout, saying which', () => {
    const { b, advance } = barrier(4, { readyTimeoutMs: 30_000, shardTimeoutMs: 60_000 });
    b.join(0, S[0]!, { count: 4, host: 'h0' });
    b.join(2, S[2]!, { count: 4, host: 'h2' });
    b.ready(0, S[0]!, ready(40));
    advance(29_000);
    assert.equal(b.state, 'gathering');
    advance(2_000);
    assert.equal(
      b.failure,
      'not every shard was ready within the ready timeout (30 s): never joined: 1, 3; joined but not ready: 2',
    );
  });

  it('a shard reporting a failure fails the run with its reason', () => {
    const { b, notes } = barrier(2);
    b.join(0, S[0]!, { count: 2, host: 'h0' });
    assert.equal(b.shardFailed(0, S[0]!, 'ENGINE_UNREACHABLE', 'no engine at http://e:8080'), null);
    assert.equal(
      b.failure,
      'shard 0 on h0 failed: no engine at http://e:8080 (ENGINE_UNREACHABLE)',
    );
    assert.equal(notes.at(-1), `run failed: ${b.failure}`);
  });

  it('uploads only after the release, once per shard; results late past the grace fail the run', () => {
    const { b, advance } = barrier(2);
    b.join(0, S[0]!, { count: 2, host: 'h0' });
    b.join(1, S[1]!, { count: 2, host: 'h1' });
    b.ready(0, S[0]!, ready(40));
    assert.equal((b.mayUpload(0, S[0]!) as { code: string }).code, 'NOT_STARTED');
    b.ready(1, S[1]!, ready());
    assert.equal((b.mayUpload(0, S[0]!) as { index: number }).index, 0);
    b.shardDone(0);
    assert.equal((b.mayUpload(0, S[0]!) as { code: string }).code, 'ALREADY_DONE');
    assert.equal(b.allDone(), false);
    // lead 3 s + run 5 s + grace 20 s; shard 1 keeps beating but never uploads
    for (let t = 0; t < 27; t++) {
      advance(1_000);
      b.beat(1, S[1]!);
    }
    assert.equal(b.state, 'released');
    advance(1_500);
    assert.equal(b.failure, 'no results from shard 1 within 20 s of the planned end of the run');
  });
});
