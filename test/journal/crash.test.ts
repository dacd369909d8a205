import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { replay } from '../../engine/journal/index.js';
import { crashPayload } from './fixtures/payload.js';
import { scratchDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.js', import.meta.url));
const ROUNDS = 5;
/** Liveness guard only (the child must start and ack something); never a performance check. */
const STALL_MS = 60_000;

interface Round {
  readonly ready: number;
  readonly acked: number[];
}

/** Runs the writer until it has acknowledged something, SIGKILLs it after a random delay. */
function crashRound(path: string): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER], {
      env: { ...process.env, ECNY_JOURNAL_CRASH_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready = -1;
    const acked: number[] = [];
    let partial = '';
    let stderr = '';
    let killScheduled = false;
    const stall = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crash writer made no progress; stderr: ${stderr}`));
    }, STALL_MS);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready ')) ready = Number(line.slice(6));
        else acked.push(Number(line));
      }
      if (!killScheduled && acked.length > 0) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 150));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(stall);
      // A partial last line was cut by the kill mid-write: that index was acknowledged anyway.
      if (partial !== '' && !partial.startsWith('ready')) acked.push(Number(partial));
      if (signal !== 'SIGKILL') {
        reject(new Error(`writer exited (code ${code}, signal ${signal}): ${stderr}`));
      } else {
        resolve({ ready, acked });
      }
    });
  });
}

it('every acknowledged record survives SIGKILL, over several crashes of one file', async () => {
  const dir = await scratchDir();
  const path = join(dir, 'crash.jnl');
  let durable = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { ready, acked } = await crashRound(path);
    assert.equal(ready, durable, 'the writer resumed after exactly the records replay found');
    assert.ok(acked.length > 0);

    const seen: number[] = [];
    const report = await replay(path, (payload, index) => {
      assert.deepEqual(payload, crashPayload(index), `record ${index} intact`);
      seen.push(index);
    });
    // SIGKILL can tear the last write, never corrupt what is behind it.
    assert.ok(report.reason === null || report.reason === 'torn-tail', report.message);
    assert.equal(report.recordsAfterCorruption, 0);
    const maxAcked = Math.max(...acked);
    assert.ok(report.records > maxAcked, `acked ${maxAcked} but only ${report.records} replayed`);
    assert.equal(seen.length, report.records);
    for (const index of acked) assert.ok(index >= durable && index < report.records);
    durable = report.records;
  }
});
