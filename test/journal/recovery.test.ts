import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  HEADER_SIZE,
  Journal,
  JournalCorruptError,
  RECORD_OVERHEAD,
  replay,
} from '../../engine/journal/index.js';
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

  it('a last record whose final pages are zeros (they never reached the disk) is a torn tail', async () => {
    const records = [...payloads(3, 40, 25), new Uint8Array(10_000).fill(7)];
    const { path, bytes } = await written(records);
    const lastStart = offsetOf(records, 3);
    const page = Math.ceil((lastStart + RECORD_OVERHEAD + 1) / 4096) * 4096;
    const torn = Buffer.from(bytes);
    torn.fill(0, page);
    await writeFile(path, torn);
    const warnings: string[] = [];
    const report = await replay(path, () => {}, { warn: (m) => warnings.push(m) });
    assert.equal(report.reason, 'torn-tail');
    assert.equal(report.records, 3);
    assert.equal(statSync(path).size, lastStart);
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
  /** Replays `bytes` (written to a fresh file) expecting refusal; returns the error and what was seen. */
  async function refused(bytes: Buffer, label: string) {
    const path = freshPath();
    await writeFile(path, bytes);
    const seen: Uint8Array[] = [];
    const error = await rejection(replay(path, (p) => seen.push(p), { warn: () => {} }));
    assert.ok(error instanceof JournalCorruptError, `${label}: ${String(error)}`);
    assert.equal(error.code, 'JOURNAL_CORRUPT');
    assert.deepEqual(await readFile(path), bytes, `${label}: the file is left as it was`);
    return { error, seen, path };
  }

  it('a flipped byte anywhere in the first, a middle or the last record refuses, naming the offset', async () => {
    const records = payloads(9, 60, 35);
    const { bytes } = await written(records);
    for (const index of [0, 4, records.length - 1]) {
      const start = offsetOf(records, index);
      const end = start + RECORD_OVERHEAD + records[index]!.length;
      for (let at = start; at < end; at++) {
        for (const mask of [0x01, 0x80]) {
          const bad = Buffer.from(bytes);
          bad[at]! ^= mask;
          const label = `record ${index}, byte ${at - start}, mask ${mask}`;
          const { error, seen } = await refused(bad, label);
          assert.equal(error.offset, start, label);
          assert.equal(error.record, index, label);
          assert.equal(error.recordsAfter, records.length - 1 - index, label);
          assert.match(error.message, new RegExp(`offset ${start}\\b`), label);
          assert.deepEqual(seen, records.slice(0, index), `${label}: only records before it`);
        }
      }
    }
  });

  it('one flipped byte mid-file: the corrupt record and the records behind it are never dropped silently', async () => {
    const records = payloads(20, 60, 32);
    const { path, bytes } = await written(records);
    const start = offsetOf(records, 7);
    const bad = Buffer.from(bytes);
    bad[start + RECORD_OVERHEAD + 3]! ^= 0x10;
    await writeFile(path, bad);
    const error = await rejection(Journal.open(path));
    assert.ok(error instanceof JournalCorruptError);
    assert.equal(error.recordsAfter, 12);
    assert.match(error.message, /12 intact records after it/);
    assert.deepEqual(await readFile(path), bad, 'Journal.open changed nothing');
    // The lock is released: the file can be opened again (here, on purpose, truncating).
    const warnings: string[] = [];
    const journal = await Journal.open(path, {
      onCorruption: 'truncate',
      warn: (m) => warnings.push(m),
    });
    assert.equal(journal.recovery.reason, 'bad-checksum');
    assert.equal(journal.recovery.records, 7);
    assert.equal(journal.recovery.recordsAfterCorruption, 12);
    assert.match(journal.recovery.message, /12 intact records after it were discarded/);
    assert.equal(warnings.length, 1);
    await journal.append(Uint8Array.of(1));
    await journal.close();
    assert.deepEqual(await readAll(path), [...records.slice(0, 7), Uint8Array.of(1)]);
    assert.deepEqual(await readFile(journal.recovery.droppedPath!), bad.subarray(start));
  });

  it('a bad checksum in the last record (all its bytes present) is corruption, not a torn tail', async () => {
    const records = payloads(5, 60, 31);
    const { path, bytes } = await written(records);
    const lastStart = offsetOf(records, 4);
    const bad = Buffer.from(bytes);
    bad[lastStart + RECORD_OVERHEAD]! ^= 0x01;
    const { error } = await refused(bad, 'last record');
    assert.equal(error.recordsAfter, 0);

    // Truncating on purpose drops it, keeps the evidence and warns.
    await writeFile(path, bad);
    const warnings: string[] = [];
    const seen: Uint8Array[] = [];
    const report = await replay(path, (p) => seen.push(p), {
      onCorruption: 'truncate',
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(seen, records.slice(0, 4));
    assert.equal(report.reason, 'bad-checksum');
    assert.equal(report.recordsAfterCorruption, 0);
    assert.equal(report.droppedBytes, bytes.length - lastStart);
    assert.equal(warnings.length, 1);
    assert.equal(statSync(path).size, lastStart);
    assert.ok(report.droppedPath !== null && existsSync(report.droppedPath));
    assert.deepEqual(await readFile(report.droppedPath), bad.subarray(lastStart));
  });

  it('a length field grown past the end of the file on the last record is corruption', async () => {
    const records = payloads(4, 60, 36);
    const { bytes } = await written(records);
    const lastStart = offsetOf(records, 3);
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(records[3]!.length + 100, lastStart);
    const { error } = await refused(bad, 'grown length');
    assert.match(error.message, /bad-length/);
  });

  it('a zeroed record header followed by intact records is corruption, not a zero-filled tail', async () => {
    const records = payloads(6, 60, 37);
    const { bytes } = await written(records);
    const start = offsetOf(records, 2);
    const bad = Buffer.from(bytes);
    bad.fill(0, start, start + RECORD_OVERHEAD);
    const { error } = await refused(bad, 'zeroed header');
    assert.equal(error.recordsAfter, 3);
  });

  it('an insane length field is corruption, never a huge allocation', async () => {
    const records = payloads(4, 60, 33);
    const { path, bytes } = await written(records);
    const start = offsetOf(records, 1);
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(0xffff_ffff, start);
    const { error } = await refused(bad, 'insane length');
    assert.equal(error.recordsAfter, 2);
    await writeFile(path, bad);
    const report = await replay(path, () => {}, {
      warn: () => {},
      preserveDropped: false,
      onCorruption: 'truncate',
    });
    assert.equal(report.reason, 'bad-length');
    assert.equal(report.records, 1);
    assert.equal(report.droppedPath, null);
    assert.equal(statSync(path).size, start);
  });

  it('repair: false reports corruption without throwing or touching the file', async () => {
    const records = payloads(6, 60, 38);
    const { path, bytes } = await written(records);
    const bad = Buffer.from(bytes);
    bad[offsetOf(records, 2) + RECORD_OVERHEAD]! ^= 0x04;
    await writeFile(path, bad);
    const report = await replay(path, () => {}, { repair: false, warn: () => {} });
    assert.equal(report.reason, 'bad-checksum');
    assert.equal(report.recordsAfterCorruption, 3);
    assert.equal(report.repaired, false);
    assert.deepEqual(await readFile(path), bad);
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
