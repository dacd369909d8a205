/**
 * What `run` starts for itself (`--store`, `--engine-nodes`, `--database-url`): checked before
 * anything starts, each mistake a usage error (exit 2) naming the flag.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../cli/commands/args.js';
import { deploymentFromFlags } from '../../../cli/commands/run.js';

type Name = 'store' | 'engine-nodes' | 'database-url';
const flags =
  (given: Partial<Record<Name, string>>) =>
  (name: Name): string | undefined =>
    given[name];

test('the default is one engine on the memory store', () => {
  assert.deepEqual(deploymentFromFlags(flags({}), false), { store: 'memory', nodes: 1 });
});

test('postgres nodes, on a private cluster or on a given server', () => {
  assert.deepEqual(deploymentFromFlags(flags({ store: 'postgres', 'engine-nodes': '3' }), false), {
    store: 'postgres',
    nodes: 3,
  });
  assert.deepEqual(
    deploymentFromFlags(
      flags({ store: 'postgres', 'database-url': 'postgres://u@db:5432/ecny' }),
      false,
    ),
    { store: 'postgres', nodes: 1, databaseUrl: 'postgres://u@db:5432/ecny' },
  );
});

test('every inconsistent combination is a usage error naming the problem', () => {
  const refused = (given: Partial<Record<Name, string>>, target: boolean, re: RegExp) =>
    assert.throws(
      () => deploymentFromFlags(flags(given), target),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  refused({ 'engine-nodes': '2' }, false, /need the postgres store/);
  refused({ 'database-url': 'postgres://x/y' }, false, /--database-url is for --store postgres/);
  refused({ store: 'postgres', 'database-url': 'mysql://x/y' }, false, /postgres:\/\//);
  refused({ store: 'postgres', 'engine-nodes': '0' }, false, /--engine-nodes/);
  refused({ store: 'oracle' }, false, /--store must be one of memory, postgres/);
  refused({ store: 'postgres' }, true, /with --target the engines are already running/);
});
