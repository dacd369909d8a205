/**
 * Signing for the generator: the result of `signTx` + `toWire` + JSON.stringify, byte for byte,
 * with the engine's own primitives (encodeBody, txidOf, signMessage) called once each. signTx
 * encodes and hashes every transaction twice (once for the id, once for the returned Tx); the
 * generator only needs the id and the wire JSON, which makes it ~1.8x faster
 * (test/scenarios/workload/workload.test.ts checks equality with signTx).
 */
import {
  encodeBody,
  type KeyPair,
  type Output,
  type Subject,
  signMessage,
  suiteOf,
  type TxFields,
  txidOf,
  txSuite,
  WIRE_VERSION,
} from '../../engine/domain/index.js';

/** A signed op: its id and its wire body. */
export interface SignedOp {
  /** Transaction id: output coin i is coinIdOf(txid, i). */
  readonly txid: Buffer;
  /** The wire JSON (docs/api.md). */
  readonly body: string;
}

interface WireShape {
  v: number;
  type: string;
  signer: string;
  day: number;
  nonce: number;
  inputs: readonly string[];
  outputs: readonly Output[];
  sig: string;
  subject?: Subject;
}

/** Signs `fields` with `pair`. `corrupt` XORs one signature byte (index, non-zero mask). */
export function signOp(
  fields: TxFields,
  pair: KeyPair,
  corrupt?: { readonly index: number; readonly mask: number },
): SignedOp {
  const txid = txidOf(encodeBody(fields), txSuite(suiteOf(pair)));
  const sig = signMessage(pair, txid);
  if (corrupt) sig[corrupt.index % sig.length]! ^= corrupt.mask & 0xff || 1;
  // Same fields in the same order as engine/domain toWire(), so the bytes match signTx's wire form.
  const w: WireShape = {
    v: WIRE_VERSION,
    type: fields.type,
    signer: fields.signer,
    day: fields.day,
    nonce: fields.nonce,
    inputs: fields.inputs,
    outputs: fields.outputs,
    sig: sig.toString('hex'),
  };
  if (fields.subject) w.subject = fields.subject;
  return { txid, body: JSON.stringify(w) };
}
