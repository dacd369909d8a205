import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  coinIdOf,
  decodeSigned,
  decodeWire,
  encodeBody,
  encodeSigned,
  MAX_INPUTS,
  MAX_KYC_LENGTH,
  MAX_OUTPUTS,
  OP_TYPES,
  type Rejection,
  type RejectionCode,
  type Tx,
  toWire,
  type WireTx,
} from '../../engine/domain/index.js';
import { coinOf, DAY, genesis, type Ledger, op, out, YUAN } from '../fixtures/ledger.js';

const l = genesis();
const MAX = Number.MAX_SAFE_INTEGER;
const hex = (byte: string): string => byte.repeat(32);

/** One valid transaction of each type, built on the fixture ledger (not applied). */
function samples(ledger: Ledger): Tx[] {
  const { cb, banks, w } = ledger;
  return [
    ...ledger.genesis,
    ledger.pay('transfer', w.p2, w.m1, 12 * YUAN + 34),
    ledger.pay('redeem', w.p2, banks.a, 100 * YUAN),
    ledger.pay('return', banks.a, cb, 1_000 * YUAN),
    ledger.pay('destroy', cb, cb, 5 * YUAN),
    op.destroy(cb, ledger.pick(cb, 1).inputs, []),
    op.enroll(cb, hex('ab'), { kyc: 'bank licence 42' }),
    op.enroll(cb, hex('ac')),
    op.open(banks.b, hex('cd'), 3, 'merchant', { kyc: '' }),
    op.issue(cb, [out(cb, MAX)], { day: 2 ** 32 - 1, nonce: MAX }),
  ];
}

function isRejection(r: Tx | Rejection): r is Rejection {
  return 'code' in r;
}

function decoded(raw: unknown): Tx {
  const r = decodeWire(raw);
  if (isRejection(r)) assert.fail(`unexpected ${r.code}: ${r.message}`);
  return r;
}

/** A JSON round trip of the wire form of a valid transfer, for mutation. */
function wire(): Record<string, unknown> & WireTx {
  const tx = l.pay('transfer', l.w.p1, l.w.p2, 10 * YUAN);
  return JSON.parse(JSON.stringify(toWire(tx)));
}

function wireOf(tx: Tx): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toWire(tx)));
}

function expectCode(raw: unknown, code: RejectionCode, index?: number): void {
  const r = decodeWire(raw);
  assert.ok(isRejection(r), `expected ${code}, got a transaction`);
  assert.equal(r.code, code, r.message);
  assert.equal(r.index, index, `index for ${r.message}`);
  assert.equal(typeof r.message, 'string');
}

describe('decodeWire: MALFORMED', () => {
  it('accepts the valid base transaction', () => {
    decoded(wire());
  });

  it('refuses what is not a JSON object', () => {
    for (const raw of [null, undefined, 42, 'tx', true, [], [wire()]]) expectCode(raw, 'MALFORMED');
  });

  it('refuses unknown fields', () => {
    for (const k of ['extra', 'txid', 'Type', '__proto__', 'signature']) {
      const w = wire();
      Object.defineProperty(w, k, { value: 1, enumerable: true });
      expectCode(w, 'MALFORMED');
    }
  });

  const top: [string, (w: Record<string, unknown>) => void][] = [
    ['v missing', (w) => delete w.v],
    ['v string', (w) => (w.v = '1')],
    ['v null', (w) => (w.v = null)],
    ['type unknown', (w) => (w.type = 'mint')],
    ['type number', (w) => (w.type = 3)],
    ['type upper case', (w) => (w.type = 'TRANSFER')],
    ['signer missing', (w) => delete w.signer],
    ['signer upper-case hex', (w) => (w.signer = (w.signer as string).toUpperCase())],
    ['signer short', (w) => (w.signer = (w.signer as string).slice(2))],
    ['signer long', (w) => (w.signer = `${w.signer as string}00`)],
    ['signer not hex', (w) => (w.signer = hex('zz'))],
    ['signer number', (w) => (w.signer = 12)],
    ['day negative', (w) => (w.day = -1)],
    ['day fractional', (w) => (w.day = DAY + 0.5)],
    ['day 2^32', (w) => (w.day = 2 ** 32)],
    ['day past MAX_SAFE_INTEGER', (w) => (w.day = MAX + 2)],
    ['day string', (w) => (w.day = String(DAY))],
    ['day missing', (w) => delete w.day],
    ['nonce negative', (w) => (w.nonce = -1)],
    ['nonce fractional', (w) => (w.nonce = 0.5)],
    ['nonce past MAX_SAFE_INTEGER', (w) => (w.nonce = MAX + 1)],
    ['nonce string', (w) => (w.nonce = '7')],
    ['nonce NaN', (w) => (w.nonce = Number.NaN)],
    ['nonce missing', (w) => delete w.nonce],
    ['sig missing', (w) => delete w.sig],
    ['sig short', (w) => (w.sig = (w.sig as string).slice(2))],
    ['sig upper-case', (w) => (w.sig = (w.sig as string).toUpperCase())],
    ['sig not hex', (w) => (w.sig = 'g'.repeat(128))],
    ['inputs not an array', (w) => (w.inputs = (w.inputs as string[])[0])],
    ['inputs missing', (w) => delete w.inputs],
    ['outputs not an array', (w) => (w.outputs = { 0: (w.outputs as unknown[])[0] })],
    ['outputs missing', (w) => delete w.outputs],
    ['too many inputs', (w) => (w.inputs = distinctIds(MAX_INPUTS + 1))],
    ['too many outputs', (w) => (w.outputs = manyOutputs(w, MAX_OUTPUTS + 1))],
    ['subject on a transfer', (w) => (w.subject = { key: hex('ab'), role: 'bank' })],
    ['transfer without inputs', (w) => (w.inputs = [])],
    ['transfer without outputs', (w) => (w.outputs = [])],
  ];
  for (const [name, mutate] of top) {
    it(`refuses ${name}`, () => {
      const w = wire();
      mutate(w);
      expectCode(w, 'MALFORMED');
    });
  }

  it('accepts the limits themselves', () => {
    const w = wire();
    w.day = 2 ** 32 - 1;
    w.nonce = MAX;
    w.inputs = distinctIds(MAX_INPUTS);
    w.outputs = manyOutputs(w, MAX_OUTPUTS);
    decoded(w);
    decoded({ ...wire(), outputs: [{ owner: hex('01'), value: MAX }] });
  });

  const inputCases: [string, unknown][] = [
    ['upper-case', hex('AB')],
    ['short', hex('ab').slice(1)],
    ['number', 7],
    ['null', null],
    ['non-hex', hex('xy')],
  ];
  for (const [name, bad] of inputCases) {
    it(`refuses a ${name} input, with its index`, () => {
      const w = wire();
      w.inputs = [...w.inputs, bad as string];
      expectCode(w, 'MALFORMED', 1);
    });
  }

  const outputCases: [string, unknown][] = [
    ['null', null],
    ['array', [hex('01'), 5]],
    ['string', 'owner'],
    ['unknown field', { owner: hex('01'), value: 5, memo: 'x' }],
    ['missing owner', { value: 5 }],
    ['bad owner hex', { owner: hex('0G'), value: 5 }],
    ['upper-case owner', { owner: hex('AA'), value: 5 }],
    ['missing value', { owner: hex('01') }],
    ['zero value', { owner: hex('01'), value: 0 }],
    ['negative zero value', { owner: hex('01'), value: -0 }],
    ['negative value', { owner: hex('01'), value: -5 }],
    ['fractional value', { owner: hex('01'), value: 12.5 }],
    ['string value', { owner: hex('01'), value: '5' }],
    ['value 2^53', { owner: hex('01'), value: 2 ** 53 }],
    ['value past MAX_SAFE_INTEGER', { owner: hex('01'), value: MAX + 2 }],
    ['infinite value', { owner: hex('01'), value: Number.POSITIVE_INFINITY }],
  ];
  for (const [name, bad] of outputCases) {
    it(`refuses an output with ${name}, with its index`, () => {
      const w = wire();
      w.outputs = [...w.outputs, bad as never];
      expectCode(w, 'MALFORMED', w.outputs.length - 1);
    });
  }

  it('refuses outputs summing past MAX_SAFE_INTEGER, at the output that overflows', () => {
    const w = wire();
    w.outputs = [
      { owner: hex('01'), value: 1 },
      { owner: hex('02'), value: MAX - 1 },
      { owner: hex('03'), value: 1 },
    ];
    expectCode(w, 'MALFORMED', 2);
    w.outputs = [
      { owner: hex('01'), value: MAX },
      { owner: hex('02'), value: MAX },
    ];
    expectCode(w, 'MALFORMED', 1);
  });

  it('refuses per-type shapes', () => {
    const issue = wireOf(op.issue(l.cb, [out(l.cb, 5)]));
    expectCode({ ...issue, inputs: [hex('01')] }, 'MALFORMED');
    expectCode({ ...issue, outputs: [] }, 'MALFORMED');
    const destroy = wireOf(op.destroy(l.cb, [hex('01')], []));
    decoded(destroy);
    expectCode({ ...destroy, inputs: [] }, 'MALFORMED');
    const enroll = wireOf(op.enroll(l.cb, hex('ab')));
    expectCode({ ...enroll, outputs: [{ owner: hex('ab'), value: 1 }] }, 'MALFORMED');
    expectCode({ ...enroll, inputs: [hex('01')] }, 'MALFORMED');
    const open = wireOf(op.open(l.banks.a, hex('cd'), 4, 'personal'));
    expectCode({ ...open, inputs: [hex('01')] }, 'MALFORMED');
    for (const type of ['allocate', 'exchange', 'transfer', 'redeem', 'return'] as const) {
      const tx = wireOf(op[type](l.cb, [hex('01')], [out(l.cb, 1)]));
      decoded(tx);
      expectCode({ ...tx, inputs: [] }, 'MALFORMED');
      expectCode({ ...tx, outputs: [] }, 'MALFORMED');
    }
  });

  const subjectCases: [string, 'enroll' | 'open', (s: Record<string, unknown>) => unknown][] = [
    ['missing', 'enroll', () => undefined],
    ['null', 'open', () => null],
    ['an array', 'open', (s) => [s]],
    ['a string', 'enroll', (s) => s.key],
    ['with an unknown field', 'open', (s) => ({ ...s, name: 'x' })],
    ['with a bad key', 'open', (s) => ({ ...s, key: hex('AB') })],
    ['with a missing key', 'enroll', (s) => ({ ...s, key: undefined })],
    ['with a wallet role on enroll', 'enroll', (s) => ({ ...s, role: 'wallet' })],
    ['with a bank role on open', 'open', (s) => ({ ...s, role: 'bank' })],
    ['with a central-bank role', 'enroll', (s) => ({ ...s, role: 'central-bank' })],
    ['with tier 0', 'open', (s) => ({ ...s, tier: 0 })],
    ['with tier 5', 'open', (s) => ({ ...s, tier: 5 })],
    ['with tier "1"', 'open', (s) => ({ ...s, tier: '1' })],
    ['with tier 1.5', 'open', (s) => ({ ...s, tier: 1.5 })],
    ['without a tier', 'open', (s) => ({ ...s, tier: undefined })],
    ['with an unknown kind', 'open', (s) => ({ ...s, kind: 'corporate' })],
    ['without a kind', 'open', (s) => ({ ...s, kind: undefined })],
    ['bank with a tier', 'enroll', (s) => ({ ...s, tier: 1 })],
    ['bank with a kind', 'enroll', (s) => ({ ...s, kind: 'merchant' })],
    ['with a long kyc', 'open', (s) => ({ ...s, kyc: 'k'.repeat(MAX_KYC_LENGTH + 1) })],
    ['with a non-ASCII kyc', 'open', (s) => ({ ...s, kyc: 'caf\u00e9' })],
    ['with a control character in kyc', 'enroll', (s) => ({ ...s, kyc: 'a\nb' })],
    ['with a numeric kyc', 'open', (s) => ({ ...s, kyc: 42 })],
  ];
  for (const [name, type, mutate] of subjectCases) {
    it(`refuses a subject ${name} (${type})`, () => {
      const tx =
        type === 'enroll'
          ? op.enroll(l.cb, hex('ab'), { kyc: 'k' })
          : op.open(l.banks.a, hex('cd'), 2, 'personal');
      const w = wireOf(tx);
      const s = mutate(w.subject as Record<string, unknown>);
      if (s === undefined) delete w.subject;
      else w.subject = JSON.parse(JSON.stringify(s));
      expectCode(w, 'MALFORMED');
    });
  }

  it('decodes an empty kyc as none, as decodeSigned does (one transaction, one decoding)', () => {
    const tx = op.open(l.banks.a, hex('cd'), 2, 'personal', { kyc: '' });
    const fromWire = decoded(wireOf(tx));
    assert.deepEqual(fromWire.subject, {
      key: hex('cd'),
      role: 'wallet',
      tier: 2,
      kind: 'personal',
    });
    assert.deepEqual(decodeSigned(encodeSigned(tx))?.subject, fromWire.subject);
  });

  it('accepts a kyc of exactly the maximum length', () => {
    decoded(wireOf(op.open(l.banks.a, hex('cd'), 2, 'personal', { kyc: '~'.repeat(64) })));
  });
});

describe('decodeWire: UNSUPPORTED_VERSION and DUPLICATE_INPUT', () => {
  it('refuses other numeric versions', () => {
    for (const v of [0, 2, 255, 1.5, -1]) expectCode({ ...wire(), v }, 'UNSUPPORTED_VERSION');
  });

  it('refuses the same coin twice, pointing at the second occurrence', () => {
    const w = wire();
    const [a] = w.inputs as [string];
    w.inputs = [a, hex('01'), a];
    expectCode(w, 'DUPLICATE_INPUT', 2);
    w.inputs = [hex('01'), a, a, hex('02')];
    expectCode(w, 'DUPLICATE_INPUT', 2);
  });
});

describe('round trips', () => {
  const all = samples(genesis());

  it('decodeWire(toWire(tx)) gives the same body, txid and signature', () => {
    for (const tx of all) {
      const back = decoded(JSON.parse(JSON.stringify(toWire(tx))));
      assert.equal(back.txidHex, tx.txidHex);
      assert.deepEqual(Buffer.from(back.body), Buffer.from(tx.body));
      assert.deepEqual(Buffer.from(back.signature), Buffer.from(tx.signature));
      assert.equal(back.type, tx.type);
      assert.deepEqual(back.outputs, tx.outputs);
      assert.deepEqual(back.inputs, tx.inputs);
    }
  });

  it('the txid is SHA-256 over the domain tag and the canonical body', () => {
    for (const tx of all) {
      const h = createHash('sha256').update('ecny-bench/tx/v1\0', 'latin1').update(tx.body);
      assert.equal(h.digest('hex'), tx.txidHex);
      assert.deepEqual(Buffer.from(encodeBody(tx)), Buffer.from(tx.body));
    }
  });

  it('a field change changes the txid', () => {
    const base = wire();
    const id = decoded(base).txidHex;
    assert.notEqual(decoded({ ...base, nonce: base.nonce + 1 }).txidHex, id);
    assert.notEqual(decoded({ ...base, day: base.day + 1 }).txidHex, id);
    const outputs = base.outputs.map((o, i) => (i === 0 ? { ...o, value: o.value + 1 } : o));
    assert.notEqual(decoded({ ...base, outputs }).txidHex, id);
    // The signature is not part of the id.
    assert.equal(decoded({ ...base, sig: 'f'.repeat(128) }).txidHex, id);
  });

  it('decodeSigned(encodeSigned(tx)) gives the same transaction', () => {
    for (const tx of all) {
      const back = decodeSigned(encodeSigned(tx));
      assert.ok(back, `${tx.type} did not decode`);
      assert.equal(back.txidHex, tx.txidHex);
      assert.equal(back.type, tx.type);
      assert.equal(back.signer, tx.signer);
      assert.equal(back.day, tx.day);
      assert.equal(back.nonce, tx.nonce);
      assert.deepEqual(back.inputs, tx.inputs);
      assert.deepEqual(back.outputs, tx.outputs);
      assert.deepEqual(back.subject, normalised(tx.subject));
      assert.deepEqual(Buffer.from(back.signature), Buffer.from(tx.signature));
      // And it decodes from a view into a larger buffer, as a journal reader would hand it.
      const framed = Buffer.concat([Buffer.alloc(3), encodeSigned(tx), Buffer.alloc(5)]);
      const view = framed.subarray(3, framed.length - 5);
      assert.equal(decodeSigned(view)?.txidHex, tx.txidHex);
    }
  });

  it('decodeSigned returns null for every truncation and for extensions', () => {
    for (const tx of all) {
      const bytes = encodeSigned(tx);
      for (let n = 0; n < bytes.length; n++)
        assert.equal(decodeSigned(bytes.subarray(0, n)), null, `${tx.type} cut to ${n}`);
      for (const extra of [Buffer.alloc(1), Buffer.alloc(32), Buffer.alloc(64), Buffer.alloc(104)])
        assert.equal(decodeSigned(Buffer.concat([bytes, extra])), null);
    }
  });

  it('decodeSigned returns null for garbled headers and counts', () => {
    const transfer = encodeSigned(l.pay('transfer', l.w.p1, l.w.p2, 10 * YUAN));
    const garble = (bytes: Buffer, at: number, value: number): Buffer => {
      const b = Buffer.from(bytes);
      b[at] = value;
      return b;
    };
    assert.equal(decodeSigned(garble(transfer, 0, 2)), null, 'version');
    assert.equal(decodeSigned(garble(transfer, 0, 0)), null, 'version 0');
    assert.equal(decodeSigned(garble(transfer, 1, OP_TYPES.length)), null, 'type past the last');
    assert.equal(decodeSigned(garble(transfer, 1, 255)), null, 'type 255');
    const nIn = 2 + 32 + 12;
    assert.equal(decodeSigned(garble(transfer, nIn, transfer[nIn]! + 1)), null, 'nIn + 1');
    assert.equal(decodeSigned(garble(transfer, nIn + 1, 1)), null, 'nIn + 256');
    assert.equal(decodeSigned(garble(transfer, nIn, 0)), null, 'nIn 0');
    const nOut = nIn + 2 + 32;
    assert.equal(decodeSigned(garble(transfer, nOut, 5)), null, 'nOut 5');
    const hasSubject = transfer.length - 64 - 1;
    assert.equal(decodeSigned(garble(transfer, hasSubject, 1)), null, 'subject flag');
    assert.equal(decodeSigned(garble(transfer, hasSubject, 2)), null, 'subject flag 2');
    assert.equal(decodeSigned(Buffer.alloc(transfer.length, 0xff)), null, 'all 0xff');
    assert.equal(decodeSigned(Buffer.alloc(transfer.length)), null, 'all zero');
  });

  it('decodeSigned returns null for garbled subjects', () => {
    const open = encodeSigned(op.open(l.banks.a, hex('cd'), 3, 'merchant', { kyc: 'ab' }));
    // ... | key[32] | role | tier | kind | kycLen | "ab" | sig[64]
    const kycLen = open.length - 64 - 2 - 1;
    const kind = kycLen - 1;
    const tier = kind - 1;
    const role = tier - 1;
    const garbled: [string, number, number][] = [
      ['role 0', role, 0],
      ['role 1 (a bank with a tier)', role, 1],
      ['role 3', role, 3],
      ['tier 0', tier, 0],
      ['tier 5', tier, 5],
      ['tier 255', tier, 255],
      ['kind 0', kind, 0],
      ['kind 3', kind, 3],
      ['kyc length + 1', kycLen, 3],
      ['kyc length - 1', kycLen, 1],
      ['kyc not printable', kycLen + 1, 0x07],
      ['kyc not ASCII', kycLen + 1, 0xe9],
    ];
    for (const [name, at, value] of garbled) {
      const b = Buffer.from(open);
      b[at] = value;
      assert.equal(decodeSigned(b), null, name);
    }
  });

  it('decodeSigned returns null for records the wire form would refuse', () => {
    const sig = new Uint8Array(64);
    const base = {
      type: 'transfer' as const,
      signer: l.w.p1.publicKey,
      day: DAY,
      nonce: 1,
      inputs: [hex('01')],
      outputs: [out(l.w.p2, 5)],
    };
    const record = (fields: Parameters<typeof encodeBody>[0]): Buffer =>
      Buffer.concat([encodeBody(fields), sig]);
    assert.ok(decodeSigned(record(base)), 'the base record decodes');
    const bad: [string, Parameters<typeof encodeBody>[0]][] = [
      ['zero value', { ...base, outputs: [out(l.w.p2, 0)] }],
      ['value past MAX_SAFE_INTEGER', { ...base, outputs: [out(l.w.p2, 2 ** 54)] }],
      [
        'outputs summing past MAX_SAFE_INTEGER',
        { ...base, outputs: [out(l.w.p2, MAX), out(l.w.p3, MAX)] },
      ],
      ['duplicate input', { ...base, inputs: [hex('01'), hex('01')] }],
      ['no inputs', { ...base, inputs: [] }],
      ['no outputs', { ...base, outputs: [] }],
      ['too many inputs', { ...base, inputs: distinctIds(MAX_INPUTS + 1) }],
      ['issue with inputs', { ...base, type: 'issue' }],
      ['enroll without subject', { ...base, type: 'enroll', inputs: [], outputs: [] }],
      [
        'transfer with a subject',
        { ...base, subject: { key: hex('ab'), role: 'wallet', tier: 1, kind: 'personal' } },
      ],
      [
        'enroll of a wallet',
        {
          ...base,
          type: 'enroll',
          inputs: [],
          outputs: [],
          subject: { key: hex('ab'), role: 'wallet', tier: 1, kind: 'personal' },
        },
      ],
      [
        'open of a bank',
        {
          ...base,
          type: 'open',
          inputs: [],
          outputs: [],
          subject: { key: hex('ab'), role: 'bank' },
        },
      ],
    ];
    for (const [name, fields] of bad) assert.equal(decodeSigned(record(fields)), null, name);
  });
});

describe('coin ids', () => {
  it('derive from the txid and the output index', () => {
    const ledger = genesis();
    const tx = ledger.pay('transfer', ledger.w.p1, ledger.w.m1, 7 * YUAN);
    assert.equal(ledger.registry.apply(tx), null);
    for (let i = 0; i < tx.outputs.length; i++) {
      const index = Buffer.alloc(4);
      index.writeUInt32LE(i);
      const expected = createHash('sha256')
        .update('ecny-bench/coin/v1\0', 'latin1')
        .update(tx.txid)
        .update(index)
        .digest('hex');
      assert.equal(coinIdOf(tx.txid, i), expected);
      assert.equal(coinOf(tx, i), expected);
      const status = ledger.registry.coin(expected);
      assert.equal(status?.state, 'unspent');
      if (status?.state === 'unspent') {
        assert.deepEqual(status.coin, {
          id: expected,
          value: tx.outputs[i]!.value,
          owner: tx.outputs[i]!.owner,
          createdBy: tx.txidHex,
          day: tx.day,
        });
      }
    }
  });

  it('are distinct across indices and transactions', () => {
    const ids = new Set<string>();
    const txs = samples(genesis());
    for (const tx of txs) for (let i = 0; i < 4; i++) ids.add(coinIdOf(tx.txid, i));
    assert.equal(ids.size, txs.length * 4);
    const a = l.pay('transfer', l.w.p1, l.w.p2, 1);
    assert.notEqual(coinIdOf(a.txid, 0), coinIdOf(a.txid, 1));
    assert.notEqual(coinIdOf(a.txid, 0), coinOf(l.pay('transfer', l.w.p1, l.w.p2, 1), 0));
  });
});

function distinctIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, '0'));
}

function manyOutputs(w: Record<string, unknown>, n: number): { owner: string; value: number }[] {
  return Array.from({ length: n }, () => ({ owner: w.signer as string, value: 1 }));
}

/** decodeSigned cannot tell an empty kyc from none: the body has no room for the difference. */
function normalised(s: Tx['subject']): Tx['subject'] {
  if (s?.kyc !== '') return s;
  const { kyc: _, ...rest } = s;
  return rest;
}
