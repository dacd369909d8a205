import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  FORMAT_VERSION,
  HEADER_SIZE,
  isJournalError,
  Journal,
  MAGIC,
  RECORD_OVERHEAD,
  replay,
} from '../../engine/journal/index.js';
import { offsetOf, payloads, readAll, rejection, scratchDir } from './helpers.js';

const dir = await scratchDir();
let fileNo = 0;
const freshPath = () => join(dir, `j${fileNo++}.jnl`);

describe('journal: round trip', () => {
  it('replays exactly what was appended, in order, across awaited and concurrent appends', async () => {
    const path = freshPath();
    const records = [...payloads(300, 2000, 7), ...payloads(3, 200_000, 8)];
    const journal = await Journal.open(path, { maxRecordBytes: 256 << 10 });
    assert.equal(journal.recovery.reason, null);
    // First half one at a time, the rest all at once.
    for (const r of records.slice(0, 150)) await journal.append(r);
    await Promise.all(records.slice(150).map((r) => journal.append(r)));
    assert.equal(journal.size, offsetOf(records, records.length));
    await journal.close();

    assert.equal(statSync(path).size, offsetOf(records, records.length));
    const seen: Uint8Array[] = [];
    const indexes: number[] = [];
    const report = await replay(
      path,
      (payload, index) => {
        seen.push(payload);
        indexes.push(index);
      },
      { maxRecordBytes: 256 << 10 },
    );
    assert.deepEqual(seen, records);
    assert.deepEqual(
      indexes,
      records.map((_, i) => i),
    );
    assert.equal(report.records, records.length);
    assert.equal(report.bytes, offsetOf(records, records.length));
    assert.equal(report.droppedBytes, 0);
    assert.equal(report.reason, null);
  });

  it('appendParts writes the same bytes as append of the concatenation', async () => {
    const records = payloads(200, 500, 11);
    const [a, b] = [freshPath(), freshPath()];
    const whole = await Journal.open(a);
    const parts = await Journal.open(b);
    await Promise.all(
      records.map((r, i) => {
        const cut = i % (r.length + 1); // every split point, empty head or tail included
        return Promise.all([
          whole.append(r),
          parts.appendParts(r.subarray(0, cut), r.subarray(cut)),
        ]);
      }),
    );
    await Promise.all([whole.close(), parts.close()]);
    assert.deepEqual(await readFile(b), await readFile(a));
    assert.deepEqual(await readAll(b), records);
  });

  it('writes the documented header and framing', async () => {
    const path = freshPath();
    const journal = await Journal.open(path);
    await journal.append(Uint8Array.of(1, 2, 3));
    await journal.close();
    const bytes = await readFile(path);
    assert.deepEqual(bytes.subarray(0, 8), MAGIC);
    assert.equal(bytes.readUInt32LE(8), FORMAT_VERSION);
    assert.equal(bytes.readUInt32LE(HEADER_SIZE), 3);
    assert.deepEqual([...bytes.subarray(HEADER_SIZE + RECORD_OVERHEAD)], [1, 2, 3]);
  });

  it('reopening replays existing records through onRecord and appends after them', async () => {
    const path = freshPath();
    const [a, b, c] = payloads(3, 50, 3);
    const first = await Journal.open(path);
    await first.append(a!);
    await first.append(b!);
    await first.close();
    const seen: Uint8Array[] = [];
    const second = await Journal.open(path, { onRecord: (p) => seen.push(p) });
    assert.deepEqual(seen, [a, b]);
    assert.equal(second.recovery.records, 2);
    await second.append(c!);
    await second.close();
    assert.deepEqual(await readAll(path), [a, b, c]);
  });

  it('copies the payload at append time, so the caller may reuse its buffer', async () => {
    const path = freshPath();
    const journal = await Journal.open(path);
    const buffer = Uint8Array.of(9, 9, 9);
    const done = journal.append(buffer);
    buffer.fill(0);
    await done;
    await journal.close();
    assert.deepEqual(await readAll(path), [Uint8Array.of(9, 9, 9)]);
  });

  it('refuses empty and oversized payloads without failing the journal', async () => {
    const path = freshPath();
    const journal = await Journal.open(path, { maxRecordBytes: 10 });
    const empty = await rejection(journal.append(new Uint8Array(0)));
    assert.ok(isJournalError(empty, 'JOURNAL_RECORD_SIZE'));
    const big = await rejection(journal.append(new Uint8Array(11)));
    assert.ok(isJournalError(big, 'JOURNAL_RECORD_SIZE'));
    await journal.append(new Uint8Array(10));
    assert.equal(journal.failure, null);
    await journal.close();
    assert.equal((await readAll(path)).length, 1);
  });
});

describe('journal: group commit', () => {
  it('1,000 unawaited appends share few fsyncs, and each resolves only once its record is on disk', async () => {
    const path = freshPath();
    const records = payloads(1000, 120, 11);
    const journal = await Journal.open(path);
    const resolvedOrder: number[] = [];
    const problems: string[] = [];
    const all = records.map((record, i) =>
      journal.append(record).then(() => {
        resolvedOrder.push(i);
        // At resolution time the record must already be written and synced.
        const end = offsetOf(records, i + 1);
        if (statSync(path).size < end) problems.push(`record ${i} resolved before it was written`);
        if (journal.stats().records < i + 1) problems.push(`record ${i} resolved before its fsync`);
        if (i % 97 === 0) {
          const file = readFileSync(path);
          const start = offsetOf(records, i) + RECORD_OVERHEAD;
          if (!file.subarray(start, end).equals(record)) problems.push(`record ${i} bytes differ`);
        }
      }),
    );
    await Promise.all(all);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      resolvedOrder,
      records.map((_, i) => i),
    );
    const stats = journal.stats();
    assert.ok(stats.fsyncs >= 1, 'at least one fsync');
    assert.ok(stats.fsyncs < records.length, `fsyncs ${stats.fsyncs} should be far below 1000`);
    assert.ok(stats.groups.max > 1);
    assert.equal(stats.records, 1000);
    assert.equal(stats.groups.sum, 1000);
    assert.equal(stats.groups.count, stats.fsyncs);
    assert.equal(
      stats.groups.buckets.reduce((a, b) => a + b, 0),
      stats.fsyncs,
    );
    assert.equal(stats.bytes, offsetOf(records, 1000) - HEADER_SIZE);
    assert.ok(stats.fsyncMs.total >= 0 && stats.fsyncMs.max >= stats.fsyncMs.last);
    await journal.close();
    assert.deepEqual(await readAll(path), records);
  });

  it('a lone append goes out at once; appends made meanwhile go out as one group', async () => {
    const path = freshPath();
    const journal = await Journal.open(path);
    await journal.append(Uint8Array.of(1));
    assert.equal(journal.stats().fsyncs, 1);
    // The disk is idle: the first of this burst is written alone and immediately, the other 99
    // accumulate behind it and share the second write + fdatasync.
    await Promise.all(payloads(100, 30, 5).map((r) => journal.append(r)));
    const stats = journal.stats();
    assert.equal(stats.fsyncs, 3);
    assert.equal(stats.groups.max, 99);
    assert.equal(stats.pendingBytes, 0);
    assert.equal(stats.inFlightBytes, 0);
    await journal.close();
  });

  it('rejects with JOURNAL_BACKPRESSURE beyond maxPendingBytes and keeps going', async () => {
    const path = freshPath();
    const journal = await Journal.open(path, { maxRecordBytes: 92, maxPendingBytes: 1000 });
    const records = Array.from({ length: 30 }, (_, i) => new Uint8Array(92).fill(i));
    const settled = records.map((r) => journal.append(r));
    // One record is in flight, ten (exactly 1000 bytes framed) wait; the rest were refused.
    assert.equal(journal.pendingBytes, 1000);
    const results = await Promise.allSettled(settled);
    const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.deepEqual(
      accepted,
      Array.from({ length: 11 }, (_, i) => i),
    );
    for (const r of results.slice(11)) {
      assert.equal(r.status, 'rejected');
      assert.ok(isJournalError(r.reason, 'JOURNAL_BACKPRESSURE'));
    }
    assert.equal(journal.failure, null);
    await journal.append(records[29]!);
    await journal.close();
    assert.deepEqual(await readAll(path), [...records.slice(0, 11), records[29]]);
  });

  it('refuses maxPendingBytes that cannot hold one maximal record', async () => {
    const error = await rejection(
      Journal.open(freshPath(), { maxRecordBytes: 100, maxPendingBytes: 107 }),
    );
    assert.ok(isJournalError(error, 'JOURNAL_BAD_OPTIONS'));
  });
});

describe('journal: lifecycle', () => {
  it('close flushes what was accepted, then refuses appends', async () => {
    const path = freshPath();
    const records = payloads(50, 100, 9);
    const journal = await Journal.open(path);
    const pending = records.map((r) => journal.append(r));
    const closed = journal.close();
    assert.equal(journal.close(), closed, 'close is idempotent');
    const late = await rejection(journal.append(Uint8Array.of(1)));
    assert.ok(isJournalError(late, 'JOURNAL_CLOSED'));
    await closed;
    await Promise.all(pending);
    assert.deepEqual(await readAll(path), records);
  });

  it('one writer per path in this process; replay refuses an open path', async () => {
    const path = freshPath();
    const journal = await Journal.open(path);
    assert.ok(isJournalError(await rejection(Journal.open(path)), 'JOURNAL_LOCKED'));
    assert.ok(isJournalError(await rejection(replay(path, () => {})), 'JOURNAL_LOCKED'));
    await journal.close();
    const again = await Journal.open(path);
    await again.close();
  });

  it('refuses a file that is not a journal, and a future format version, untouched', async () => {
    const foreign = freshPath();
    await writeFile(foreign, 'this is not a journal, it is a shopping list');
    assert.ok(isJournalError(await rejection(Journal.open(foreign)), 'JOURNAL_BAD_HEADER'));
    assert.equal(await readFile(foreign, 'utf8'), 'this is not a journal, it is a shopping list');

    const short = freshPath();
    await writeFile(short, 'nope');
    assert.ok(isJournalError(await rejection(Journal.open(short)), 'JOURNAL_BAD_HEADER'));

    const future = freshPath();
    const header = Buffer.alloc(HEADER_SIZE);
    MAGIC.copy(header);
    header.writeUInt32LE(FORMAT_VERSION + 1, 8);
    await writeFile(future, header);
    const error = await rejection(Journal.open(future));
    assert.ok(isJournalError(error, 'JOURNAL_UNSUPPORTED_VERSION'));
    assert.match((error as Error).message, /version 2/);
  });

  it('a torn header (crash while creating) is rewritten', async () => {
    for (const size of [0, 4, HEADER_SIZE - 1]) {
      const path = freshPath();
      const header = Buffer.alloc(HEADER_SIZE);
      MAGIC.copy(header);
      header.writeUInt32LE(FORMAT_VERSION, 8);
      await writeFile(path, header.subarray(0, size));
      const journal = await Journal.open(path);
      assert.equal(journal.recovery.reason, 'torn-header');
      assert.equal(journal.recovery.records, 0);
      await journal.append(Uint8Array.of(5));
      await journal.close();
      assert.deepEqual(await readAll(path), [Uint8Array.of(5)]);
    }
  });
});
