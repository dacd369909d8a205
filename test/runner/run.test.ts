import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsFor, withExpectedBooks } from '../../runner/index.js';

describe('connections sized for the busiest second', () => {
  it("holds the peak's in-flight requests at twice the SLO, split over the generators", () => {
    // 4,000 ops/s x 0.1 s = 400 in flight, over 2 processes
    assert.equal(connectionsFor([100, 4_000, 900], 50, 2), 200);
    // the peak decides, not the mean
    assert.equal(connectionsFor([0, 0, 0, 4_000], 50, 2), 200);
    assert.equal(connectionsFor([4_000], 50, 4), 100);
  });

  it('never opens fewer than 16 or more than 256 per process', () => {
    assert.equal(connectionsFor([50], 50, 2), 16);
    assert.equal(connectionsFor([], 50, 2), 16);
    assert.equal(connectionsFor([1_000_000], 50, 1), 256);
  });
});

describe('the books a workload expects', () => {
  const engine = {
    ok: true,
    issued: 1_000,
    destroyed: 0,
    unspent: 1_000,
    issuanceVault: 600,
    bankVaults: 300,
    wallets: 100,
    problems: [],
  };

  it('match when every total is the one the workload computed', () => {
    const want = { issued: 1_000, destroyed: 0, issuanceVault: 600, bankVaults: 300, wallets: 100 };
    const r = withExpectedBooks(engine, want);
    assert.equal(r.matchesWorkload, true);
    assert.deepEqual(r.expected, want);
  });

  it('name every total that differs (money moved to the wrong tier)', () => {
    const want = { issued: 1_000, destroyed: 0, issuanceVault: 600, bankVaults: 250, wallets: 150 };
    const r = withExpectedBooks(engine, want);
    assert.equal(r.matchesWorkload, false);
    assert.ok(r.ok, "the engine's own identities still hold");
    assert.deepEqual(r.problems, [
      'bankVaults: engine 300 fen, workload expects 250',
      'wallets: engine 100 fen, workload expects 150',
    ]);
  });
});
