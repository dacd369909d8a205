import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsFor } from '../../runner/index.js';

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
