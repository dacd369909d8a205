/**
 * Placing a start without synchronized clocks: whatever the offset between the two clocks and
 * however a round trip splits into its two ways, the start lands within the bound it states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clockOffsetOf, placeStart, quickest, spreadBound } from '../../coordinator/clock.js';

describe('the start on a shard clock', () => {
  it('is within +-(rtt/2 + 1 ms) of the coordinator instant, for any offset and any split of the round trip', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3_600_000, max: 3_600_000, noNaN: true }), // shard clock minus coordinator clock
        fc.double({ min: 0, max: 50, noNaN: true }), // way there, ms
        fc.double({ min: 0, max: 50, noNaN: true }), // way back, ms
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), // sub-ms phase of the send
        fc.integer({ min: 100, max: 10_000 }), // lead left at the answer
        (offset, there, back, phase, startIn) => {
          // true time (the coordinator's clock, continuous) when the beat leaves
          const sendTrue = 1_700_000_000_000 + phase;
          const sentAtMs = Math.floor(sendTrue + offset); // the shard reads whole ms
          const answerTrue = sendTrue + there;
          const coordinatorNowMs = Math.floor(answerTrue);
          const startTrue = coordinatorNowMs + startIn; // the instant the coordinator means
          const { startAtMs, boundMs } = placeStart({
            sentAtMs,
            rttMs: there + back,
            coordinatorNowMs,
            startInMs: startIn,
          });
          const onCoordinatorClock = startAtMs - offset;
          assert.ok(
            Math.abs(onCoordinatorClock - startTrue) <= boundMs + 1e-9,
            `${onCoordinatorClock - startTrue} vs bound ${boundMs}`,
          );
        },
      ),
    );
  });

  it('measures the clock offset within +-rtt/2 (+1 ms)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (offset, there, back) => {
          const sendTrue = 1_700_000_000_000;
          const measured = clockOffsetOf({
            sentAtMs: sendTrue + offset,
            rttMs: there + back,
            coordinatorNowMs: Math.floor(sendTrue + there),
          });
          assert.ok(Math.abs(measured - offset) <= (there + back) / 2 + 1);
        },
      ),
    );
  });

  it('takes the quickest exchange, and bounds a spread by the two largest bounds', () => {
    const samples = [
      { sentAtMs: 0, rttMs: 3, coordinatorNowMs: 0 },
      { sentAtMs: 0, rttMs: 0.4, coordinatorNowMs: 0 },
      { sentAtMs: 0, rttMs: 9, coordinatorNowMs: 0 },
    ];
    assert.equal(quickest(samples), samples[1]);
    assert.equal(quickest([]), undefined);
    assert.equal(spreadBound([1.5]), 0);
    assert.equal(spreadBound([1.2, 3, 2.5]), 5.5);
  });
});
