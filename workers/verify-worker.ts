/**
 * Piscina worker entry for engine/verify-pool. Deliberately thin: the verifier is created once per
 * thread, each task is one packed batch, and the verdict buffer goes back transferred, not copied.
 */
import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { createSuiteVerifier, isAcceptablePublicKey, itemLayout } from '../engine/crypto/index.js';
import type { VerifyResult, VerifyTask, VerifyWorkerData } from '../engine/verify-pool/protocol.js';

const config = workerData as VerifyWorkerData;
const verifier = createSuiteVerifier(
  config.suite,
  config.backend,
  config.sm2Id === undefined ? {} : { sm2Id: Buffer.from(config.sm2Id, 'latin1') },
);
const layout = itemLayout(config.suite);
let batchesStarted = 0;
/** This thread's OS id: /proc/thread-self resolves to "<pid>/task/<tid>" for the calling thread. */
const tid = osThreadId();

function osThreadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').at(-1)) || 0;
  } catch {
    return 0;
  }
}

export default function verifyBatch(task: VerifyTask): unknown {
  batchesStarted++;
  // The injected crash hits a thread's Nth batch only on that batch's first run: a thread's
  // death is not its batch's fault, and a retry that always arrived as some thread's Nth batch
  // would fail in lock step until its retries ran out. N = 1 crashes every run (a poison batch).
  const n = config.crashAfterBatches;
  if (n > 0 && batchesStarted === n && (task.attempt === 1 || n === 1)) {
    // In a worker thread this ends the thread only; piscina rejects the running task.
    process.exit(1);
  }
  const items = new Uint8Array(task.items);
  const started = performance.now();
  let verdicts = verifier.verifyBatch(items, task.count);
  // A key check's signature slot is zero and its verdict just computed is dropped: verifying it
  // costs a few % of the check itself, and batches holding key checks are rare.
  if (task.keyChecks !== undefined) checkKeys(items, new Uint8Array(task.keyChecks), verdicts);
  if (config.extraWorkPerItem > 0) extraWork(items, task.count, config.extraWorkPerItem);
  const verifyMicros = (performance.now() - started) * 1000;
  // Only a standalone ArrayBuffer can be transferred; a backend may hand back a view into a
  // larger or pooled (untransferable) buffer, in which case one small copy is the price.
  if (
    verdicts.byteOffset !== 0 ||
    verdicts.byteLength !== verdicts.buffer.byteLength ||
    !(verdicts.buffer instanceof ArrayBuffer)
  ) {
    verdicts = new Uint8Array(verdicts);
  }
  const result: VerifyResult = { verdicts, verifyMicros, tid };
  return move({ [transferableSymbol]: verdicts.buffer, [valueSymbol]: result });
}

/** Overwrites the verdict of every key-check item with the registration-time key check. */
function checkKeys(items: Uint8Array, flags: Uint8Array, verdicts: Uint8Array): void {
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 1) continue;
    const at = i * layout.itemSize;
    verdicts[i] = isAcceptablePublicKey(items.subarray(at, at + layout.keyLength), config.suite)
      ? 1
      : 0;
  }
}

function extraWork(items: Uint8Array, count: number, rounds: number): void {
  for (let i = 0; i < count; i++) {
    const at = i * layout.itemSize + layout.messageOffset;
    // Chained so every round depends on the previous one; native hashing cannot be elided.
    let digest: Uint8Array = items.subarray(at, at + 32);
    for (let r = 0; r < rounds; r++) digest = createHash('sha256').update(digest).digest();
  }
}
