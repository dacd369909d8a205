import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIntList } from '../../../cli/commands/args.js';

test('sweep lists: integers >= 1, duplicates dropped, order kept', () => {
  assert.deepEqual(parseIntList('threads-sweep', '2,1,2'), [2, 1]);
  assert.throws(() => parseIntList('batch-sweep', '64,0'), /batch-sweep/);
  assert.throws(() => parseIntList('batch-sweep', '64,,256'), /batch-sweep/);
});
