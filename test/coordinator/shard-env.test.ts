/** `--shard auto`: the index from a Kubernetes Indexed Job, the count from the coordinator or the environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shardFromEnvironment } from '../../coordinator/index.js';

describe('--shard auto', () => {
  it('reads JOB_COMPLETION_INDEX, with the count from the coordinator or ECNY_SHARD_COUNT', () => {
    assert.deepEqual(shardFromEnvironment({ JOB_COMPLETION_INDEX: '2' }, 3), {
      index: 2,
      count: 3,
    });
    assert.deepEqual(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', ECNY_SHARD_COUNT: '4' }), {
      index: 0,
      count: 4,
    });
    assert.deepEqual(
      shardFromEnvironment({ JOB_COMPLETION_INDEX: '1', ECNY_SHARD_COUNT: '3' }, 3),
      { index: 1, count: 3 },
    );
  });

  it('refuses a missing, malformed or out-of-range index, a missing count, or two counts that differ', () => {
    const refused = (env: NodeJS.ProcessEnv, count: number | undefined, message: RegExp) =>
      assert.throws(() => shardFromEnvironment(env, count), {
        code: 'COORDINATOR_BAD_OPTIONS',
        message,
      });
    refused({}, 3, /\$JOB_COMPLETION_INDEX, which Kubernetes sets in the pods of an Indexed Job/);
    refused({ JOB_COMPLETION_INDEX: 'x' }, 3, /must be an integer >= 0, got "x"/);
    refused({ JOB_COMPLETION_INDEX: '-1' }, 3, /must be an integer >= 0/);
    refused({ JOB_COMPLETION_INDEX: '3' }, 3, /is 3, but there are only 3 shards/);
    refused({ JOB_COMPLETION_INDEX: '0' }, undefined, /needs the shard count/);
    refused({ JOB_COMPLETION_INDEX: '0', ECNY_SHARD_COUNT: '0' }, undefined, /integer >= 1/);
    refused(
      { JOB_COMPLETION_INDEX: '0', ECNY_SHARD_COUNT: '2' },
      3,
      /\$ECNY_SHARD_COUNT is 2 but the coordinator runs 3 shards/,
    );
  });
});
