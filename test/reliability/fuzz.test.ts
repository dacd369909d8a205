/**
 * Property-based fuzzing of the HTTP API with fast-check (issue "Reliability and security").
 *
 * 1. Junk bodies (any string, bytes, JSON value) -> 4xx with a stable code, state unchanged.
 * 2. Mutations of settled transactions (every field, with huge/negative/fractional/zero values,
 *    values past 2^53, wrong types, unknown fields, duplicate inputs, number literals JSON
 *    cannot hold) -> never settle: 4xx with a stable code, state unchanged.
 * 3. Model-based: properly signed transactions of every type by every kind of signer, with
 *    random inputs (own, others', spent, unknown, duplicated) and outputs (balanced or not,
 *    past the inputs, to registered or unknown owners), checked against a registry model that
 *    applies the same rules: the engine's answer (status, code, index) must be the model's.
 * 4. Oversize bodies and batches -> 413 with their codes.
 * Afterwards the books reconcile and the engine's lifecycle counts equal the model's.
 * Seed: ECNY_FUZZ_SEED; runs per property scale with ECNY_FUZZ_RUNS (default 1 = CI size).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { isAcceptablePublicKey } from '../../engine/crypto/index.js';
import {
  coinIdOf,
  decodeWire,
  deriveKeyPair,
  type KeyPair,
  OP_TYPES,
  type OpType,
  REJECTION_CODES,
  type Subject,
  signTx,
  type Tx,
  toWire,
} from '../../engine/domain/index.js';
import { Registry } from '../../engine/registry/index.js';
import { DAY, genesis, type Ledger } from '../fixtures/ledger.js';
import {
  type Client,
  engineState,
  obj,
  type Reply,
  settleAll,
  startServer,
  type TestServer,
} from '../http/helpers.js';
import { recordFigures } from './figures.js';

const SCALE = Number(process.env['ECNY_FUZZ_RUNS'] ?? 1);
const SEED = Number(process.env['ECNY_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const MAX_BODY = 8 * 1024;
const MAX_BATCH = 16;
const CODES: ReadonlySet<string> = new Set([
  ...REJECTION_CODES,
  'BODY_TOO_LARGE',
  'BATCH_TOO_LARGE',
]);

const params = (runs: number) => ({ numRuns: Math.ceil(runs * SCALE), seed: SEED });

/** Numbers a careless decoder gets wrong, as JSON values. */
const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  1.0000001,
  2 ** 31,
  2 ** 32,
  2 ** 32 - 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  -1e21,
  1e308,
  Number.MIN_VALUE,
];
/** Number literals as raw JSON text: beyond doubles, beyond safe integers, odd spellings. */
const NASTY_LITERALS = [
  '1e400',
  '-1e400',
  '9007199254740993',
  '123456789012345678901234567890',
  '-0',
  '1E2',
  '0.0',
  '01',
  '0x10',
  '+1',
  '.5',
  'NaN',
  'Infinity',
  '1_000',
];

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_NUMBERS),
  fc.integer(),
  fc.double(),
  fc.jsonValue(),
  fc.string(),
  fc.constantFrom('', '00', 'ab'.repeat(32), 'AB'.repeat(32), 'ab'.repeat(64), 'g'.repeat(64)),
  fc.constantFrom(null, true, [], {}, [1], { value: 1 }),
);

let fuzzed = 0;

/** A batch body nests at most `{"txs":[{..."outputs":[{` deep (docs/api.md). */
const BATCH_MAX_DEPTH = 5;

/** Nesting depth of a JSON value: 0 for a scalar, 1 for a flat array or object. */
function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((d, child) => Math.max(d, depth(child)), 0);
}

describe('HTTP API under fuzzing', () => {
  let server: TestServer;
  let client: Client;
  let l: Ledger;
  let model: Registry;
  /** Keys of everyone who can sign: the cast, strangers, and wallets/banks registered later. */
  const keys = new Map<string, KeyPair>();
  const settled: Tx[] = [];
  const spent: string[] = [];
  const strangers = [deriveKeyPair('fuzz', 'stranger-0'), deriveKeyPair('fuzz', 'stranger-1')];

  before(async () => {
    console.log(`# fast-check seed ${SEED} (ECNY_FUZZ_SEED to replay), scale ${SCALE}`);
    server = await startServer({ http: { maxBodyBytes: MAX_BODY, maxBatchTxs: MAX_BATCH } });
    client = server.client;
    l = genesis();
    model = new Registry({
      centralBankKey: l.cb.publicKey,
      acceptKey: isAcceptablePublicKey,
      today: () => DAY,
    });
    for (const tx of l.genesis) assert.equal(model.apply(tx), null);
    await settleAll(client, l.genesis);
    settled.push(...l.genesis);
    for (const p of [...l.parties, ...strangers]) keys.set(p.publicKey, p);
  });
  after(() => server.close());

  /** Posts, and checks: a 4xx with a known code, and nothing moved. */
  async function refusedSafely(path: string, body: unknown): Promise<Reply> {
    const before = await engineState(client);
    const reply = await client.post(path, body);
    fuzzed++;
    assert.ok(reply.status >= 400 && reply.status < 500, `${reply.status}: ${reply.text}`);
    const code = obj(reply).code;
    assert.ok(typeof code === 'string' && CODES.has(code), `unknown code in ${reply.text}`);
    assert.deepEqual(await engineState(client), before, `state moved after ${reply.text}`);
    return reply;
  }

  test('junk bodies get a 4xx with a stable code and change nothing', async () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json(),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => JSON.stringify({ v: 1, ...(v as object) })),
      fc
        .dictionary(fc.constantFrom('v', 'type', 'signer', 'inputs', 'outputs', 'sig'), nastyValue)
        .map((d) => JSON.stringify(d)),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (body) => {
        const reply = await refusedSafely('/v1/tx', body);
        assert.equal(reply.status, 400, reply.text);
      }),
      params(150),
    );
    // The batch endpoint: junk items are answered one by one; a junk envelope is 400.
    await fc.assert(
      fc.asyncProperty(fc.array(nastyValue, { maxLength: MAX_BATCH }), async (items) => {
        const before = await engineState(client);
        const reply = await client.post('/v1/tx/batch', { txs: items });
        fuzzed += items.length;
        if (depth({ txs: items }) > BATCH_MAX_DEPTH) {
          // Nested deeper than any batch of transactions: refused whole, before parsing.
          assert.equal(reply.status, 400, reply.text);
          assert.equal(obj(reply).code, 'MALFORMED');
          assert.deepEqual(await engineState(client), before);
          return;
        }
        assert.equal(reply.status, 200, reply.text);
        const results = obj(reply).results as Array<Record<string, unknown>>;
        assert.equal(results.length, items.length);
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          assert.ok(CODES.has(String(r.code)), JSON.stringify(r));
        }
        assert.deepEqual(await engineState(client), before);
      }),
      params(60),
    );
    await fc.assert(
      fc.asyncProperty(fc.json(), async (body) => {
        await refusedSafely('/v1/tx/batch', body);
      }),
      params(60),
    );
  });

  test('no mutation of a settled transaction ever settles', async () => {
    const FIELDS = [
      'v',
      'type',
      'signer',
      'day',
      'nonce',
      'inputs',
      'outputs',
      'sig',
      'subject',
      'memo',
      'outputs.0.value',
      'outputs.0.owner',
      'outputs.0.memo',
      'inputs.0',
      'inputs.dup',
      'subject.tier',
      'subject.kyc',
      'subject.key',
    ] as const;
    const mutation = fc.record({
      base: fc.nat(),
      field: fc.constantFrom(...FIELDS),
      value: nastyValue,
      literal: fc.option(fc.constantFrom(...NASTY_LITERALS), { freq: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ base, field, value, literal }) => {
        const tx = settled[base % settled.length]!;
        const wire = JSON.parse(JSON.stringify(toWire(tx))) as Record<string, unknown>;
        const outputs = wire.outputs as Array<Record<string, unknown>>;
        const inputs = wire.inputs as unknown[];
        const subject = (wire.subject ?? {}) as Record<string, unknown>;
        const MARK = '"__NASTY_LITERAL__"';
        const set = (target: Record<string, unknown> | unknown[], key: string | number) => {
          (target as Record<string | number, unknown>)[key] = literal === null ? value : MARK;
        };
        switch (field) {
          case 'outputs.0.value':
          case 'outputs.0.owner':
          case 'outputs.0.memo':
            if (outputs.length === 0) outputs.push({});
            set(outputs[0]!, field.slice(10));
            break;
          case 'inputs.0':
            set(inputs, 0);
            break;
          case 'inputs.dup':
            if (inputs.length > 0) inputs.push(inputs[0]);
            else inputs.push('ab'.repeat(32), 'ab'.repeat(32));
            break;
          case 'subject.tier':
          case 'subject.kyc':
          case 'subject.key':
            set(subject, field.slice(8));
            wire.subject = subject;
            break;
          default:
            set(wire, field);
        }
        // A literal goes in as raw text, so JSON.stringify cannot normalise it away.
        const body = JSON.stringify(wire).replace(JSON.stringify(MARK), literal ?? '');
        const reply = await refusedSafely('/v1/tx', body);
        assert.notEqual(obj(reply).status, 'settled');
      }),
      params(400),
    );
  });

  test('signed transactions of every kind are answered exactly as the registry model says', async () => {
    const fresh = Array.from({ length: 12 }, (_, i) => deriveKeyPair('fuzz', `fresh-${i}`));
    for (const p of fresh) keys.set(p.publicKey, p);
    const parties = () => [...keys.values()];
    const inputPick = fc.oneof(
      { weight: 6, arbitrary: fc.nat().map((n) => ({ from: 'own' as const, n })) },
      { weight: 1, arbitrary: fc.nat().map((n) => ({ from: 'any' as const, n })) },
      { weight: 1, arbitrary: fc.nat().map((n) => ({ from: 'spent' as const, n })) },
      { weight: 1, arbitrary: fc.nat().map((n) => ({ from: 'unknown' as const, n })) },
    );
    const valuePick = fc.oneof(
      { weight: 6, arbitrary: fc.constant('balance' as const) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 200_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
    );
    /** Mostly true: the generator leans towards transactions that can pass, so rules are reached. */
    const usually = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false));
    const spec = fc.record({
      type: fc.constantFrom(...OP_TYPES),
      signer: fc.nat(),
      fittingSigner: usually,
      inputs: fc.array(inputPick, { minLength: 1, maxLength: 3 }),
      duplicate: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
      outputs: fc.array(
        fc.record({ owner: fc.nat(), fitting: usually, self: fc.boolean(), value: valuePick }),
        { minLength: 1, maxLength: 3 },
      ),
      fittingShape: usually,
      subject: fc.record({
        key: fc.nat(),
        tier: fc.constantFrom(1, 2, 3, 4, 5),
        kind: fc.constantFrom('personal', 'merchant'),
      }),
      // The engine's day (the server's clock reads DAY), and days it must refuse.
      day: fc.constantFrom(DAY, DAY, DAY, DAY - 1, DAY - 8, DAY + 1, DAY + 366),
      nonce: fc.nat(),
    });
    const SIGNER_ROLE: Record<OpType, string> = {
      issue: 'central-bank',
      allocate: 'central-bank',
      destroy: 'central-bank',
      enroll: 'central-bank',
      exchange: 'bank',
      return: 'bank',
      open: 'bank',
      transfer: 'wallet',
      'offline-transfer': 'wallet',
      redeem: 'wallet',
    };
    const PAYEE_ROLE: Partial<Record<OpType, string>> = {
      allocate: 'bank',
      exchange: 'wallet',
      transfer: 'wallet',
      'offline-transfer': 'wallet',
      redeem: 'bank',
      return: 'central-bank',
    };
    const withRole = (all: KeyPair[], role: string | undefined) =>
      all.filter((p) => model.accounts.get(p.publicKey)?.role === role);
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const all = parties();
        const fittingSigners = withRole(all, SIGNER_ROLE[s.type]);
        const signers = s.fittingSigner && fittingSigners.length > 0 ? fittingSigners : all;
        const signer = signers[s.signer % signers.length]!;
        // Per-type shapes (docs/api.md): issue has no inputs, enroll/open neither inputs nor
        // outputs, destroy may have no outputs.
        if (s.fittingShape) {
          if (s.type === 'issue' || s.type === 'enroll' || s.type === 'open') s.inputs = [];
          if (s.type === 'enroll' || s.type === 'open' || s.type === 'destroy') s.outputs = [];
        }
        const own = model.coinsOf(signer.publicKey);
        const inputs: string[] = [];
        for (const pick of s.inputs) {
          if (pick.from === 'own') {
            if (own.length > 0) inputs.push(own[pick.n % own.length]!.id);
          } else if (pick.from === 'spent') {
            if (spent.length > 0) inputs.push(spent[pick.n % spent.length]!);
          } else if (pick.from === 'any') {
            const coins = model.coinsOf(all[pick.n % all.length]!.publicKey);
            if (coins.length > 0) inputs.push(coins[pick.n % coins.length]!.id);
          } else inputs.push(coinIdOf(Buffer.alloc(32, pick.n % 251), pick.n));
        }
        inputs.splice(0, inputs.length, ...new Set(inputs));
        if (s.duplicate && inputs.length > 0) inputs.push(inputs[0]!);
        const totalIn = [...new Set(inputs)].reduce((sum, id) => {
          const c = model.coin(id);
          return sum + (c?.state === 'unspent' ? c.coin.value : 0);
        }, 0);
        const fittingPayees = withRole(all, PAYEE_ROLE[s.type]);
        const outputs = s.outputs.map((o) => {
          const payees = o.fitting && fittingPayees.length > 0 ? fittingPayees : all;
          const owner = o.self ? signer : payees[o.owner % payees.length]!;
          return { owner: owner.publicKey, value: o.value };
        });
        // 'balance' outputs share what the fixed ones leave (at least 1 fen each).
        const fixed = outputs.reduce((sum, o) => sum + (o.value === 'balance' ? 0 : o.value), 0);
        const balancing = outputs.filter((o) => o.value === 'balance').length;
        const share = balancing > 0 ? Math.max(1, Math.floor((totalIn - fixed) / balancing)) : 0;
        const resolved = outputs.map((o, i) => ({
          owner: o.owner,
          value:
            o.value !== 'balance'
              ? o.value
              : i === outputs.findLastIndex((x) => x.value === 'balance')
                ? Math.max(1, totalIn - fixed - share * (balancing - 1))
                : share,
        }));
        const needsSubject = s.type === 'enroll' || s.type === 'open';
        const subjectKey = all[s.subject.key % all.length]!.publicKey;
        const subject: Subject | undefined = needsSubject
          ? s.type === 'enroll'
            ? { key: subjectKey, role: 'bank', kyc: `kyc:${subjectKey.slice(0, 8)}` }
            : {
                key: subjectKey,
                role: 'wallet',
                tier: s.subject.tier as 1,
                kind: s.subject.kind,
                kyc: `kyc:${subjectKey.slice(0, 8)}`,
              }
          : undefined;
        const fields = {
          type: s.type as OpType,
          signer: signer.publicKey,
          day: s.day,
          nonce: s.nonce,
          inputs,
          outputs: resolved,
          ...(subject ? { subject } : {}),
        };
        const wire = { v: 1, ...fields, sig: '00'.repeat(64) };
        const structural = decodeWire(wire);
        let expectStatus: number;
        let expectCode: string | undefined;
        let expectIndex: number | undefined;
        let tx: Tx | undefined;
        if ('code' in structural) {
          expectStatus = 400;
          expectCode = structural.code;
          expectIndex = structural.index;
        } else {
          tx = signTx(fields, signer);
          const rejection = model.check(tx);
          if (rejection) {
            expectStatus = rejection.code === 'MALFORMED' ? 400 : 422;
            expectCode = rejection.code;
            expectIndex = rejection.index;
          } else {
            expectStatus = 200;
          }
        }
        const before = expectStatus === 200 ? null : await engineState(client);
        const reply = await client.post('/v1/tx', tx ? toWire(tx) : wire);
        fuzzed++;
        const body = obj(reply);
        assert.equal(reply.status, expectStatus, `${reply.text} for ${JSON.stringify(wire)}`);
        tally.set(expectCode ?? 'settled', (tally.get(expectCode ?? 'settled') ?? 0) + 1);
        if (expectStatus === 200) {
          assert.deepEqual(body, { status: 'settled', txid: tx!.txidHex });
          assert.equal(model.apply(tx!), null);
          settled.push(tx!);
          spent.push(...tx!.inputs);
        } else {
          assert.equal(body.code, expectCode, reply.text);
          assert.equal(body.index, expectIndex, reply.text);
          assert.deepEqual(await engineState(client), before);
        }
      }),
      params(500),
    );
    console.log(`# model-based outcomes: ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.ok((tally.get('settled') ?? 0) > 0, 'the generator never produced a valid transaction');
    // Replaying everything that settled is DUPLICATE_TX, every time.
    for (const tx of settled.slice(-30)) {
      const reply = await refusedSafely('/v1/tx', toWire(tx));
      assert.equal(obj(reply).code, 'DUPLICATE_TX');
    }
  });

  test('oversize bodies and batches get 413 with their codes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 8 }),
        fc.boolean(),
        async (size, streamed) => {
          const text = `{"v":1,"pad":"${'x'.repeat(size)}"}`;
          const body = streamed ? Buffer.from(text) : text;
          const reply = await refusedSafely('/v1/tx', body);
          assert.equal(reply.status, 413);
          assert.equal(obj(reply).code, 'BODY_TOO_LARGE');
        },
      ),
      params(20),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BATCH + 1, max: MAX_BATCH * 4 }), async (n) => {
        const reply = await refusedSafely('/v1/tx/batch', {
          txs: Array.from({ length: n }, (_, i) => toWire(settled[i % settled.length]!)),
        });
        assert.equal(reply.status, 413);
        assert.equal(obj(reply).code, 'BATCH_TOO_LARGE');
      }),
      params(20),
    );
  });

  test('afterwards the books reconcile and the engine agrees with the model', async () => {
    const stats = obj(await client.get('/v1/stats'));
    assert.deepEqual(stats.lifecycle, JSON.parse(JSON.stringify(model.lifecycle)));
    const books = obj(await client.get('/v1/reconcile'));
    assert.equal(books.ok, true);
    assert.deepEqual(books, JSON.parse(JSON.stringify(model.reconcile())));
    for (const key of keys.keys()) {
      const view = await client.get(`/v1/wallets/${key}`);
      if (view.status === 404) {
        assert.equal(model.accounts.has(key), false);
        continue;
      }
      assert.equal(obj(view).balance, model.balanceOf(key));
    }
    console.log(`# ${fuzzed} fuzzed inputs`);
    await recordFigures('fuzz', {
      seed: SEED,
      inputsFuzzed: fuzzed,
      settledByModel: settled.length - l.genesis.length,
      reconcileOk: books.ok,
    });
  });
});
