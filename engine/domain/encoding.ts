/**
 * The canonical encodings: JSON on the wire, bytes everywhere else.
 *
 * A transaction's id is H(TX_DOMAIN || body), where body is the canonical binary form below and
 * H the suite's hash (SHA-256 for Ed25519, SM3 for SM2: suite.ts); the signer signs that id. The
 * journal stores body || signature, so replay re-derives exactly what was verified.
 *
 * body := u8 version | u8 type | signer[K] | u32 day | u64 nonce
 *       | u16 nIn  | nIn  x coinId[32]
 *       | u16 nOut | nOut x (owner[K] | u64 value)
 *       | u8 hasSubject | [ key[K] | u8 role | u8 tier | u8 kind | u8 kycLen | kyc ]
 * K is the suite's key length (32 for Ed25519, 33 for SM2). All integers little-endian; u64
 * values are safe integers written as two u32 halves.
 */
import { createHash, hash } from 'node:crypto';
import { type Rejection, reject } from './codes.js';
import { ED25519_SUITE, type TxSuite } from './suite.js';
import {
  OP_TYPES,
  type OpType,
  type Output,
  type Subject,
  type Tx,
  type WalletKind,
  type WalletTier,
  WIRE_VERSION,
} from './types.js';

export const MAX_INPUTS = 128;
export const MAX_OUTPUTS = 32;
export const MAX_KYC_LENGTH = 64;
export const SIGNATURE_LENGTH = 64;
/** Ed25519's key length (the default suite); SM2 keys are 33 bytes (suite.ts). */
export const KEY_LENGTH = 32;
const TX_DOMAIN = Buffer.from('ecny-bench/tx/v1\0', 'latin1');
const COIN_DOMAIN = Buffer.from('ecny-bench/coin/v1\0', 'latin1');
const WALLET_DOMAIN = Buffer.from('ecny-bench/wallet/v1\0', 'latin1');
const HEX32 = /^[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{128}$/;
const KYC = /^[\x20-\x7e]*$/;
const WIRE_FIELDS = new Set([
  'v',
  'type',
  'signer',
  'day',
  'nonce',
  'inputs',
  'outputs',
  'subject',
  'sig',
]);
const TWO_32 = 0x1_0000_0000;
const ROLE_CODES = { bank: 1, wallet: 2 } as const;
const KIND_CODES = { personal: 1, merchant: 2 } as const;

/** A transaction as JSON on the wire (docs/api.md). */
export interface WireTx {
  v: number;
  type: OpType;
  signer: string;
  day: number;
  nonce: number;
  inputs: string[];
  outputs: Output[];
  subject?: Subject;
  sig: string;
}

/** The fields a signer fills in; encodeBody turns them into the canonical bytes. */
export interface TxFields {
  readonly type: OpType;
  readonly signer: string;
  readonly day: number;
  readonly nonce: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly Output[];
  readonly subject?: Subject;
}

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function txidOf(body: Uint8Array, suite: TxSuite = ED25519_SUITE): Buffer {
  return hash(suite.txHash, Buffer.concat([TX_DOMAIN, body]), 'buffer');
}

/** Scratch input for coin ids: domain | txid | u32 index. Single-threaded use only. */
const COIN_INPUT = Buffer.alloc(COIN_DOMAIN.length + 36);
COIN_DOMAIN.copy(COIN_INPUT, 0);

/**
 * Output coin ids derive from the transaction id and output index, so clients know them early.
 * On the registry's hot path (two per transfer): one-shot `crypto.hash` over a reused buffer
 * costs a fraction of a createHash object per call.
 */
export function coinIdOf(txid: Uint8Array, index: number): string {
  COIN_INPUT.set(txid, COIN_DOMAIN.length);
  COIN_INPUT.writeUInt32LE(index, COIN_DOMAIN.length + 32);
  return hash('sha256', COIN_INPUT, 'hex');
}

/** A wallet's id: the first 20 bytes of a hash of its public key, hex. */
export function walletIdOf(key: string): string {
  return sha256(WALLET_DOMAIN, Buffer.from(key, 'hex')).subarray(0, 20).toString('hex');
}

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % TWO_32, at);
  buf.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * TWO_32;
}

/** Canonical body bytes. Assumes fields already passed structural checks. */
export function encodeBody(f: TxFields): Buffer {
  return encodeAfter(f, 0);
}

/**
 * The body written after `skip` bytes left unset (room for the hash domain tag). Every key of a
 * transaction has its suite's length, so the signer's hex tells it.
 */
function encodeAfter(f: TxFields, skip: number): Buffer {
  const kyc = f.subject?.kyc ? Buffer.from(f.subject.kyc, 'latin1') : undefined;
  const k = f.signer.length >> 1;
  const size =
    2 +
    k +
    4 +
    8 +
    2 +
    32 * f.inputs.length +
    2 +
    (k + 8) * f.outputs.length +
    1 +
    (f.subject ? k + 4 + (kyc?.length ?? 0) : 0);
  const buf = Buffer.allocUnsafe(skip + size);
  let at = skip;
  buf[at++] = WIRE_VERSION;
  buf[at++] = OP_TYPES.indexOf(f.type);
  at += buf.write(f.signer, at, 'hex');
  buf.writeUInt32LE(f.day, at);
  writeU64(buf, f.nonce, at + 4);
  at += 12;
  buf.writeUInt16LE(f.inputs.length, at);
  at += 2;
  for (const id of f.inputs) at += buf.write(id, at, 'hex');
  buf.writeUInt16LE(f.outputs.length, at);
  at += 2;
  for (const o of f.outputs) {
    at += buf.write(o.owner, at, 'hex');
    writeU64(buf, o.value, at);
    at += 8;
  }
  if (!f.subject) {
    buf[at++] = 0;
  } else {
    const s = f.subject;
    buf[at++] = 1;
    at += buf.write(s.key, at, 'hex');
    buf[at++] = ROLE_CODES[s.role];
    buf[at++] = s.tier ?? 0;
    buf[at++] = s.kind ? KIND_CODES[s.kind] : 0;
    buf[at++] = kyc?.length ?? 0;
    if (kyc) at += kyc.copy(buf, at);
  }
  return buf;
}

function isSafeCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

function checkSubject(raw: unknown, type: OpType, suite: TxSuite): Subject | Rejection {
  const wantRole = type === 'enroll' ? 'bank' : 'wallet';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return reject('MALFORMED', `${type} needs a subject object`);
  }
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!['key', 'role', 'tier', 'kind', 'kyc'].includes(k))
      return reject('MALFORMED', `unknown subject field "${k}"`);
  }
  const key = suite.keyFromWire(s.key);
  if (key === null) return reject('MALFORMED', `subject.key must be ${suite.keyDescription}`);
  if (s.role !== wantRole) return reject('MALFORMED', `${type} registers role "${wantRole}"`);
  if (
    s.kyc !== undefined &&
    (typeof s.kyc !== 'string' || s.kyc.length > MAX_KYC_LENGTH || !KYC.test(s.kyc))
  ) {
    return reject(
      'MALFORMED',
      `subject.kyc must be printable ASCII, at most ${MAX_KYC_LENGTH} characters`,
    );
  }
  // The body cannot tell an empty kyc from none, so neither may the decoded transaction.
  const kyc = s.kyc === undefined || s.kyc === '' ? {} : { kyc: s.kyc as string };
  if (wantRole === 'bank') {
    if (s.tier !== undefined || s.kind !== undefined)
      return reject('MALFORMED', 'a bank has no tier or kind');
    return { key, role: 'bank', ...kyc };
  }
  if (s.tier !== 1 && s.tier !== 2 && s.tier !== 3 && s.tier !== 4)
    return reject('MALFORMED', 'subject.tier must be 1, 2, 3 or 4');
  if (s.kind !== 'personal' && s.kind !== 'merchant')
    return reject('MALFORMED', 'subject.kind must be "personal" or "merchant"');
  return {
    key,
    role: 'wallet',
    tier: s.tier as WalletTier,
    kind: s.kind as WalletKind,
    ...kyc,
  };
}

/**
 * Structural decoding of a parsed JSON request: shapes, types, ranges, sizes, duplicates, keys
 * of the engine's suite (SM2 uncompressed keys are compressed here). Nothing is looked up and no
 * signature is checked. Returns the Tx or a Rejection.
 */
export function decodeWire(raw: unknown, suite: TxSuite = ED25519_SUITE): Tx | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return reject('MALFORMED', 'a transaction is a JSON object');
  const w = raw as Record<string, unknown>;
  for (const k of Object.keys(w))
    if (!WIRE_FIELDS.has(k)) return reject('MALFORMED', `unknown field "${k}"`);
  if (w.v !== WIRE_VERSION) {
    return typeof w.v === 'number'
      ? reject(
          'UNSUPPORTED_VERSION',
          `wire version ${w.v} is not supported (this engine speaks ${WIRE_VERSION})`,
        )
      : reject('MALFORMED', 'v must be a number');
  }
  if (typeof w.type !== 'string' || !(OP_TYPES as readonly string[]).includes(w.type)) {
    return reject('MALFORMED', `type must be one of ${OP_TYPES.join(', ')}`);
  }
  const type = w.type as OpType;
  const signer = suite.keyFromWire(w.signer);
  if (signer === null) return reject('MALFORMED', `signer must be ${suite.keyDescription}`);
  if (!isSafeCount(w.day, 0) || w.day >= TWO_32)
    return reject('MALFORMED', 'day must be an integer in [0, 2^32)');
  if (!isSafeCount(w.nonce, 0))
    return reject('MALFORMED', 'nonce must be a non-negative safe integer');
  if (typeof w.sig !== 'string' || !HEX64.test(w.sig))
    return reject('MALFORMED', 'sig must be 128 lowercase hex digits');
  if (!Array.isArray(w.inputs)) return reject('MALFORMED', 'inputs must be an array');
  if (!Array.isArray(w.outputs)) return reject('MALFORMED', 'outputs must be an array');
  if (w.inputs.length > MAX_INPUTS) return reject('MALFORMED', `at most ${MAX_INPUTS} inputs`);
  if (w.outputs.length > MAX_OUTPUTS) return reject('MALFORMED', `at most ${MAX_OUTPUTS} outputs`);
  // Duplicates: pairwise for a few inputs (the common case), a Set beyond.
  const seen = w.inputs.length > 8 ? new Set<string>() : null;
  for (let i = 0; i < w.inputs.length; i++) {
    const id = w.inputs[i];
    if (typeof id !== 'string' || !HEX32.test(id))
      return reject('MALFORMED', 'an input is a 64-hex-digit coin id', i);
    let duplicate = false;
    if (seen === null) {
      for (let j = 0; j < i && !duplicate; j++) duplicate = w.inputs[j] === id;
    } else {
      duplicate = seen.has(id);
      seen.add(id);
    }
    if (duplicate)
      return reject('DUPLICATE_INPUT', 'the same coin is spent twice in one transaction', i);
  }
  const outputs: Output[] = [];
  let total = 0;
  for (let i = 0; i < w.outputs.length; i++) {
    const o = w.outputs[i] as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      return reject('MALFORMED', 'an output is an object', i);
    const rec = o as Record<string, unknown>;
    for (const k of Object.keys(rec))
      if (k !== 'owner' && k !== 'value')
        return reject('MALFORMED', `unknown output field "${k}"`, i);
    const owner = suite.keyFromWire(rec.owner);
    if (owner === null)
      return reject('MALFORMED', `output owner must be ${suite.keyDescription}`, i);
    if (!isSafeCount(rec.value, 1))
      return reject('MALFORMED', 'output value must be a positive safe integer (fen)', i);
    total += rec.value;
    if (!Number.isSafeInteger(total))
      return reject('MALFORMED', 'outputs sum past the largest safe integer', i);
    outputs.push({ owner, value: rec.value });
  }
  const needsSubject = type === 'enroll' || type === 'open';
  let subject: Subject | undefined;
  if (needsSubject) {
    const s = checkSubject(w.subject, type, suite);
    if ('code' in s) return s;
    subject = s;
  } else if (w.subject !== undefined) {
    return reject('MALFORMED', `${type} takes no subject`);
  }
  const shape = checkShape(type, w.inputs.length, outputs.length);
  if (shape) return shape;
  const inputs = w.inputs as string[];
  const fields: TxFields =
    subject === undefined
      ? { type, signer, day: w.day, nonce: w.nonce, inputs, outputs }
      : { type, signer, day: w.day, nonce: w.nonce, inputs, outputs, subject };
  return finish(fields, Buffer.from(w.sig, 'hex'), suite);
}

/** Per-type counts: cheap, and keeps nonsense away from signature verification. */
function checkShape(type: OpType, nIn: number, nOut: number): Rejection | null {
  switch (type) {
    case 'issue':
      return nIn === 0 && nOut >= 1
        ? null
        : reject('MALFORMED', 'issue has no inputs and at least one output');
    case 'enroll':
    case 'open':
      return nIn === 0 && nOut === 0
        ? null
        : reject('MALFORMED', `${type} has no inputs or outputs`);
    case 'destroy':
      return nIn >= 1 ? null : reject('MALFORMED', 'destroy needs at least one input');
    default:
      return nIn >= 1 && nOut >= 1
        ? null
        : reject('MALFORMED', `${type} needs at least one input and one output`);
  }
}

/** Offset of the signer key in a body: u8 version | u8 type | signer[K]. */
const SIGNER_AT = 2;

function finish(fields: TxFields, signature: Uint8Array, suite: TxSuite): Tx {
  // One buffer, TX_DOMAIN || body, hashed in one shot: the same digest as txidOf(body) without a
  // Hash object per transaction. body and signerKey are views into it (never written again).
  const tagged = encodeAfter(fields, TX_DOMAIN.length);
  TX_DOMAIN.copy(tagged, 0);
  const body = tagged.subarray(TX_DOMAIN.length);
  const txid = hash(suite.txHash, tagged, 'buffer');
  const txidHex = txid.toString('hex');
  const signerKey = body.subarray(SIGNER_AT, SIGNER_AT + suite.keyLength);
  const { type, signer, day, nonce, inputs, outputs, subject } = fields;
  // Object literals of fixed shape, not `{ ...fields, ... }`: V8 copies a spread through its
  // generic cloning path, which cost more than the rest of the decoding together (~7 us a
  // transaction, bench: decodeWire in a tight loop).
  return subject === undefined
    ? { type, signer, day, nonce, inputs, outputs, body, txid, txidHex, signerKey, signature }
    : {
        type,
        signer,
        day,
        nonce,
        inputs,
        outputs,
        subject,
        body,
        txid,
        txidHex,
        signerKey,
        signature,
      };
}

/** Builds a Tx from fields and a signature (workload generation, tests). */
export function makeTx(
  fields: TxFields,
  signature: Uint8Array,
  suite: TxSuite = ED25519_SUITE,
): Tx {
  return finish(fields, signature, suite);
}

/** The wire form of a transaction. */
export function toWire(tx: TxFields & { readonly signature: Uint8Array }): WireTx {
  const w: WireTx = {
    v: WIRE_VERSION,
    type: tx.type,
    signer: tx.signer,
    day: tx.day,
    nonce: tx.nonce,
    inputs: [...tx.inputs],
    outputs: tx.outputs.map((o) => ({ owner: o.owner, value: o.value })),
    sig: Buffer.from(tx.signature).toString('hex'),
  };
  if (tx.subject) w.subject = { ...tx.subject };
  return w;
}

/** body || signature: the journal's record payload. */
export function encodeSigned(tx: Tx): Buffer {
  return Buffer.concat([tx.body, tx.signature]);
}

/**
 * Inverse of encodeSigned for the engine's suite. Returns null for bytes that are not a
 * well-formed record (including a record of another suite: its keys have another length).
 */
export function decodeSigned(bytes: Uint8Array, suite: TxSuite = ED25519_SUITE): Tx | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const k = suite.keyLength;
  try {
    if (buf.length < 2 + k + 12 + 2 + 2 + 1 + SIGNATURE_LENGTH || buf[0] !== WIRE_VERSION)
      return null;
    const type = OP_TYPES[buf[1]!];
    if (!type) return null;
    let at = 2;
    const signer = buf.toString('hex', at, at + k);
    at += k;
    const day = buf.readUInt32LE(at);
    const nonce = readU64(buf, at + 4);
    at += 12;
    const nIn = buf.readUInt16LE(at);
    at += 2;
    const inputs: string[] = [];
    for (let i = 0; i < nIn; i++, at += 32) inputs.push(buf.toString('hex', at, at + 32));
    const nOut = buf.readUInt16LE(at);
    at += 2;
    const outputs: Output[] = [];
    for (let i = 0; i < nOut; i++, at += k + 8) {
      outputs.push({ owner: buf.toString('hex', at, at + k), value: readU64(buf, at + k) });
    }
    let subject: Subject | undefined;
    if (buf[at++] === 1) {
      const key = buf.toString('hex', at, at + k);
      at += k;
      const role = buf[at++] === 1 ? 'bank' : 'wallet';
      const tier = buf[at++]!;
      const kind = buf[at++]!;
      const kycLen = buf[at++]!;
      const kyc = kycLen > 0 ? { kyc: buf.toString('latin1', at, at + kycLen) } : {};
      at += kycLen;
      subject =
        role === 'bank'
          ? { key, role, ...kyc }
          : {
              key,
              role,
              tier: tier as WalletTier,
              kind: kind === 2 ? 'merchant' : 'personal',
              ...kyc,
            };
    }
    if (at + SIGNATURE_LENGTH !== buf.length) return null;
    // The record must pass the wire form's structural checks (values, counts, tiers, shapes),
    // and re-encoding must reproduce its bytes exactly, or it is not canonical. decodeWire
    // encodes and hashes the body once; its Tx is the answer (no second encode + SHA-256: that
    // was a third of replay's CPU).
    const wire: WireTx = {
      v: WIRE_VERSION,
      type,
      signer,
      day,
      nonce,
      inputs,
      outputs,
      sig: buf.toString('hex', at),
    };
    if (subject) wire.subject = subject;
    const tx = decodeWire(wire, suite);
    if ('code' in tx || Buffer.compare(tx.body, buf.subarray(0, at)) !== 0) return null;
    return tx;
  } catch {
    return null;
  }
}
