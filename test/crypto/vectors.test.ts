/**
 * The ten speccheck vectors ("Taming the many EdDSAs"): every path must give the engine rule's
 * verdicts, which are noble's `{ zip215: false }` column: F F T T T T F F F F.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  honest,
  type Item,
  nativeBatch,
  nativeSingle,
  nobleBatch,
  nobleSingle,
  reference,
} from './ed25519-cases.js';

const EXPECTED = [false, false, true, true, true, true, false, false, false, false];

interface Vector {
  message: string;
  pub_key: string;
  signature: string;
}

const vectors: Item[] = (
  JSON.parse(
    readFileSync(new URL('../../../test/vectors/ed25519-speccheck.json', import.meta.url), 'utf8'),
  ) as Vector[]
).map((v) => ({
  pub: Buffer.from(v.pub_key, 'hex'),
  msg: Buffer.from(v.message, 'hex'),
  sig: Buffer.from(v.signature, 'hex'),
}));

test('the vectors file holds the ten cases', () => {
  assert.equal(vectors.length, 10);
});

test('noble strict (the reference) gives the expected column', () => {
  assert.deepEqual(vectors.map(reference), EXPECTED);
});

test('native single gives the expected verdicts', () => {
  assert.deepEqual(vectors.map(nativeSingle), EXPECTED);
});

test('native batch gives the expected verdicts', () => {
  assert.deepEqual(nativeBatch(vectors), EXPECTED);
});

test('noble single gives the expected verdicts', () => {
  assert.deepEqual(vectors.map(nobleSingle), EXPECTED);
});

test('noble batch of all ten gives the expected verdicts', () => {
  assert.deepEqual(nobleBatch(vectors), EXPECTED);
});

test('each vector inside a batch of valid signatures, at random positions', () => {
  let seed = 1;
  for (let round = 0; round < 3; round++) {
    for (const [i, vector] of vectors.entries()) {
      const size = 8 + ((i * 7 + round * 13) % 40);
      const fillers = Array.from({ length: size - 1 }, () => honest(seed++));
      const at = Math.floor(Math.random() * size);
      const batch = [...fillers.slice(0, at), vector, ...fillers.slice(at)];
      const want = batch.map((_, j) => (j === at ? EXPECTED[i]! : true));
      assert.deepEqual(nobleBatch(batch), want, `vector ${i} at ${at} of ${size}`);
      assert.deepEqual(nativeBatch(batch), want, `vector ${i} at ${at} of ${size} (native)`);
    }
  }
});

test('all ten vectors scattered in one large batch of valid signatures', () => {
  const size = 100;
  const items: Item[] = Array.from({ length: size }, (_, j) => honest(5000 + j));
  const positions = [...Array(size).keys()].sort(() => Math.random() - 0.5).slice(0, 10);
  const want: boolean[] = Array(size).fill(true);
  positions.forEach((pos, i) => {
    items[pos] = vectors[i]!;
    want[pos] = EXPECTED[i]!;
  });
  assert.deepEqual(nobleBatch(items), want);
});
