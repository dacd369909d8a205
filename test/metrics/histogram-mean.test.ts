/** `meanOf` (engine/metrics/histogram.ts) is hdr-histogram-js's own mean, by a cheaper loop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createHistogram, meanOf, recordMicros } from '../../engine/metrics/index.js';

test('meanOf equals Histogram.mean on any recorded values', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3_600_000_000 }), { maxLength: 300 }),
      (values) => {
        const h = createHistogram();
        for (const v of values) recordMicros(h, v);
        assert.equal(meanOf(h), h.mean);
      },
    ),
    { numRuns: 200 },
  );
});
