/**
 * Randomized differential test: valid signatures, tampering, non-canonical S, small-order and
 * mixed-order R/A, non-canonical encodings. Native single, noble single and noble batch must all
 * give the rule's verdict (checked against noble strict, the reference), and batches with
 * several bad items must flag exactly those (bisection).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createNobleVerifier } from '../../engine/crypto/ed25519/noble.js';
import { createVerifier, ITEM_SIZE } from '../../engine/crypto/index.js';
import {
  buildCase,
  type CaseSeed,
  honest,
  type Item,
  KINDS,
  L,
  NON_CANONICAL,
  nativeBatch,
  nativeSingle,
  nobleBatch,
  nobleSingle,
  pack,
  reference,
} from './ed25519-cases.js';

const scalar = fc.bigInt({ min: 1n, max: L - 1n });

const caseSeed = (kind: fc.Arbitrary<CaseSeed['kind']>): fc.Arbitrary<CaseSeed> =>
  fc.record({
    kind,
    a: scalar,
    r: scalar,
    other: scalar,
    msg: fc.integer({ min: 0, max: 1 << 30 }),
    t: fc.integer({ min: 0, max: 7 }),
    bit: fc.integer({ min: 0, max: 511 }),
    pick: fc.integer({ min: 0, max: 1000 }),
  });

let fillerSeed = 10_000;
const fillers = (n: number): Item[] => Array.from({ length: n }, () => honest(fillerSeed++));

test('the non-canonical encoding list covers small-order and other points', () => {
  assert.ok(NON_CANONICAL.length >= 6);
  assert.ok(NON_CANONICAL.some((e) => e.smallOrder));
});

for (const kind of KINDS) {
  test(`${kind}: all paths agree with the rule`, () => {
    fc.assert(
      fc.property(caseSeed(fc.constant(kind)), (seed) => {
        const { item, valid } = buildCase(seed);
        assert.equal(reference(item), valid, 'reference verdict');
        assert.equal(nativeSingle(item), valid, 'native single');
        assert.equal(nobleSingle(item), valid, 'noble single');
        // Inside a batch of valid signatures, at a random position.
        const others = fillers(7);
        const at = seed.pick % 8;
        const batch = [...others.slice(0, at), item, ...others.slice(at)];
        const want = batch.map((_, j) => (j === at ? valid : true));
        assert.deepEqual(nobleBatch(batch), want, 'noble batch');
      }),
      { numRuns: 12 },
    );
  });
}

test('mixed batches: every path flags exactly the bad items', () => {
  fc.assert(
    fc.property(
      fc.array(caseSeed(fc.constantFrom(...KINDS)), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 8, max: 90 }),
      fc.integer({ min: 0, max: 1 << 30 }),
      (seeds, size, shuffle) => {
        const cases = seeds.map(buildCase);
        const items: Item[] = fillers(size);
        const want: boolean[] = Array(size).fill(true);
        // Scatter the cases over distinct random positions.
        const positions = [...Array(size).keys()];
        let state = shuffle;
        for (let i = positions.length - 1; i > 0; i--) {
          state = (state * 1103515245 + 12345) & 0x7fffffff;
          const j = state % (i + 1);
          [positions[i], positions[j]] = [positions[j]!, positions[i]!];
        }
        cases.forEach((c, i) => {
          if (i >= size) return;
          items[positions[i]!] = c.item;
          want[positions[i]!] = c.valid;
        });
        assert.deepEqual(nobleBatch(items), want, 'noble batch');
        assert.deepEqual(nativeBatch(items), want, 'native');
      },
    ),
    { numRuns: 25 },
  );
});

test('bisection: several invalid signatures at random positions in a large batch', () => {
  for (const [size, bad] of [
    [64, 1],
    [64, 2],
    [200, 5],
    [257, 17],
    [40, 40],
  ] as const) {
    const items = fillers(size);
    const positions = [...Array(size).keys()].sort(() => Math.random() - 0.5).slice(0, bad);
    const want: boolean[] = Array(size).fill(true);
    for (const p of positions) {
      const it = items[p]!;
      const msg = it.msg.slice();
      msg[0] = msg[0]! ^ 1;
      items[p] = { ...it, msg };
      want[p] = false;
    }
    assert.deepEqual(nobleBatch(items), want, `${bad} bad of ${size}`);
  }
});

test('a batch of only valid signatures passes; an empty batch is empty', () => {
  assert.deepEqual(nobleBatch(fillers(33)), Array(33).fill(true));
  assert.deepEqual(nobleBatch([]), []);
  assert.deepEqual(nativeBatch([]), []);
});

test('caller misuse throws: buffer shorter than count items, or a bad count', () => {
  for (const backend of ['native', 'noble'] as const) {
    const verifier = createVerifier(backend);
    assert.throws(() => verifier.verifyBatch(new Uint8Array(ITEM_SIZE), 2), RangeError);
    assert.throws(() => verifier.verifyBatch(new Uint8Array(ITEM_SIZE), -1), RangeError);
    assert.throws(() => verifier.verifyBatch(new Uint8Array(ITEM_SIZE), 0.5), RangeError);
    // Garbage is not misuse: it is an invalid signature.
    assert.deepEqual(
      [...verifier.verifyBatch(new Uint8Array(3 * ITEM_SIZE).fill(0xff), 3)],
      [0, 0, 0],
    );
  }
});

test('the batch equation itself is cofactored: mixed-order items pass without bisection', () => {
  const noble = createNobleVerifier();
  fc.assert(
    fc.property(
      fc.array(
        caseSeed(fc.constantFrom('valid', 'mixedOrderR', 'mixedOrderA', 'smallOrderRCrafted')),
        {
          minLength: 2,
          maxLength: 70,
        },
      ),
      (seeds) => {
        const items = seeds.map((s) => buildCase(s).item);
        assert.equal(noble.combinationHolds(pack(items), items.length), true);
        // One tampered item breaks the combination.
        const bad = { ...items[0]!, msg: new Uint8Array(32).fill(7) };
        assert.equal(noble.combinationHolds(pack([bad, ...items.slice(1)]), items.length), false);
      },
    ),
    { numRuns: 15 },
  );
});
