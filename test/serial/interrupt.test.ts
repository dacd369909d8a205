/**
 * Ctrl-C and SIGTERM on the commands that start processes (`run`, `capacity`, `gate`), and the
 * thresholds that decide a run, through the real CLI: the signal is sent to the CLI process only
 * (as `timeout` and a CI cancel do), and afterwards no process it started runs, nothing listens
 * on the embedded engine's port, its temporary folder (TMPDIR, private to each test) is empty,
 * the exit status is 130 / 143, and the results folder says INCOMPLETE with what was measured.
 * Nothing here asserts a time or a rate.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../result-format/index.js';
import { alive, CLI } from '../fixtures/processes.js';

/** Every descendant of `pid` now (children, their children...), from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

interface Cli {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the combined output matches (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GITHUB_STEP_SUMMARY: '', ECNY_PROGRESS_INTERVAL: '1', ...env },
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += String(d);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        exited.then(() => {
          if (!pattern.test(text)) {
            clearTimeout(timer);
            reject(new Error(`exited before ${pattern}:\n${text}`));
          }
        });
        check();
      });
    },
  };
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ecny-interrupt-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A private TMPDIR and results folder for one test. */
async function dirs(name: string): Promise<{ tmp: string; out: string }> {
  const tmp = join(root, name, 'tmp');
  const out = join(root, name, 'results');
  await mkdir(tmp, { recursive: true });
  await mkdir(out, { recursive: true });
  return { tmp, out };
}

async function onlyRunDir(out: string): Promise<string> {
  const entries = (await readdir(out)).filter((e) => !e.endsWith('.jsonl'));
  assert.equal(entries.length, 1, entries.join(', '));
  return join(out, entries[0]!);
}

async function assertStoppedEverything(cli: Cli, started: readonly number[], tmp: string) {
  for (const pid of started) assert.equal(alive(pid), false, `process ${pid} still runs`);
  assert.deepEqual(await readdir(tmp), [], 'temporary files left behind');
  assert.equal(alive(cli.child.pid!), false);
}

describe('run', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} during the measured phase: everything stopped, results INCOMPLETE, exit ${code}`, {
      timeout: 300_000,
    }, async () => {
      const { tmp, out } = await dirs(`run-${signal}`);
      const cli = start(
        ['run', 'suzhou-subsidy', '--scale', 'small', '--duration', '120', '--out', out],
        { TMPDIR: tmp },
      );
      const [, port, pid] = await cli.waitFor(
        /engine started at http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\)/,
      );
      // Progress lines reach a log that is not a terminal.
      await cli.waitFor(/ {2}t=2s: \d+\/s answered .* so far sent [\d,]+, answered [\d,]+, p99 /);
      const started = descendants(cli.child.pid!);
      assert.ok(started.includes(Number(pid)), 'the engine is a child of the CLI');
      assert.ok(started.length >= 3, `engine and two generators: ${started.join(', ')}`);
      cli.child.kill(signal);
      assert.equal(await cli.exited, code, cli.output());
      await assertStoppedEverything(cli, started, tmp);
      assert.equal(await refused(Number(port)), true, 'the engine port still accepts connections');
      const dir = await onlyRunDir(out);
      const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
      assert.equal(result.incomplete?.cause, 'signal');
      assert.equal(result.incomplete?.by, signal);
      assert.ok(result.incomplete!.afterS < 120);
      assert.equal(result.durationS, result.incomplete!.afterS);
      assert.ok(result.totals.sent > 0, 'what was measured so far is kept');
      assert.equal(result.outcome.passed, false);
      assert.match(
        await readFile(join(dir, 'INCOMPLETE'), 'utf8'),
        new RegExp(`interrupted by ${signal}`),
      );
      assert.match(
        await readFile(join(dir, 'report.html'), 'utf8'),
        /class="badge warn">INCOMPLETE</,
      );
      assert.match(cli.output(), /INCOMPLETE \(SIG(INT|TERM) after [\d.]+ s\)/);
    });
  }
});

describe('thresholds', () => {
  test('a crossed threshold exits 99 and is shown everywhere; met ones pass', {
    timeout: 300_000,
  }, async () => {
    const { tmp, out } = await dirs('thresholds');
    const summary = join(root, 'thresholds', 'summary.md');
    await writeFile(summary, '');
    const history = join(out, 'history.jsonl');
    const cli = start(
      [
        'run',
        'suzhou-subsidy',
        '--scale',
        'small',
        // Long enough that the planned rate stays low: drops on a busy machine would fail the
        // run's correctness check (exit 1) and hide the thresholds' exit 99.
        '--duration',
        '20',
        '--no-charts',
        '--out',
        out,
        '--history',
        history,
        '--threshold',
        'p99<0.001ms',
        '--threshold',
        'p99<3600s',
        '--threshold',
        'rejected.NO_SUCH_CODE==0',
      ],
      { TMPDIR: tmp, GITHUB_STEP_SUMMARY: summary },
    );
    assert.equal(await cli.exited, 99, cli.output());
    const text = cli.output();
    assert.match(text, /thresholds: 1 of 3 thresholds CROSSED/);
    assert.match(text, /CROSSED p99<0\.001ms +p99 = [\d.,]+ ms/);
    assert.match(text, /pass {4}p99<3600s +p99 = /);
    assert.match(text, /THRESHOLDS CROSSED in \d+ s/);
    const result = JSON.parse(
      await readFile(join(await onlyRunDir(out), 'result.json'), 'utf8'),
    ) as RunResult;
    assert.deepEqual(
      result.thresholds?.map((t) => [t.expression, t.passed]),
      [
        ['p99<0.001ms', false],
        ['p99<3600s', true],
        ['rejected.NO_SUCH_CODE==0', true],
      ],
    );
    assert.equal(result.outcome.passed, true, 'the run itself was correct');
    const md = await readFile(summary, 'utf8');
    assert.match(
      md,
      /^### ❌ ecny-bench run suzhou-subsidy\/presplit \(small\): THRESHOLDS CROSSED/,
    );
    assert.match(md, /\| ❌ crossed \| `p99<0\.001ms` \| [\d.,]+ ms \| flag \|/);
    const records = (await readFile(history, 'utf8')).trim().split('\n');
    assert.equal(records.length, 1);
    assert.equal((JSON.parse(records[0]!) as { verdict: string }).verdict, 'thresholds');
    assert.deepEqual(await readdir(tmp), []);
  });

  test('abortOnFail stops the run early: exit 99, results marked, everything stopped', {
    timeout: 300_000,
  }, async () => {
    const { tmp, out } = await dirs('abort');
    const cli = start(
      [
        'run',
        'suzhou-subsidy',
        '--scale',
        'small',
        '--duration',
        '120',
        '--no-charts',
        '--out',
        out,
        '--threshold',
        'p99<0.001ms abortOnFail=2s',
      ],
      { TMPDIR: tmp },
    );
    const [, pid] = await cli.waitFor(/\(pid (\d+)\)/);
    assert.equal(await cli.exited, 99, cli.output());
    assert.equal(alive(Number(pid)), false);
    assert.match(
      cli.output(),
      /threshold p99<0\.001ms crossed at t=\d+s: stopping the run \(abortOnFail\)/,
    );
    const dir = await onlyRunDir(out);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
    assert.equal(result.incomplete?.cause, 'threshold');
    assert.equal(result.incomplete?.by, 'p99<0.001ms');
    assert.ok(result.incomplete!.afterS < 120);
    assert.equal(result.thresholds?.[0]?.abortedRun, true);
    assert.ok(existsSync(join(dir, 'INCOMPLETE')));
    assert.deepEqual(await readdir(tmp), []);
  });
});

describe('capacity and gate', () => {
  test('capacity: SIGINT after a step stops every engine, keeps the steps, exit 130', {
    timeout: 300_000,
  }, async () => {
    const { tmp, out } = await dirs('capacity');
    const cli = start(
      [
        'capacity',
        'suzhou-subsidy',
        '--scale',
        'small',
        '--start',
        '40',
        '--step',
        '40',
        '--step-duration',
        '3',
        '--warmup',
        '1',
        '--max-steps',
        '6',
        '--threads-sweep',
        '1',
        '--batch-sweep',
        '64',
        '--slo-ms',
        '60000',
        '--no-charts',
        '--out',
        out,
      ],
      { TMPDIR: tmp },
    );
    await cli.waitFor(/ {2}step 1: offered/);
    const started = descendants(cli.child.pid!);
    assert.ok(started.length >= 1, `the engine: ${started.join(', ')}`);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 130, cli.output());
    await assertStoppedEverything(cli, started, tmp);
    const dir = await onlyRunDir(out);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
    assert.equal(result.incomplete?.by, 'SIGINT');
    assert.ok((result.steps?.length ?? 0) >= 1);
    assert.ok(existsSync(join(dir, 'INCOMPLETE')));
  });

  test('gate: SIGTERM between trials gives no verdict, removes its files, exit 143', {
    timeout: 300_000,
  }, async () => {
    const { tmp } = await dirs('gate');
    const json = join(root, 'gate', 'gate.json');
    const cli = start(['gate', '--trials', '10', '--json', json], { TMPDIR: tmp });
    await cli.waitFor(/trial 1\/10:/);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 143, cli.output());
    assert.match(cli.output(), /interrupted after \d+ of 10 trials: no verdict/);
    assert.equal(
      (JSON.parse(await readFile(json, 'utf8')) as { verdict: string }).verdict,
      'interrupted',
    );
    assert.deepEqual(await readdir(tmp), []);
  });
});
