/**
 * The coordinated run's flags: what does not fit together is refused before anything starts,
 * as a usage error (exit 2); once through the real CLI to see the one line a user reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { coordinate } from '../../cli/commands/coordinate.js';
import { runCommand } from '../../cli/commands/run.js';
import { runCli } from '../fixtures/processes.js';

const VARIABLES = ['ECNY_COORDINATOR_TOKEN', 'JOB_COMPLETION_INDEX', 'ECNY_SHARD_COUNT'] as const;
const saved = new Map<string, string | undefined>();

/** Runs `body` with these variables set (others of VARIABLES unset). */
async function withEnv(
  env: Partial<Record<(typeof VARIABLES)[number], string>>,
  body: () => Promise<void>,
) {
  for (const name of VARIABLES) {
    const value = env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await body();
}

before(() => {
  for (const name of VARIABLES) saved.set(name, process.env[name]);
});
after(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const TOKEN = 'z'.repeat(40);

describe('coordinated run flags', () => {
  test('coordinate needs --shards and a secret of 32 characters or more', async () => {
    await withEnv({ ECNY_COORDINATOR_TOKEN: TOKEN }, async () => {
      await assert.rejects(coordinate.run([]), {
        code: 'USAGE',
        message: /^--shards N is required/,
      });
      await assert.rejects(coordinate.run(['--shards', '0']), {
        code: 'USAGE',
        message: /--shards must be an integer >= 1/,
      });
    });
    await withEnv({}, () =>
      assert.rejects(coordinate.run(['--shards', '2']), {
        code: 'COORDINATOR_BAD_OPTIONS',
        message: /needs its shared secret: --token-file FILE or \$ECNY_COORDINATOR_TOKEN/,
      }),
    );
    await withEnv({ ECNY_COORDINATOR_TOKEN: 'short' }, () =>
      assert.rejects(coordinate.run(['--shards', '2']), { message: /at least 32 characters/ }),
    );
  });

  test('run --coordinator needs --target and a shard, and excludes --start-at', async () => {
    const base = ['xiongan-retail', '--coordinator', 'http://127.0.0.1:9'];
    const target = ['--target', 'http://127.0.0.1:9'];
    await withEnv({ ECNY_COORDINATOR_TOKEN: TOKEN }, async () => {
      await assert.rejects(runCommand(base), {
        code: 'USAGE',
        message: /^--coordinator needs --target/,
      });
      await assert.rejects(runCommand([...base, ...target]), {
        message: /--shard i\/N or --shard auto/,
      });
      await assert.rejects(
        runCommand([...base, ...target, '--shard', 'auto', '--start-at', '+5']),
        {
          message: /--coordinator and --start-at exclude each other/,
        },
      );
    });
  });

  test('--shard auto without a coordinator reads the Indexed Job environment', async () => {
    const args = ['xiongan-retail', '--shard', 'auto', '--target', 'http://127.0.0.1:9'];
    await withEnv({}, () =>
      assert.rejects(runCommand(args), {
        code: 'COORDINATOR_BAD_OPTIONS',
        message: /^--shard auto reads the shard index from \$JOB_COMPLETION_INDEX/,
      }),
    );
    await withEnv({ JOB_COMPLETION_INDEX: '1' }, () =>
      assert.rejects(runCommand(args), {
        message:
          /needs the shard count: from the coordinator \(--coordinator URL\) or \$ECNY_SHARD_COUNT/,
      }),
    );
  });

  test('through the CLI: exit 2, one line, no stack', async () => {
    const r = await runCli(['coordinate', '--shards', '3'], { ECNY_COORDINATOR_TOKEN: '' });
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      'ecny-bench coordinate: a coordinated run needs its shared secret: --token-file FILE or $ECNY_COORDINATOR_TOKEN',
    ]);
  });
});
