/**
 * Assembly of measured ops: every op is signed, numbered and appended here, in send order, with
 * its expected outcome, lane, label and the op it waits for; the emitter also measures the
 * chains of such waits.
 */
import type { KeyPair, TxFields } from '../../engine/domain/index.js';
import type { OpList } from './op-list.js';
import { signOp } from './signer.js';
import type { Expected, OpLabel } from './types.js';

/** An appended op: its index in the list and its transaction id. */
export interface EmittedOp {
  readonly index: number;
  readonly txid: Buffer;
}

/** One signature byte to flip (a BAD_SIGNATURE op). */
export interface Corruption {
  readonly index: number;
  readonly mask: number;
}

export class OpEmitter {
  /** Ops that wait for an earlier op, and the longest chain of such waits. */
  dependent = 0;
  maxChain = 0;
  readonly #out: OpList;
  readonly #durationMs: number;
  readonly #day: number;
  #nonce: number;
  /** Chain depth of each op (ops that wait for others), indexed like the list. */
  readonly #depth: number[] = [];

  constructor(out: OpList, durationMs: number, day: number, nonce: number) {
    this.#out = out;
    this.#durationMs = durationMs;
    this.#day = day;
    this.#nonce = nonce;
  }

  /** The next unused nonce. */
  get nonce(): number {
    return this.#nonce;
  }

  /** Signs and appends one op sent at normalised time `at`. */
  emit(
    at: number,
    fields: Omit<TxFields, 'day' | 'nonce'>,
    pair: KeyPair,
    expected: Expected,
    dependsOn: number,
    lane: number,
    label: OpLabel,
    channel = '',
    corrupt?: Corruption,
  ): EmittedOp {
    const signed = signOp(
      { ...fields, day: this.#day, nonce: this.#nonce++ } as TxFields,
      pair,
      corrupt,
    );
    const ms = Math.round(at * this.#durationMs * 1000) / 1000;
    const index = this.#out.push(signed.body, expected, ms, dependsOn, lane, label, channel);
    const depth = dependsOn >= 0 ? this.#depth[dependsOn]! + 1 : 0;
    this.#depth[index] = depth;
    if (dependsOn >= 0) {
      this.dependent++;
      if (depth > this.maxChain) this.maxChain = depth;
    }
    return { index, txid: signed.txid };
  }
}
