/** The on-disk form and cache, and the progress bar. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSuiteVerifier, itemLayout, packItem } from '../../../engine/crypto/index.js';
import { decodeWire, SM2_SUITE } from '../../../engine/domain/index.js';
import {
  createProgressBar,
  generateWorkload,
  loadOrGenerateWorkload,
  parseWorkload,
  serializeWorkload,
  type Workload,
  WorkloadFormatError,
  workloadCachePath,
  workloadDigest,
} from '../../../scenarios/workload/index.js';
import { workloadOf } from '../helpers.js';

describe('serialization', () => {
  it('round-trips byte for byte', () => {
    const w = workloadOf('offline-burst', 'default');
    const text = serializeWorkload(w);
    const back = parseWorkload(text);
    assert.equal(serializeWorkload(back), text);
    assert.deepEqual(back.meta, w.meta);
    assert.deepEqual(back.ops.at, w.ops.at);
    assert.deepEqual(back.ops.bodies.slice(0, 10), w.ops.bodies.slice(0, 10));
  });

  it('refuses truncated or foreign files', () => {
    const text = serializeWorkload(workloadOf('offline-burst', 'default'));
    assert.throws(() => parseWorkload(text.slice(0, text.length / 2)), WorkloadFormatError);
    assert.throws(() => parseWorkload('{"format":"other"}\n'), WorkloadFormatError);
    assert.throws(() => parseWorkload(`${text}extra`), WorkloadFormatError);
  });
});

describe('cache', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-workloads-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const options = { scale: 'small', seed: 'cache-test', durationS: 10 } as const;
  /** The Ed25519 workload of `options`, as the first test generated it (generation is costly). */
  let generated: Workload | undefined;

  it('generates on a miss, then loads the same bytes on a hit', async () => {
    const first = await loadOrGenerateWorkload('shenzhen-lottery', options, {
      cacheDir: dir,
      progress: false,
    });
    assert.equal(first.cached, false);
    generated = first.workload;
    assert.equal(first.path, workloadCachePath('shenzhen-lottery', options, dir));
    const second = await loadOrGenerateWorkload('shenzhen-lottery', options, {
      cacheDir: dir,
      progress: false,
    });
    assert.equal(second.cached, true);
    assert.equal(second.key, first.key);
    assert.equal(workloadDigest(second.workload), workloadDigest(first.workload));
    assert.equal(await readFile(second.path!, 'utf8'), serializeWorkload(first.workload));
  });

  it('keys on every input: another seed is another file', () => {
    assert.notEqual(
      workloadCachePath('shenzhen-lottery', options, dir),
      workloadCachePath('shenzhen-lottery', { ...options, seed: 'other' }, dir),
    );
    assert.notEqual(
      workloadCachePath('shenzhen-lottery', options, dir),
      workloadCachePath('shenzhen-lottery', { ...options, invalidShare: 0.05 }, dir),
    );
  });

  it('keys on the suite: an SM2 workload is another file, Ed25519 is the default', () => {
    const base = workloadCachePath('shenzhen-lottery', options, dir);
    assert.equal(
      base,
      workloadCachePath('shenzhen-lottery', { ...options, suite: 'ed25519' }, dir),
    );
    assert.notEqual(base, workloadCachePath('shenzhen-lottery', { ...options, suite: 'sm2' }, dir));
  });

  it('draws the same plan under both suites, each signed with its own keys and ids', () => {
    const ed = generated ?? generateWorkload('shenzhen-lottery', options);
    const sm = generateWorkload('shenzhen-lottery', { ...options, suite: 'sm2' });
    assert.equal(sm.meta.suite, 'sm2');
    assert.deepEqual(sm.ops.at, ed.ops.at);
    assert.deepEqual(sm.ops.type, ed.ops.type);
    assert.deepEqual(sm.ops.expected, ed.ops.expected);
    assert.deepEqual(sm.ops.lane, ed.ops.lane);
    assert.equal(sm.genesis.bodies.length, ed.genesis.bodies.length);
    assert.match(sm.meta.centralBankKey, /^0[23][0-9a-f]{64}$/);
    // Every signature of an SM2 workload verifies under the SM2 rule, except the planted ones.
    const verifier = createSuiteVerifier('sm2', 'native');
    const layout = itemLayout('sm2');
    const txs = sm.ops.bodies.slice(0, 400).map((body) => {
      const tx = decodeWire(JSON.parse(body), SM2_SUITE);
      if ('code' in tx) throw new Error(`${tx.code}: ${tx.message}`);
      return tx;
    });
    const items = new Uint8Array(txs.length * layout.itemSize);
    txs.forEach((tx, i) => {
      packItem(items, i, tx.signerKey, tx.txid, tx.signature, layout);
    });
    const verdicts = verifier.verifyBatch(items, txs.length);
    txs.forEach((_, i) => {
      assert.equal(verdicts[i] === 1, sm.ops.expected[i] !== 'BAD_SIGNATURE', `op ${i}`);
    });
  });

  it('replaces a corrupt cache file', async () => {
    const path = workloadCachePath('shenzhen-lottery', options, dir);
    await writeFile(path, 'garbage');
    const again = await loadOrGenerateWorkload('shenzhen-lottery', options, {
      cacheDir: dir,
      progress: false,
    });
    assert.equal(again.cached, false);
    assert.doesNotThrow(async () => parseWorkload(await readFile(path, 'utf8')));
  });
});

describe('progress bar', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { isTTY, columns: 100, chunks, write: (c: string) => chunks.push(c) > 0 };
  };

  it('stays silent when stderr is not a terminal', () => {
    const s = sink(false);
    const bar = createProgressBar(s, { delayMs: 0 });
    bar.listener('ops', 5, 10);
    bar.done();
    assert.deepEqual(s.chunks, []);
  });

  it('draws after the delay on a terminal, and clears itself', () => {
    const s = sink(true);
    const bar = createProgressBar(s, { delayMs: 0 });
    bar.listener('ops', 10, 10);
    assert.match(s.chunks[0]!, /ops +\[#+\] +100% 10\/10/);
    bar.done();
    assert.equal(s.chunks[s.chunks.length - 1], '\r\x1b[K');
  });

  it('does not draw before the delay', () => {
    const s = sink(true);
    const bar = createProgressBar(s, { delayMs: 60_000 });
    bar.listener('ops', 1, 10);
    bar.done();
    assert.deepEqual(s.chunks, []);
  });
});
