/** The on-disk form and cache, and the progress bar. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createProgressBar,
  loadOrGenerateWorkload,
  parseWorkload,
  serializeWorkload,
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

  it('generates on a miss, then loads the same bytes on a hit', async () => {
    const first = await loadOrGenerateWorkload('shenzhen-lottery', options, {
      cacheDir: dir,
      progress: false,
    });
    assert.equal(first.cached, false);
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
