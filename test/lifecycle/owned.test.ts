import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { abortable, InterruptedError } from '../../lifecycle/index.js';
import { alive } from '../fixtures/processes.js';

const OWNER = fileURLToPath(new URL('./fixtures/owner.js', import.meta.url));

async function leave(
  how: 'exit' | 'throw',
): Promise<{ pid: number; dir: string; code: number | null }> {
  const proc = spawn(process.execPath, [OWNER, how], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += String(d);
  });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const { pid, dir } = JSON.parse(out) as { pid: number; dir: string };
  return { pid, dir, code };
}

/** The killed child is reaped by init a moment later; give it a little time. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('what a process started, it stops', () => {
  for (const how of ['exit', 'throw'] as const) {
    test(`children killed and temporary directories removed on ${how}`, async () => {
      const { pid, dir, code } = await leave(how);
      assert.equal(code, how === 'exit' ? 0 : 1);
      assert.ok(await gone(pid), `child ${pid} still running`);
      assert.equal(existsSync(dir), false, `${dir} left behind`);
    });
  }

  test('abortable rejects with the reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = abortable(never, controller.signal);
    controller.abort(new InterruptedError('SIGTERM'));
    await assert.rejects(
      waiting,
      (e: unknown) => e instanceof InterruptedError && e.signal === 'SIGTERM',
    );
    assert.equal(
      await abortable(Promise.resolve(7), controller.signal).catch(() => 'aborted'),
      'aborted',
    );
    assert.equal(await abortable(Promise.resolve(7), undefined), 7);
    assert.equal(await abortable(Promise.resolve(7), new AbortController().signal), 7);
  });
});
