/**
 * A pre-signed, dependency-free transfer workload for engine benchmarks: every transfer spends
 * a distinct genesis coin, so throughput measures the engine, not the workload's chains.
 * Built (and signed) before any timing starts.
 */
import type { SuiteName } from '../engine/crypto/index.js';
import {
  coinIdOf,
  DEV_CENTRAL_BANK_SEED,
  deriveKeyPair,
  type KeyPair,
  signTx,
  type Tx,
} from '../engine/domain/index.js';

export interface TransferWorkload {
  readonly centralBankKey: string;
  /** The value day every transaction carries: the engine's clock must read it (`today`). */
  readonly day: number;
  /** enroll, open, issue, allocate, exchange: apply in order before timing. */
  readonly genesis: Tx[];
  /** Independent transfers, each one signature; transfer i is paid by wallet i mod `payers`. */
  readonly transfers: Tx[];
  readonly payers: number;
}

const DAY = 20_415;

/** Keys and signatures of `suite` (default Ed25519); the engine must be opened with that suite. */
export function buildTransferWorkload(
  transfers: number,
  seed = 'bench',
  suite: SuiteName = 'ed25519',
): TransferWorkload {
  const cb = deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank', suite);
  const bank = deriveKeyPair(seed, 'bank', suite);
  const wallets: KeyPair[] = [];
  const walletCount = Math.max(2, Math.ceil(transfers / 16));
  for (let i = 0; i < walletCount; i++) wallets.push(deriveKeyPair(seed, `wallet-${i}`, suite));
  const genesis: Tx[] = [];
  let nonce = 0;
  const add = (tx: Tx) => {
    genesis.push(tx);
    return tx;
  };
  add(
    signTx(
      {
        type: 'enroll',
        signer: cb.publicKey,
        day: DAY,
        nonce: nonce++,
        inputs: [],
        outputs: [],
        subject: { key: bank.publicKey, role: 'bank' },
      },
      cb,
    ),
  );
  for (const w of wallets) {
    add(
      signTx(
        {
          type: 'open',
          signer: bank.publicKey,
          day: DAY,
          nonce: nonce++,
          inputs: [],
          outputs: [],
          subject: { key: w.publicKey, role: 'wallet', tier: 2, kind: 'personal' },
        },
        bank,
      ),
    );
  }
  // One coin of 100 fen per transfer, exchanged to wallets 16 at a time (one output each).
  const perWallet = Math.ceil(transfers / walletCount);
  const total = perWallet * walletCount * 100;
  const issue = add(
    signTx(
      {
        type: 'issue',
        signer: cb.publicKey,
        day: DAY,
        nonce: nonce++,
        inputs: [],
        outputs: [{ owner: cb.publicKey, value: total }],
      },
      cb,
    ),
  );
  const alloc = add(
    signTx(
      {
        type: 'allocate',
        signer: cb.publicKey,
        day: DAY,
        nonce: nonce++,
        inputs: [coinIdOf(issue.txid, 0)],
        outputs: [{ owner: bank.publicKey, value: total }],
      },
      cb,
    ),
  );
  let bankCoin = coinIdOf(alloc.txid, 0);
  let bankBalance = total;
  const coinsOf = new Map<string, string[]>();
  for (const w of wallets) {
    const outputs = Array.from({ length: perWallet }, () => ({ owner: w.publicKey, value: 100 }));
    const paid = perWallet * 100;
    const change = bankBalance - paid;
    if (change > 0) outputs.push({ owner: bank.publicKey, value: change });
    const ex = add(
      signTx(
        {
          type: 'exchange',
          signer: bank.publicKey,
          day: DAY,
          nonce: nonce++,
          inputs: [bankCoin],
          outputs,
        },
        bank,
      ),
    );
    coinsOf.set(
      w.publicKey,
      Array.from({ length: perWallet }, (_, i) => coinIdOf(ex.txid, i)),
    );
    bankBalance = change;
    if (change > 0) bankCoin = coinIdOf(ex.txid, perWallet);
  }
  const list: Tx[] = [];
  for (let i = 0; list.length < transfers; i++) {
    const payer = wallets[i % walletCount]!;
    const payee = wallets[(i + 1) % walletCount]!;
    const coin = coinsOf.get(payer.publicKey)!.pop();
    if (!coin) break;
    list.push(
      signTx(
        {
          type: 'transfer',
          signer: payer.publicKey,
          day: DAY,
          nonce: nonce++,
          inputs: [coin],
          outputs: [{ owner: payee.publicKey, value: 100 }],
        },
        payer,
      ),
    );
  }
  return { centralBankKey: cb.publicKey, day: DAY, genesis, transfers: list, payers: walletCount };
}
