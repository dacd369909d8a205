/**
 * Assembly of payment ops: a valid payment chosen from the ledger model (payer, amount, coins,
 * payee) and recorded in it, or an invalid one built to fail for exactly its code whatever the
 * order, never touching the model:
 *  - BAD_SIGNATURE: a well-formed op with one signature byte flipped;
 *  - ALREADY_SPENT: re-spends the first input of the payer's last valid op, which it depends on;
 *  - TIER_LIMIT: pays above the single limit from a reserve coin no valid op ever spends;
 *  - UNKNOWN_COIN: spends a random coin id.
 */
import type { Output } from '../../engine/domain/index.js';
import type { InvalidCode } from '../model/index.js';
import { type LedgerModel, paymentOutputs } from './ledger-model.js';
import type { FlowRt } from './measured-plan.js';
import type { OpEmitter } from './op-emitter.js';
import { type Payer, selectCoins } from './payer.js';
import type { Population, Wallet } from './population.js';
import type { Rng } from './rng.js';
import { type Expected, OFFLINE_TRANSFER } from './types.js';

/** Random picks of a payer for BAD_SIGNATURE and UNKNOWN_COIN before a scan. */
const TRIES = 32;
/** Amount draws before a payment is declared impossible. */
const REDRAWS = 8;

/** One payment to build: its op number, send time, flow, channel label and how it was made. */
export interface PaymentSlot {
  readonly i: number;
  readonly u: number;
  readonly flow: FlowRt;
  readonly channel: string;
  /** Made offline (sent as an `offline-transfer`). */
  readonly offline: boolean;
}

/** What a valid payment did, for the measured phase's tallies. */
export interface PaidPayment {
  readonly payee: Wallet;
  readonly amount: number;
  readonly txid: Buffer;
  readonly index: number;
  readonly lane: number;
}

/** Builds payment ops over one ledger model. */
export class PaymentBuilder {
  readonly #ledger: LedgerModel;
  readonly #emitter: OpEmitter;
  readonly #pop: Population;
  readonly #day: number;
  readonly #year: number;
  readonly #amountRng: Rng;
  readonly #badRng: Rng;

  constructor(
    ledger: LedgerModel,
    emitter: OpEmitter,
    pop: Population,
    day: number,
    year: number,
    rng: Rng,
  ) {
    this.#ledger = ledger;
    this.#emitter = emitter;
    this.#pop = pop;
    this.#day = day;
    this.#year = year;
    this.#amountRng = rng.fork('amounts');
    this.#badRng = rng.fork('bad');
  }

  /** A valid payment of the slot's flow, recorded in the model; null if none can be made. */
  valid(slot: PaymentSlot): PaidPayment | null {
    const f = slot.flow;
    const ledger = this.#ledger;
    // An amount no payer can carry right now is drawn again: the distribution is truncated
    // to what the population can pay (rare when funding fits the tickets).
    let pick: { lane: number; amount: number } | null = null;
    for (let draw = 0; draw < REDRAWS && !pick; draw++)
      pick = ledger.pickPayer(
        f,
        f.amount(this.#amountRng),
        this.#day,
        this.#year,
        draw === REDRAWS - 1,
      );
    if (!pick) return null;
    const p = ledger.payers[pick.lane]!;
    const sel = selectCoins(p, pick.amount, f.spec.coins);
    if (!sel) return null;
    const payee = ledger.pickPayee(f, p.wallet, pick.amount, true);
    if (!payee) return null;
    const inputs: string[] = [];
    let inTotal = 0;
    if (sel.chg) {
      inputs.push(sel.chg.id);
      inTotal += sel.chg.value;
    }
    for (const c of sel.gen) {
      inputs.push(c.id);
      inTotal += c.value;
    }
    const outputs = paymentOutputs(payee, p.wallet, pick.amount, inTotal);
    const ref = this.#emit(slot, p, inputs, outputs, 'SETTLED', sel.chg ? sel.chg.op : -1);
    ledger.recordPayment(p, payee, pick.amount, sel, inTotal, ref, this.#day, this.#year);
    return {
      payee,
      amount: pick.amount,
      txid: ref.txid,
      index: ref.index,
      lane: p.wallet.lane,
    };
  }

  /** An invalid payment of `code`; false if the slot's flow cannot build one right now. */
  invalid(slot: PaymentSlot, code: InvalidCode): boolean {
    const want = slot.flow.amount(this.#amountRng);
    switch (code) {
      case 'ALREADY_SPENT':
        return this.#doubleSpend(slot, want);
      case 'TIER_LIMIT':
        return this.#overLimit(slot);
      case 'BAD_SIGNATURE':
      case 'UNKNOWN_COIN':
        return this.#forged(slot, code, want);
    }
  }

  /** The same coin offered to a second payee (a double spend). */
  #doubleSpend(slot: PaymentSlot, want: number): boolean {
    const f = slot.flow;
    const ledger = this.#ledger;
    const lane = this.#randomLane(ledger.spenders(f.payerGroup));
    if (lane === null) return false;
    const p = ledger.payers[lane]!;
    const last = p.last!;
    const single = ledger.limitsOf(p.wallet).single ?? Infinity;
    const amount = Math.max(1, Math.min(last.coin.value, want, single));
    let payee = ledger.pickPayee(f, p.wallet, amount, false);
    if (payee && payee.index === last.payee && this.#pop.groups[f.payeeGroup]!.count > 2)
      payee = ledger.pickPayee(f, p.wallet, amount, false);
    if (!payee) return false;
    this.#emit(
      slot,
      p,
      [last.coin.id],
      paymentOutputs(payee, p.wallet, amount, last.coin.value),
      'ALREADY_SPENT',
      last.op,
    );
    return true;
  }

  /** A payment above the single limit from a reserve coin. */
  #overLimit(slot: PaymentSlot): boolean {
    const f = slot.flow;
    const ledger = this.#ledger;
    const lane =
      this.#randomLane(ledger.reserveLanes(f.payerGroup)) ??
      this.#randomLane(ledger.allReserveLanes);
    if (lane === null) return false;
    const p = ledger.payers[lane]!;
    const coin = p.reserve!;
    const single = ledger.limitsOf(p.wallet).single!;
    const amount = single + 1 + this.#badRng.int(coin.value - single);
    const payee = ledger.pickPayee(f, p.wallet, amount, false);
    if (!payee) return false;
    this.#emit(
      slot,
      p,
      [coin.id],
      paymentOutputs(payee, p.wallet, amount, coin.value),
      'TIER_LIMIT',
      p.reserveOp,
    );
    return true;
  }

  /** A payment with a flipped signature byte, or spending a coin that does not exist. */
  #forged(slot: PaymentSlot, code: 'BAD_SIGNATURE' | 'UNKNOWN_COIN', want: number): boolean {
    const f = slot.flow;
    const ledger = this.#ledger;
    const payers = ledger.payers;
    const list = ledger.active(f.payerGroup);
    const fits = (x: Payer) => x.anyCoin !== null && x.ready && x.wallet.group === f.payerGroup;
    let p: Payer | null = null;
    for (let t = 0; t < TRIES && !p; t++) {
      const cand =
        payers[
          list.length > 0 ? list[this.#badRng.int(list.length)]! : this.#badRng.int(payers.length)
        ]!;
      if (fits(cand)) p = cand;
    }
    p ??= payers.find(fits) ?? null;
    if (!p) return false;
    const single = ledger.limitsOf(p.wallet).single ?? Infinity;
    if (code === 'UNKNOWN_COIN') {
      const amount = Math.max(1, Math.min(want, single));
      const payee = ledger.pickPayee(f, p.wallet, amount, false);
      if (!payee) return false;
      // A claimed payer exists only once its claim is answered.
      this.#emit(
        slot,
        p,
        [this.#badRng.hex32()],
        [{ owner: payee.pair.publicKey, value: amount }],
        code,
        p.openOp,
      );
      return true;
    }
    const coin = p.anyCoin!;
    const amount = Math.max(1, Math.min(want, single, coin.value));
    const payee = ledger.pickPayee(f, p.wallet, amount, false);
    if (!payee) return false;
    // Refused at verification whatever the order; it waits for a claim only to look real.
    this.#emit(
      slot,
      p,
      [coin.id],
      paymentOutputs(payee, p.wallet, amount, coin.value),
      code,
      p.openOp,
      true,
    );
    return true;
  }

  #randomLane(lanes: readonly number[]): number | null {
    return lanes.length === 0 ? null : lanes[this.#badRng.int(lanes.length)]!;
  }

  #emit(
    slot: PaymentSlot,
    payer: Payer,
    inputs: string[],
    outputs: Output[],
    expected: Expected,
    dependsOn: number,
    corrupt = false,
  ) {
    return this.#emitter.emit(
      slot.u,
      {
        type: slot.offline ? 'offline-transfer' : 'transfer',
        signer: payer.wallet.pair.publicKey,
        inputs,
        outputs,
      },
      payer.wallet.pair,
      expected,
      dependsOn,
      payer.wallet.lane,
      slot.offline ? OFFLINE_TRANSFER : 'transfer',
      slot.channel,
      corrupt ? { index: this.#badRng.int(64), mask: 1 + this.#badRng.int(255) } : undefined,
    );
  }
}
