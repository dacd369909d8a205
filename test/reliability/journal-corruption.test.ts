/**
 * A corrupt record in the middle of the journal: `serve` refuses to start (exit 3, the offset in
 * its message, the file untouched) instead of coming up without the acknowledged transactions
 * behind it; `--journal-truncate-corrupt` cuts there on purpose and says how many it discards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isoDay } from '../../engine/domain/index.js';
import { HEADER_SIZE, RECORD_OVERHEAD } from '../../engine/journal/index.js';
import { cast, DAY, genesis, YUAN } from '../fixtures/ledger.js';
import { Client, obj, scratchDir, settleAll, startEngine } from '../http/helpers.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** Start offsets of the journal's records. */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = HEADER_SIZE; at < bytes.length; ) {
    offsets.push(at);
    at += RECORD_OVERHEAD + bytes.readUInt32LE(at);
  }
  return offsets;
}

function serveExits(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not exit: ${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('serve refuses a journal with a corrupt record in the middle, unless told to truncate', async () => {
  const dir = await scratchDir('ecny-corrupt-');
  const journalPath = join(dir, 'journal.ecj');
  const l = genesis();
  const first = await startEngine({ journalPath, args: ['--threads', '1'] });
  const payments = [];
  try {
    const client = new Client(first.url, 2);
    await settleAll(client, l.genesis);
    // Ten acknowledged payments, each spending the change of the one before.
    for (let i = 0; i < 10; i++) {
      const tx = l.pay('transfer', l.w.p1, l.w.m1, YUAN);
      await settleAll(client, [tx]);
      l.settle(tx);
      payments.push(tx);
    }
    await client.close();
  } finally {
    assert.equal(await first.stop(), 0);
  }
  const bytes = await readFile(journalPath);
  const offsets = recordOffsets(bytes);
  assert.equal(offsets.length, l.genesis.length + payments.length);
  const victim = l.genesis.length + 4;
  const bad = Buffer.from(bytes);
  bad[offsets[victim]! + RECORD_OVERHEAD + 40]! ^= 0x01;
  await writeFile(journalPath, bad);

  const key = ['--central-bank-key', cast().cb.publicKey, '--today', isoDay(DAY)];
  const refused = await serveExits(['--journal', journalPath, ...key]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, new RegExp(`record ${victim} at offset ${offsets[victim]}\\b`));
  assert.match(refused.stderr, /5 intact records after it/);
  assert.match(refused.stderr, /--journal-truncate-corrupt/);
  assert.deepEqual(await readFile(journalPath), bad, 'the journal is left as it was');

  // On purpose: cut there. The engine says what it discarded and comes up on the good prefix.
  const cut = await startEngine({
    journalPath,
    args: ['--threads', '1', '--journal-truncate-corrupt'],
  });
  try {
    const client = new Client(cut.url, 1);
    const health = obj(await client.get('/healthz'));
    const recovered = health.recovered as Record<string, unknown>;
    assert.equal(recovered.records, victim);
    assert.equal(recovered.recordsDiscarded, 5);
    assert.equal(recovered.dropReason, 'bad-checksum');
    assert.equal(obj(await client.get('/v1/reconcile')).ok, true);
    await client.close();
  } finally {
    assert.equal(await cut.stop(), 0);
  }
  const kept = await readFile(journalPath);
  assert.deepEqual(kept, bytes.subarray(0, offsets[victim]!));
});
