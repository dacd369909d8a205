/**
 * A batch of verified transactions as the arguments of ecny.settle, and its answer back as
 * SettleResults. The normalizing happens here, in the engine, where it is cheap: every key and
 * coin becomes a slot number into one array per batch, and everything a transaction decides on
 * its own (its outputs' sum, what it pays others, each payee's credit, its output coin ids)
 * comes precomputed, so the SQL does only what needs the database.
 */
import {
  coinIdOf,
  OFFLINE_SYNC_DAYS,
  OP_TYPES,
  type OpType,
  type Role,
  type TierTable,
  type Tx,
  walletIdOf,
} from '../../domain/index.js';
import { balanceLimit } from '../../domain/tiers.js';
import { yearOf } from '../accounts.js';
import type { SettleResult } from '../port.js';
import { isPayment, REJECT } from '../rules.js';
import { subjectKeyAcceptable } from '../subject-keys.js';

/** The call, with every array cast so any driver can send the parameters as text. */
export const SETTLE_CALL = `SELECT codes, idx, details FROM ecny.settle(
  $1::bytea[], $2::smallint[], $3::int[], $4::bigint[], $5::int[],
  $6::int[], $7::int[], $8::int[], $9::bigint[], $10::bigint[], $11::int[],
  $12::int[], $13::smallint[], $14::smallint[], $15::smallint[], $16::text[], $17::bigint[],
  $18::boolean[], $19::int[], $20::int[], $21::bigint[], $22::smallint[],
  $23::int[], $24::bigint[], $25::bytea[], $26::int[], $27::bytea[], $28::int[], $29::int[],
  $30::bytea[], $31::bytea[], $32::boolean[], $33::boolean[],
  $34::bigint[], $35::bigint[], $36::bigint[], $37::bigint, $38::bigint)`;

export const ROLE_CODE: Readonly<Record<Role, number>> = { 'central-bank': 1, bank: 2, wallet: 3 };
const ROLE_NAME: readonly Role[] = ['central-bank', 'central-bank', 'bank', 'wallet'];
export const KIND_CODE = { personal: 1, merchant: 2 } as const;

export interface BatchContext {
  readonly tiers: TierTable;
  /** The registration-time public key check (the memory registry's `acceptKey`). */
  readonly acceptKey: (key: Uint8Array) => boolean;
}

/** Text array literals: hex ids, numbers, booleans and quoted strings need nothing else. */
function byteaArray(hex: readonly string[]): string {
  return hex.length === 0 ? '{}' : `{\\\\x${hex.join(',\\\\x')}}`;
}

function numArray(values: readonly (number | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ',';
    const v = values[i];
    s += v === null ? 'NULL' : String(v);
  }
  return `${s}}`;
}

function boolArray(values: readonly boolean[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++)
    s += i > 0 ? (values[i] ? ',t' : ',f') : values[i] ? 't' : 'f';
  return `${s}}`;
}

function nullableByteaArray(hex: readonly (string | null)[]): string {
  return `{${hex.map((h) => (h === null ? 'NULL' : `\\\\x${h}`)).join(',')}}`;
}

function textArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
}

function tierLimits(tiers: TierTable, field: 'single' | 'daily' | 'annual'): string {
  return numArray([tiers[1][field], tiers[2][field], tiers[3][field], tiers[4][field]]);
}

/**
 * The 38 parameters of SETTLE_CALL for `txs`, in order. `today`: the engine's value day for this
 * call (null: no clock, as in replay: the clock-dependent day rules are not checked).
 */
export function encodeBatch(
  txs: readonly Tx[],
  ctx: BatchContext,
  today: number | null,
): (string | null)[] {
  const keySlot = new Map<string, number>();
  const kKey: string[] = [];
  const kId: (string | null)[] = [];
  const kPayer: boolean[] = [];
  const kPayee: boolean[] = [];
  const slotOfKey = (key: string): number => {
    let slot = keySlot.get(key);
    if (slot === undefined) {
      kKey.push(key);
      kId.push(null);
      kPayer.push(false);
      kPayee.push(false);
      slot = kKey.length;
      keySlot.set(key, slot);
    }
    return slot;
  };
  // Coin slots: every coin named as an input (a coin created earlier in the batch too).
  const coinSlot = new Map<string, number>();
  const cId: string[] = [];
  for (const tx of txs) {
    for (const id of tx.inputs) {
      if (!coinSlot.has(id)) {
        cId.push(id);
        coinSlot.set(id, cId.length);
      }
    }
  }
  const n = txs.length;
  const tTxid: string[] = new Array(n);
  const tType: number[] = new Array(n);
  const tSigner: number[] = new Array(n);
  const tDay: number[] = new Array(n);
  const tYear: number[] = new Array(n);
  const tInEnd: number[] = new Array(n);
  const tPayEnd: number[] = new Array(n);
  const tOutEnd: number[] = new Array(n);
  const tTotalOut: number[] = new Array(n);
  const tPaid: number[] = new Array(n);
  const tFirst: number[] = new Array(n);
  const tSubj: number[] = new Array(n);
  const tSubjRole: (number | null)[] = new Array(n);
  const tSubjTier: (number | null)[] = new Array(n);
  const tSubjKind: (number | null)[] = new Array(n);
  const tSubjKyc: (string | null)[] = new Array(n);
  const tSubjCap: (number | null)[] = new Array(n);
  const tSubjOk: boolean[] = new Array(n);
  const iSlot: number[] = [];
  const pKey: number[] = [];
  const pCredit: number[] = [];
  const pIndex: number[] = [];
  const oOwner: number[] = [];
  const oValue: number[] = [];
  const oId: string[] = [];
  const oSlot: number[] = [];
  const lKey: number[] = [];
  const lSlot: number[] = [];
  const lockPairs = new Set<string>();
  const firstOf = new Map<string, number>();
  for (let t = 0; t < n; t++) {
    const tx = txs[t]!;
    const signer = slotOfKey(tx.signer);
    const day = tx.day;
    tTxid[t] = tx.txidHex;
    tType[t] = OP_TYPES.indexOf(tx.type) + 1;
    tSigner[t] = signer;
    tDay[t] = day;
    tYear[t] = yearOf(day);
    if (isPayment(tx.type) || tx.type === 'redeem') kPayer[signer - 1] = true;
    let first = firstOf.get(tx.txidHex);
    if (first === undefined) {
      first = t + 1;
      firstOf.set(tx.txidHex, first);
    }
    tFirst[t] = first;
    for (const id of tx.inputs) {
      const slot = coinSlot.get(id)!;
      iSlot.push(slot);
      const pair = `${signer}:${slot}`;
      if (!lockPairs.has(pair)) {
        lockPairs.add(pair);
        lKey.push(signer);
        lSlot.push(slot);
      }
    }
    let totalOut = 0;
    let paid = 0;
    const outs = tx.outputs;
    const payStart = pKey.length;
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i]!;
      const owner = slotOfKey(o.owner);
      const id = coinIdOf(tx.txid, i);
      oOwner.push(owner);
      oValue.push(o.value);
      oId.push(id);
      oSlot.push(coinSlot.get(id) ?? 0);
      totalOut += o.value;
      if (o.owner === tx.signer) continue;
      paid += o.value;
      kPayee[owner - 1] = true;
      let p = payStart;
      while (p < pKey.length && pKey[p] !== owner) p++;
      if (p === pKey.length) {
        pKey.push(owner);
        pCredit.push(o.value);
        pIndex.push(i);
      } else {
        pCredit[p] = pCredit[p]! + o.value;
      }
    }
    tInEnd[t] = iSlot.length;
    tPayEnd[t] = pKey.length;
    tOutEnd[t] = oOwner.length;
    tTotalOut[t] = totalOut;
    tPaid[t] = paid;
    const s = tx.subject;
    if (s) {
      const slot = slotOfKey(s.key);
      kId[slot - 1] = walletIdOf(s.key);
      tSubj[t] = slot;
      tSubjRole[t] = ROLE_CODE[s.role];
      tSubjTier[t] = s.tier ?? null;
      tSubjKind[t] = s.kind ? KIND_CODE[s.kind] : null;
      tSubjKyc[t] = s.kyc ?? null;
      tSubjCap[t] =
        s.role === 'wallet' ? balanceLimit(ctx.tiers, s.tier!, s.kind ?? 'personal') : null;
      tSubjOk[t] = subjectKeyAcceptable(s, ctx.acceptKey);
    } else {
      tSubj[t] = 0;
      tSubjRole[t] = null;
      tSubjTier[t] = null;
      tSubjKind[t] = null;
      tSubjKyc[t] = null;
      tSubjCap[t] = null;
      tSubjOk[t] = false;
    }
  }
  return [
    byteaArray(tTxid),
    numArray(tType),
    numArray(tSigner),
    numArray(tDay),
    numArray(tYear),
    numArray(tInEnd),
    numArray(tPayEnd),
    numArray(tOutEnd),
    numArray(tTotalOut),
    numArray(tPaid),
    numArray(tFirst),
    numArray(tSubj),
    numArray(tSubjRole),
    numArray(tSubjTier),
    numArray(tSubjKind),
    textArray(tSubjKyc),
    numArray(tSubjCap),
    boolArray(tSubjOk),
    numArray(iSlot),
    numArray(pKey),
    numArray(pCredit),
    numArray(pIndex),
    numArray(oOwner),
    numArray(oValue),
    byteaArray(oId),
    numArray(oSlot),
    byteaArray(cId),
    numArray(lKey),
    numArray(lSlot),
    byteaArray(kKey),
    nullableByteaArray(kId),
    boolArray(kPayer),
    boolArray(kPayee),
    tierLimits(ctx.tiers, 'single'),
    tierLimits(ctx.tiers, 'daily'),
    tierLimits(ctx.tiers, 'annual'),
    today === null ? null : String(today),
    today === null ? null : String(today - OFFLINE_SYNC_DAYS),
  ];
}

/** One row of ecny.settle's answer: a code per transaction (0: settled), index, detail. */
export interface SettleAnswer {
  readonly codes: readonly number[];
  readonly idx: readonly number[];
  readonly details: readonly string[];
}

/**
 * The answer as one SettleResult per transaction, worded by the shared REJECT builders; `today`
 * as given to encodeBatch.
 */
export function decodeAnswer(
  txs: readonly Tx[],
  answer: SettleAnswer,
  tiers: TierTable,
  today: number | null,
): SettleResult[] {
  if (answer.codes.length !== txs.length)
    throw new Error(`ecny.settle answered ${answer.codes.length} codes for ${txs.length} txs`);
  const results: SettleResult[] = new Array(txs.length);
  for (let t = 0; t < txs.length; t++) {
    const code = answer.codes[t]!;
    results[t] =
      code === 0
        ? null
        : rejection(txs[t]!, code, answer.idx[t], answer.details[t], tiers, today ?? -1);
  }
  return results;
}

function rejection(
  tx: Tx,
  code: number,
  index: number | undefined,
  detail: string | undefined,
  tiers: TierTable,
  today: number,
): SettleResult {
  const i = index === undefined || index < 0 ? 0 : index;
  const tier = Number(detail) as 1 | 2 | 3 | 4;
  switch (code) {
    case 1:
      return REJECT.duplicate(tx.txidHex);
    case 2:
      return REJECT.unknownSigner();
    case 3:
      return REJECT.wrongSigner(tx.type);
    case 4:
      return REJECT.unknownCoin(tx.inputs[i]!, i);
    case 5:
      return REJECT.alreadySpent(tx.inputs[i]!, detail ?? '', i);
    case 6:
      return REJECT.notOwner(tx.inputs[i]!, i);
    case 7:
      return REJECT.unknownPayee(i);
    case 8:
      return REJECT.wrongPayee(tx.type, ROLE_NAME[Number(detail)] ?? 'wallet', i);
    case 9:
      return REJECT.issueOverflow();
    case 10:
      return REJECT.destroyNothing();
    case 11:
      return REJECT.unbalanced(Number(detail), sumOutputs(tx));
    case 12:
      return REJECT.alreadyRegistered(tx.subject!.key);
    case 13:
      return REJECT.weakKey();
    case 14:
      return REJECT.single(paidBy(tx), tier, tiers[tier]);
    case 15:
      return REJECT.daily(tier, tiers[tier]);
    case 16:
      return REJECT.annual(tier, tiers[tier]);
    case 17: {
      const [t, cap] = (detail ?? '').split(':');
      return REJECT.balance(Number(t) as 1 | 2 | 3 | 4, Number(cap), i);
    }
    case 18:
      return REJECT.notToday(tx.day, today);
    case 19:
      return REJECT.offlineBeforeInput(tx.day, Number(detail), i);
    case 20:
      return REJECT.offlineAfterToday(tx.day, today);
    case 21:
      return REJECT.offlineTooOld(tx.day, today);
    default:
      throw new Error(`ecny.settle answered unknown code ${code} for ${tx.txidHex}`);
  }
}

function sumOutputs(tx: Tx): number {
  let sum = 0;
  for (const o of tx.outputs) sum += o.value;
  return sum;
}

function paidBy(tx: Tx): number {
  let paid = 0;
  for (const o of tx.outputs) if (o.owner !== tx.signer) paid += o.value;
  return paid;
}

export function opTypeOf(code: number): OpType {
  return OP_TYPES[code - 1]!;
}
