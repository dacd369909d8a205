/** Shared bits for the journal tests (no tests here). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { HEADER_SIZE, RECORD_OVERHEAD, replay } from '../../engine/journal/index.js';

/** A fresh directory for this test file, removed when the file's tests end. */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-journal-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Deterministic PRNG: reproducible sizes and contents without a fixed corpus. */
import { prng } from '../fixtures/prng.js';

export { prng };

/** `count` payloads of 1..maxSize random bytes. */
export function payloads(count: number, maxSize: number, seed = 1): Uint8Array[] {
  const random = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(1 + Math.floor(random() * maxSize));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
    out.push(bytes);
  }
  return out;
}

/** File offset where record `index` of `records` starts. */
export function offsetOf(records: readonly Uint8Array[], index: number): number {
  let at = HEADER_SIZE;
  for (let i = 0; i < index; i++) at += RECORD_OVERHEAD + records[i]!.length;
  return at;
}

/** Every payload in the file, read-only (the file is not repaired). */
export async function readAll(path: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  await replay(path, (payload) => out.push(payload), { repair: false });
  return out;
}

/** Awaits a promise expected to reject and returns its reason. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
