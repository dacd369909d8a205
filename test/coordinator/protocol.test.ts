/** What the coordinator accepts on the wire: its routes only, and bodies of the declared shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDone, checkReady, routeOf } from '../../coordinator/protocol.js';

describe('routes', () => {
  it('knows its routes and nothing else: no way out of a shard folder, no index beyond the limit', () => {
    assert.deepEqual(routeOf('GET', '/healthz'), { kind: 'health' });
    assert.deepEqual(routeOf('GET', '/v1/run'), { kind: 'run' });
    assert.deepEqual(routeOf('POST', '/v1/shards/12/ready'), {
      kind: 'shard',
      shard: 12,
      action: 'ready',
    });
    assert.deepEqual(routeOf('PUT', '/v1/shards/0/files/latency.hlog'), {
      kind: 'file',
      shard: 0,
      name: 'latency.hlog',
    });
    for (const [method, path] of [
      ['PUT', '/v1/shards/0/files/../../etc/passwd'],
      ['PUT', '/v1/shards/0/files/%2e%2e'],
      ['PUT', '/v1/shards/0/files/report.html'],
      ['PUT', '/v1/shards/0/files/.result.json.part'],
      ['POST', '/v1/shards/0/files/result.json'],
      ['POST', '/v1/shards/01/ready'],
      ['POST', '/v1/shards/10000/ready'],
      ['POST', '/v1/shards/-1/ready'],
      ['GET', '/v1/shards/0/beat'],
      ['POST', '/v1/shards/0/release'],
      ['POST', '/v1/run'],
      ['GET', '/v1/run?x=1'],
    ])
      assert.equal(routeOf(method!, path!), null, `${method} ${path}`);
  });
});

describe('bodies', () => {
  const identity = {
    scenario: 's',
    variant: null,
    seed: 'x',
    suite: 'ed25519',
    params: 'a'.repeat(64),
    centralBankKey: 'k',
    day: 1,
    lanes: 8,
    genesisOps: 10,
  };
  it('accepts a well-formed ready report and refuses each broken field', () => {
    const good = { identity, planned: 5, genesisSent: 10, durationMs: 1000 };
    assert.equal(checkReady(good).ok, true);
    for (const broken of [
      { ...good, planned: -1 },
      { ...good, planned: 1.5 },
      { ...good, genesisSent: 3 },
      { ...good, identity: { ...identity, params: 'nothex' } },
      { ...good, identity: { ...identity, day: '1' } },
      { ...good, identity: null },
      [],
      null,
    ])
      assert.equal(checkReady(broken).ok, false, JSON.stringify(broken));
  });

  it('accepts only the result files and SHA-256 digests in a done report', () => {
    assert.equal(checkDone({ files: { 'result.json': 'f'.repeat(64) } }).ok, true);
    assert.equal(checkDone({ files: { 'report.html': 'f'.repeat(64) } }).ok, false);
    assert.equal(checkDone({ files: { 'result.json': 'F'.repeat(64) } }).ok, false);
    assert.equal(checkDone({ files: [] }).ok, false);
  });
});
