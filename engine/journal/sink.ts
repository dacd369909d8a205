/**
 * The narrow file interface the journal writes through. It exists so tests can inject disk
 * faults (ENOSPC, EIO) deterministically without touching the hot path's logic.
 */
import type { FileHandle } from 'node:fs/promises';

/** Where journal groups go. Every method either completes fully or throws. */
export interface Sink {
  /** Writes all of `data` at `position`, looping over short writes. */
  write(data: Buffer, position: number): Promise<void>;
  /** fdatasync: data and the size metadata needed to read it back are on stable storage. */
  sync(): Promise<void>;
  /** Cuts the file to `length` and makes the cut durable (used to roll back a failed group). */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Deterministic disk failures for tests. Counts apply to one Journal instance, records only. */
export interface JournalFaults {
  /**
   * Simulates a full disk: the write that would take the bytes written by this Journal past this
   * many writes only up to the limit (a real short write) and then fails with ENOSPC.
   */
  readonly failWriteAfterBytes?: number;
  /** After this many successful fdatasyncs, the next one fails with EIO. */
  readonly failSyncAfter?: number;
}

export function fileSink(fh: FileHandle): Sink {
  return {
    async write(data, position) {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
    },
    sync: () => fh.datasync(),
    async truncate(length) {
      await fh.truncate(length);
      await fh.sync();
    },
    close: () => fh.close(),
  };
}

function injected(
  code: string,
  errno: number,
  syscall: string,
  what: string,
): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${what} (injected fault), ${syscall}`);
  error.code = code;
  error.errno = errno;
  error.syscall = syscall;
  return error;
}

/** Wraps a sink so it fails as `faults` describes; truncate and close stay honest. */
export function faultySink(inner: Sink, faults: JournalFaults): Sink {
  let written = 0;
  let syncs = 0;
  return {
    async write(data, position) {
      const limit = faults.failWriteAfterBytes;
      if (limit !== undefined && written + data.length > limit) {
        const room = Math.max(0, limit - written);
        if (room > 0) await inner.write(data.subarray(0, room), position);
        written += room;
        throw injected('ENOSPC', -28, 'write', 'no space left on device');
      }
      await inner.write(data, position);
      written += data.length;
    },
    async sync() {
      if (faults.failSyncAfter !== undefined && syncs >= faults.failSyncAfter) {
        throw injected('EIO', -5, 'fdatasync', 'i/o error');
      }
      await inner.sync();
      syncs++;
    },
    truncate: (length) => inner.truncate(length),
    close: () => inner.close(),
  };
}
