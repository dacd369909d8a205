/**
 * The command line's manners, through the real CLI: --version, help on stdout, unknown flags
 * refused by every command, and the failures a user causes (a backend that does not exist, an
 * engine that cannot be reached, a threshold that does not parse) told in one line with the
 * documented exit code and no stack trace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COMMANDS } from '../../cli/commands/index.js';
import { runCli as cli } from '../fixtures/processes.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** No stack frames in what the user reads. */
function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, text);
}

let out: string;
let tmp: string;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'ecny-cli-'));
  tmp = await mkdtemp(join(tmpdir(), 'ecny-cli-tmp-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
  await rm(tmp, { recursive: true, force: true });
});

describe('version and help', () => {
  test('--version prints the package version on stdout', async () => {
    const r = await cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `ecny-bench ${VERSION}`);
  });

  test('--help goes to stdout and exits 0; no command at all is a usage error on stderr', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: ecny-bench <command>/);
    for (const c of COMMANDS) assert.ok(help.stdout.includes(`  ${c.name}`), c.name);
    assert.equal(help.stderr, '');
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^usage: ecny-bench <command>/);
  });

  test('an unknown command or option exits 2', async () => {
    const r = await cli(['--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ecny-bench: unknown option "--frobnicate"/);
  });
});

describe('unknown flags are errors on every command', () => {
  for (const c of COMMANDS) {
    test(c.name, async () => {
      const r = await cli([c.name, '--no-such-flag']);
      assert.equal(r.code, 2, `${c.name}: ${r.stderr}`);
      assert.match(r.stderr, /no-such-flag/);
      assertNoStack(r.stderr);
    });
  }
});

describe('failures told in one line', () => {
  test('a threshold that does not parse: exit 2 before anything runs', async () => {
    const r = await cli(['run', 'xiongan-retail', '--threshold', 'p99<fast', '--out', out]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^ecny-bench run: threshold "p99<fast": expected <metric><op><value>\[unit\]/,
    );
    assertNoStack(r.stderr);
  });

  test('--backend foo: the engine refuses it, exit 2, one line', { timeout: 120_000 }, async () => {
    const r = await cli(
      [
        'run',
        'xiongan-retail',
        '--scale',
        'small',
        '--duration',
        '3',
        '--backend',
        'foo',
        '--out',
        out,
      ],
      { TMPDIR: tmp },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      'ecny-bench run: the embedded engine refused its options: backend must be "native" or "noble", got "foo"',
    ]);
    assert.deepEqual(await readdir(tmp), [], 'no temporary journal left');
  });

  test('an unreachable --target: exit 3, one line', { timeout: 120_000 }, async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const r = await cli([
      'run',
      'xiongan-retail',
      '--scale',
      'small',
      '--duration',
      '3',
      '--target',
      `http://127.0.0.1:${port}`,
      '--target-wait',
      '1',
      '--out',
      out,
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr.trim(),
      new RegExp(
        `^ecny-bench run: the engine at http://127.0.0.1:${port} is not reachable or not ready after 1 s \\(ECONNREFUSED\\)$`,
      ),
    );
  });

  test('a --target that is not a URL: exit 2', async () => {
    const r = await cli(['run', 'xiongan-retail', '--scale', 'small', '--target', 'engine:8080']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--target must be an http\(s\) URL, got "engine:8080"/);
    assertNoStack(r.stderr);
  });
});
