/**
 * The private cluster is never left behind: stopped and removed when its process ends by exit
 * or by SIGTERM/SIGINT, without its owner calling stop(). (Start, crash and restart are
 * exercised by every PostgreSQL suite.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { postgresSkipReason } from '../registry/postgres/helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/cluster-child.js', import.meta.url));
const skip = postgresSkipReason();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runChild(
  mode: 'exit' | 'SIGTERM' | 'SIGINT',
): Promise<{ pid: number; dir: string; code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, [CHILD, mode === 'exit' ? 'exit' : 'wait'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  const started = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    exited.then(() => reject(new Error('the child exited before starting its cluster')));
  });
  if (mode !== 'exit') child.kill(mode);
  const [code, signal] = await exited;
  return { ...started, code, signal };
}

async function gone(pid: number): Promise<boolean> {
  // The postmaster is the server user's process, reaped by whoever adopted it: give it a moment.
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (!alive(pid)) return true;
  // A zombie (exited, not yet reaped) counts as gone.
  const { readFileSync } = await import('node:fs');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
}

describe('a private cluster is stopped with its process', { skip }, () => {
  for (const mode of ['exit', 'SIGTERM', 'SIGINT'] as const) {
    test(`on ${mode}`, async () => {
      const r = await runChild(mode);
      assert.ok(r.pid > 0);
      assert.ok(await gone(r.pid), `postmaster ${r.pid} still runs after the child's ${mode}`);
      assert.equal(existsSync(r.dir), false, `${r.dir} left behind`);
      // The signal still ends the child as it would have without the hook.
      if (mode !== 'exit') assert.equal(r.signal, mode);
    });
  }
});
