import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  isJournalError,
  Journal,
  type JournalFaults,
  RECORD_OVERHEAD,
} from '../../engine/journal/index.js';
import { offsetOf, readAll, rejection, scratchDir } from './helpers.js';

const dir = await scratchDir();
let fileNo = 0;
const freshPath = () => join(dir, `f${fileNo++}.jnl`);

const SIZE = 100;
const FRAME = RECORD_OVERHEAD + SIZE;
const record = (i: number) => new Uint8Array(SIZE).fill(i);

/**
 * Appends `awaited` records one by one, then a burst of `burst` without awaiting, under `faults`.
 * Checks the fail-closed contract and returns how many records were acknowledged.
 */
async function runToFailure(faults: JournalFaults, awaited: number, burst: number) {
  const path = freshPath();
  const journal = await Journal.open(path, { faults });
  const all: Uint8Array[] = [];
  const outcomes: PromiseSettledResult<void>[] = [];
  for (let i = 0; i < awaited; i++) {
    all.push(record(i));
    outcomes.push(...(await Promise.allSettled([journal.append(record(i))])));
  }
  const pending: Promise<void>[] = [];
  for (let i = awaited; i < awaited + burst; i++) {
    all.push(record(i));
    pending.push(journal.append(record(i)));
  }
  outcomes.push(...(await Promise.allSettled(pending)));

  // Acknowledged records form a prefix; everything after the failure point rejects.
  const acked = outcomes.findIndex((o) => o.status === 'rejected');
  assert.ok(acked >= 0, 'the fault must trip');
  for (const o of outcomes.slice(acked)) {
    assert.equal(o.status, 'rejected');
    assert.ok(isJournalError(o.reason, 'JOURNAL_FAILED'), String(o.reason));
  }
  assert.ok(isJournalError(journal.failure, 'JOURNAL_FAILED'));
  assert.equal(journal.stats().failed, true);
  assert.equal(journal.stats().records, acked);
  assert.equal(journal.size, offsetOf(all, acked));

  // Future appends are refused too, and close reports the failure.
  const later = await rejection(journal.append(record(255)));
  assert.ok(isJournalError(later, 'JOURNAL_FAILED'));
  const closing = await rejection(journal.close());
  assert.ok(isJournalError(closing, 'JOURNAL_FAILED'));

  // The failed group was rolled back: replay shows exactly the acknowledged records.
  assert.equal(statSync(path).size, offsetOf(all, acked));
  assert.deepEqual(await readAll(path), all.slice(0, acked));
  return { acked, failure: journal.failure! };
}

describe('journal: fail-closed', () => {
  it('disk full during a lone write: it and everything queued behind it reject', async () => {
    // 5 records fit; the 6th (written alone, the disk being idle) is cut short by ENOSPC while
    // the 9 after it wait in the next group.
    const { acked, failure } = await runToFailure({ failWriteAfterBytes: 5 * FRAME + 50 }, 5, 10);
    assert.equal(acked, 5);
    assert.equal((failure.cause as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.match(failure.message, /ENOSPC/);
  });

  it('disk full in the middle of a group rejects the whole group', async () => {
    // Record 0 awaited; of the burst, record 1 goes alone and records 2..20 form one group,
    // which the fault cuts in the middle.
    const { acked } = await runToFailure({ failWriteAfterBytes: 10 * FRAME + 3 }, 1, 20);
    assert.equal(acked, 2);
  });

  it('an fdatasync failure rejects the group even though its bytes were written', async () => {
    const { acked, failure } = await runToFailure({ failSyncAfter: 3 }, 3, 10);
    assert.equal(acked, 3);
    assert.equal((failure.cause as NodeJS.ErrnoException).code, 'EIO');
  });

  it('failure before anything was acknowledged leaves an empty, valid journal', async () => {
    const { acked } = await runToFailure({ failWriteAfterBytes: 0 }, 0, 5);
    assert.equal(acked, 0);
  });
});
