/**
 * Pure signature-verification rates: the gate's calibration (./trial.ts) and the figures of
 * bench/verify.ts and bench/engine.ts.
 *
 * Setup (key generation, signing, packing) and warm-up are outside the timed region. Every rate
 * is reported both per wall second and per CPU second (process.cpuUsage): the machine is shared,
 * and CPU time is far less disturbed by other tenants than wall time. Speedups use CPU time.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import {
  type BackendName,
  createSuiteVerifier,
  createVerifier,
  ITEM_SIZE,
  itemLayout,
  packItem,
  type SuiteName,
  sm2KeyFromSecret,
  sm2Sign,
} from '../engine/crypto/index.js';

/** Options shared by the measurements. */
export interface MeasureOptions {
  /** Distinct signed items cycled through (default 512). */
  readonly items?: number;
  /** Distinct keys among them (default = items). Keys repeat like wallet keys do. */
  readonly keys?: number;
  /** Minimum timed duration per measurement, seconds (default 2). */
  readonly seconds?: number;
  /** Signature suite (default 'ed25519'). */
  readonly suite?: SuiteName;
  /** Every signature has one bit flipped (each must be rejected): the cost of a forgery. */
  readonly invalid?: boolean;
}

/** One rate measurement. */
export interface Rate {
  /** Verifications counted. */
  readonly verifications: number;
  /** Verifications per wall-clock second. */
  readonly wallRate: number;
  /** Verifications per CPU second (user + system of this process). */
  readonly cpuRate: number;
  /** CPU microseconds per verification. */
  readonly cpuMicrosPerVerification: number;
}

/** Batch-over-single speedup at one batch size (noble backend). */
export interface BatchSpeedup {
  readonly size: number;
  readonly batch: Rate;
  readonly single: Rate;
  /** batch.cpuRate / single.cpuRate. */
  readonly speedup: number;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** `items` valid signatures over `keys` random keys, packed; signing via node:crypto (fast). */
function signedItems(items: number, keys: number): Uint8Array {
  const signers = Array.from({ length: Math.max(1, Math.min(keys, items)) }, () => {
    const privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, randomBytes(32)]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    return { privateKey, publicKey: spki.subarray(spki.length - 32) };
  });
  const packed = new Uint8Array(items * ITEM_SIZE);
  for (let i = 0; i < items; i++) {
    const signer = signers[i % signers.length]!;
    const message = randomBytes(32);
    packItem(packed, i, signer.publicKey, message, sign(null, message, signer.privateKey));
  }
  return packed;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Runs `step` (which verifies `perStep` items and throws on a wrong verdict) once over every
 * prepared input as warm-up, then repeatedly for at least `seconds`, timing only the latter.
 */
function timeLoop(
  steps: number,
  perStep: number,
  seconds: number,
  step: (i: number) => void,
): Rate {
  for (let i = 0; i < steps; i++) step(i); // warm-up: JIT, key caches
  const wallStart = performance.now();
  const cpuStart = cpuMicros();
  const deadline = wallStart + seconds * 1000;
  let done = 0;
  do {
    step(done % steps);
    done++;
  } while (performance.now() < deadline);
  const wallMs = performance.now() - wallStart;
  const cpuUs = Math.max(1, cpuMicros() - cpuStart);
  const verifications = done * perStep;
  return {
    verifications,
    wallRate: (verifications / wallMs) * 1000,
    cpuRate: (verifications / cpuUs) * 1e6,
    cpuMicrosPerVerification: cpuUs / verifications,
  };
}

/** `items` valid SM2 signatures (standard ID) over `keys` random keys, packed. */
function signedSm2Items(items: number, keys: number): Uint8Array {
  const layout = itemLayout('sm2');
  const signers = Array.from({ length: Math.max(1, Math.min(keys, items)) }, () =>
    sm2KeyFromSecret(randomBytes(32)),
  );
  const packed = new Uint8Array(items * layout.itemSize);
  for (let i = 0; i < items; i++) {
    const signer = signers[i % signers.length]!;
    const message = randomBytes(32);
    packItem(packed, i, signer.publicKey, message, sm2Sign(signer, message), layout);
  }
  return packed;
}

/**
 * Single-verification rate of one backend on one core: a tight loop of `verifyBatch(item, 1)`
 * over pre-packed items, each checked to be valid (or, with `invalid`, rejected).
 */
export function measureSingleRate(backend: BackendName, opts: MeasureOptions = {}): Rate {
  const suite = opts.suite ?? 'ed25519';
  const count = opts.items ?? (suite === 'sm2' ? 128 : 512);
  const size = itemLayout(suite).itemSize;
  const packed =
    suite === 'sm2'
      ? signedSm2Items(count, opts.keys ?? count)
      : signedItems(count, opts.keys ?? count);
  const expect = opts.invalid ? 0 : 1;
  if (opts.invalid) for (let i = 0; i < count; i++) packed[(i + 1) * size - 1 - (i % 64)]! ^= 1;
  const views = Array.from({ length: count }, (_, i) => packed.subarray(i * size, (i + 1) * size));
  const verifier = createSuiteVerifier(suite, backend);
  return timeLoop(count, 1, opts.seconds ?? 2, (i) => {
    if (verifier.verifyBatch(views[i]!, 1)[0] !== expect) throw new Error('wrong verdict');
  });
}

/**
 * For each batch size: noble batch rate / noble single rate (CPU-time rates). Batches are cut
 * from a pool of max(items, largest size) signatures, so keys repeat across batches as wallet
 * keys do (the decoded-key cache is warm after the warm-up pass).
 */
export function measureBatchSpeedup(
  sizes: readonly number[] = [1, 16, 64, 256, 1024],
  opts: MeasureOptions = {},
): BatchSpeedup[] {
  const seconds = opts.seconds ?? 2;
  const single = measureSingleRate('noble', opts);
  const pool = Math.max(opts.items ?? 512, ...sizes);
  const packed = signedItems(pool, opts.keys ?? pool);
  const verifier = createVerifier('noble');
  return sizes.map((size) => {
    const batches = Array.from({ length: Math.max(1, Math.floor(pool / size)) }, (_, b) =>
      packed.subarray(b * size * ITEM_SIZE, (b + 1) * size * ITEM_SIZE),
    );
    const batch = timeLoop(batches.length, size, seconds, (i) => {
      const out = verifier.verifyBatch(batches[i]!, size);
      for (let j = 0; j < size; j++) if (out[j] !== 1) throw new Error('valid signature rejected');
    });
    return { size, batch, single, speedup: batch.cpuRate / single.cpuRate };
  });
}
