import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEADER_SIZE, Journal, RECORD_OVERHEAD, replay } from '../../engine/journal/index.js';
import { offsetOf, payloads, readAll, rejection, scratchDir } from './helpers.js';

const dir = await scratchDir();
let fileNo = 0;
const freshPath = () => join(dir, `r${fileNo++}.jnl`);

/** A closed journal holding `records`, and a pristine copy of its bytes. */
async function written(records: readonly Uint8Array[]): Promise<{ path: string; bytes: Buffer }> {
  const path = freshPath();
  const journal = await Journal.open(path);
  for (const r of records) await journal.append(r);
  await journal.close();
  return { path, bytes: await readFile(path) };
}

describe('recovery: torn tail', () => {
  it('a cut at every offset inside the last record drops just that record and heals the file', async () => {
    const records = payloads(6, 40, 21);
    const { bytes } = await written(records);
    const lastStart = offsetOf(records, records.length - 1);
    const extra = Uint8Array.of(42, 43);
    for (let cut = lastStart + 1; cut < bytes.length; cut++) {
      const torn = join(dir, `torn-${cut}.jnl`);
      await writeFile(torn, bytes.subarray(0, cut));
      const seen: Uint8Array[] = [];
      const warnings: string[] = [];
      const report = await replay(torn, (p) => seen.push(p), { warn: (m) => warnings.push(m) });
      assert.deepEqual(seen, records.slice(0, -1), `cut at ${cut}`);
      assert.equal(report.reason, 'torn-tail');
      assert.equal(report.records, records.length - 1);
      assert.equal(report.bytes, lastStart);
      assert.equal(report.droppedBytes, cut - lastStart);
      assert.equal(report.droppedPath, null, 'torn tails are not kept');
      assert.deepEqual(warnings, [], 'a torn tail is routine, not corruption');
      assert.equal(statSync(torn).size, lastStart, 'file truncated to the good prefix');

      const journal = await Journal.open(torn);
      assert.equal(journal.recovery.reason, null);
      await journal.append(extra);
      await journal.close();
      assert.deepEqual(await readAll(torn), [...records.slice(0, -1), extra]);
    }
  });

  it('Journal.open itself truncates a torn tail before appending', async () => {
    const records = payloads(4, 40, 22);
    const { path, bytes } = await written(records);
    await truncate(path, bytes.length - 3);
    const journal = await Journal.open(path);
    assert.equal(journal.recovery.reason, 'torn-tail');
    assert.equal(journal.recovery.records, 3);
    await journal.append(Uint8Array.of(7));
    await journal.close();
    assert.deepEqual(await readAll(path), [...records.slice(0, 3), Uint8Array.of(7)]);
  });

  it('a zero-filled tail is a torn tail, not corruption', async () => {
    const records = payloads(3, 40, 23);
    const { path, bytes } = await written(records);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(4096)]));
    const warnings: string[] = [];
    const report = await replay(path, () => {}, { warn: (m) => warnings.push(m) });
    assert.equal(report.reason, 'torn-tail');
    assert.equal(report.records, 3);
    assert.equal(report.droppedBytes, 4096);
    assert.deepEqual(warnings, []);
  });

  it('repair: false reports without touching the file', async () => {
    const records = payloads(3, 40, 24);
    const { path, bytes } = await written(records);
    await truncate(path, bytes.length - 1);
    const report = await replay(path, () => {}, { repair: false });
    assert.equal(report.reason, 'torn-tail');
    assert.equal(report.repaired, false);
    assert.equal(statSync(path).size, bytes.length - 1);
  });
});

describe('recovery: corruption', () => {
  it('a bad checksum in the last record drops it, keeps the evidence and warns', async () => {
    const records = payloads(5, 60, 31);
    const { path, bytes } = await written(records);
    const lastStart = offsetOf(records, 4);
    const bad = Buffer.from(bytes);
    bad[lastStart + RECORD_OVERHEAD]! ^= 0x01;
    await writeFile(path, bad);
    const warnings: string[] = [];
    const seen: Uint8Array[] = [];
    const report = await replay(path, (p) => seen.push(p), { warn: (m) => warnings.push(m) });
    assert.deepEqual(seen, records.slice(0, 4));
    assert.equal(report.reason, 'bad-checksum');
    assert.equal(report.recordsAfterCorruption, 0);
    assert.equal(report.droppedBytes, bytes.length - lastStart);
    assert.equal(warnings.length, 1);
    assert.equal(statSync(path).size, lastStart);
    assert.ok(report.droppedPath !== null && existsSync(report.droppedPath));
    assert.deepEqual(await readFile(report.droppedPath), bad.subarray(lastStart));
  });

  it('a bad checksum mid-file ends the journal there, and the report says records were lost', async () => {
    const records = payloads(10, 60, 32);
    const { path, bytes } = await written(records);
    const start = offsetOf(records, 3);
    const bad = Buffer.from(bytes);
    bad[start + RECORD_OVERHEAD + records[3]!.length - 1]! ^= 0x80;
    await writeFile(path, bad);
    const warnings: string[] = [];
    const seen: Uint8Array[] = [];
    const report = await replay(path, (p) => seen.push(p), { warn: (m) => warnings.push(m) });
    assert.deepEqual(seen, records.slice(0, 3), 'never resumes past the hole');
    assert.equal(report.reason, 'bad-checksum');
    assert.equal(report.records, 3);
    assert.equal(report.recordsAfterCorruption, 6);
    assert.match(report.message, /6 valid-looking records after it were dropped/);
    assert.equal(warnings.length, 1);
    assert.equal(statSync(path).size, start);
    assert.deepEqual(await readFile(report.droppedPath!), bad.subarray(start));

    // The healed file takes new appends after the good prefix.
    const journal = await Journal.open(path);
    await journal.append(Uint8Array.of(1));
    await journal.close();
    assert.deepEqual(await readAll(path), [...records.slice(0, 3), Uint8Array.of(1)]);
  });

  it('an insane length field is corruption, never a huge allocation', async () => {
    const records = payloads(4, 60, 33);
    const { path, bytes } = await written(records);
    const start = offsetOf(records, 1);
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(0xffff_ffff, start);
    await writeFile(path, bad);
    const report = await replay(path, () => {}, { warn: () => {}, preserveDropped: false });
    assert.equal(report.reason, 'bad-length');
    assert.equal(report.records, 1);
    assert.equal(report.droppedPath, null);
    assert.equal(statSync(path).size, start);
  });

  it('if onRecord throws, replay stops with that error and leaves the file alone', async () => {
    const records = payloads(4, 60, 34);
    const { path, bytes } = await written(records);
    const torn = join(dir, 'throwing.jnl');
    await copyFile(path, torn);
    await truncate(torn, bytes.length - 2);
    const boom = new Error('apply failed');
    const error = await rejection(
      replay(torn, (_p, i) => {
        if (i === 2) throw boom;
      }),
    );
    assert.equal(error, boom);
    assert.equal(statSync(torn).size, bytes.length - 2);
  });

  it('an empty journal replays to nothing', async () => {
    const { path } = await written([]);
    const report = await replay(path, () => assert.fail('no records expected'));
    assert.equal(report.records, 0);
    assert.equal(report.bytes, HEADER_SIZE);
    assert.equal(report.reason, null);
  });
});
