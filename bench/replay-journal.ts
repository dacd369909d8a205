/**
 * A city-scale journal for recovery benchmarks and tests: a genesis (banks enrolled, `wallets`
 * wallets opened, money issued, allocated and exchanged to every wallet) followed by `transfers`
 * wallet-to-wallet payments. Every transaction is applied to a registry as it is built, so the
 * file holds exactly what the engine would have journaled, and is written in the journal format.
 */
import { writeFile } from 'node:fs/promises';
import {
  coinIdOf,
  DEV_CENTRAL_BANK_SEED,
  deriveKeyPair,
  encodeSigned,
  type KeyPair,
  signTx,
  type Tx,
  type TxFields,
} from '../engine/domain/index.js';
import { checksum, encodeHeader, RECORD_OVERHEAD } from '../engine/journal/format.js';
import { Registry } from '../engine/registry/index.js';

export interface CityJournalOptions {
  readonly wallets: number;
  readonly transfers: number;
  /** Banks that open wallets and exchange money to them (default 8). */
  readonly banks?: number;
  readonly seed?: string;
}

export interface CityJournal {
  readonly centralBankKey: string;
  readonly records: number;
  readonly bytes: number;
  /** By operation type. */
  readonly counts: Readonly<Record<string, number>>;
  /** The registry the transactions were applied to while building: the state replay must reach. */
  readonly registry: Registry;
}

const DAY = 20_415;
/** Each wallet starts with one coin of this many fen (1 000 yuan, under every tier's cap). */
const START_FEN = 100_000;
/** Each transfer pays this many fen. */
const PAYMENT_FEN = 100;
/** Wallets paid by one exchange (plus the bank's change: at most MAX_OUTPUTS outputs). */
const WALLETS_PER_EXCHANGE = 16;

/** Builds the journal at `path` (overwritten). Signing dominates: ~0.1 ms per transaction. */
export async function writeCityJournal(
  path: string,
  options: CityJournalOptions,
): Promise<CityJournal> {
  const seed = options.seed ?? 'replay-bench';
  const bankCount = Math.max(1, options.banks ?? 8);
  const cb = deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank');
  const registry = new Registry({ centralBankKey: cb.publicKey });
  const chunks: Buffer[] = [encodeHeader()];
  let bytes = chunks[0]!.length;
  const counts: Record<string, number> = {};
  let nonce = 0;

  const add = (fields: Omit<TxFields, 'day' | 'nonce'>, signer: KeyPair): Tx => {
    const tx = signTx({ ...fields, day: DAY, nonce: nonce++ }, signer);
    const rejection = registry.apply(tx);
    if (rejection) throw new Error(`city journal: ${tx.type} rejected: ${rejection.code}`);
    const payload = encodeSigned(tx);
    const frame = Buffer.allocUnsafe(RECORD_OVERHEAD);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(checksum(payload), 4);
    chunks.push(frame, payload);
    bytes += RECORD_OVERHEAD + payload.length;
    counts[tx.type] = (counts[tx.type] ?? 0) + 1;
    return tx;
  };

  const banks = Array.from({ length: bankCount }, (_, i) => deriveKeyPair(seed, `bank-${i}`));
  for (const bank of banks) {
    add(
      {
        type: 'enroll',
        signer: cb.publicKey,
        inputs: [],
        outputs: [],
        subject: { key: bank.publicKey, role: 'bank' },
      },
      cb,
    );
  }
  const wallets: KeyPair[] = [];
  for (let i = 0; i < options.wallets; i++) {
    const wallet = deriveKeyPair(seed, `wallet-${i}`);
    wallets.push(wallet);
    const tier = (1 + (i % 3)) as 1 | 2 | 3;
    add(
      {
        type: 'open',
        signer: banks[i % bankCount]!.publicKey,
        inputs: [],
        outputs: [],
        subject: { key: wallet.publicKey, role: 'wallet', tier, kind: 'personal' },
      },
      banks[i % bankCount]!,
    );
  }

  // Issue once, allocate to each bank what its wallets will hold.
  const perBank = banks.map((_, b) => countOf(options.wallets, bankCount, b) * START_FEN);
  const total = perBank.reduce((a, b) => a + b, 0);
  const issue = add(
    {
      type: 'issue',
      signer: cb.publicKey,
      inputs: [],
      outputs: [{ owner: cb.publicKey, value: total }],
    },
    cb,
  );
  const allocate = add(
    {
      type: 'allocate',
      signer: cb.publicKey,
      inputs: [coinIdOf(issue.txid, 0)],
      outputs: banks.map((bank, b) => ({ owner: bank.publicKey, value: perBank[b]! })),
    },
    cb,
  );

  // Each bank exchanges START_FEN to each of its wallets, 16 wallets per exchange.
  /** Per wallet: its unspent coins, [id, value], oldest first. */
  const coins: Array<Array<[string, number]>> = wallets.map(() => []);
  for (let b = 0; b < bankCount; b++) {
    const bank = banks[b]!;
    let coin = coinIdOf(allocate.txid, b);
    let balance = perBank[b]!;
    const mine: number[] = [];
    for (let w = b; w < options.wallets; w += bankCount) mine.push(w);
    for (let at = 0; at < mine.length; at += WALLETS_PER_EXCHANGE) {
      const group = mine.slice(at, at + WALLETS_PER_EXCHANGE);
      const outputs = group.map((w) => ({ owner: wallets[w]!.publicKey, value: START_FEN }));
      balance -= group.length * START_FEN;
      if (balance > 0) outputs.push({ owner: bank.publicKey, value: balance });
      const ex = add({ type: 'exchange', signer: bank.publicKey, inputs: [coin], outputs }, bank);
      group.forEach((w, i) => {
        coins[w]!.push([coinIdOf(ex.txid, i), START_FEN]);
      });
      if (balance > 0) coin = coinIdOf(ex.txid, group.length);
    }
  }

  // Transfers: wallet i pays the next wallet, round-robin; change goes back to the payer.
  for (let i = 0; i < options.transfers && wallets.length >= 2; i++) {
    const p = i % wallets.length;
    const q = (p + 1) % wallets.length;
    const payer = wallets[p]!;
    const [id, value] = coins[p]!.shift()!;
    const outputs = [{ owner: wallets[q]!.publicKey, value: PAYMENT_FEN }];
    if (value > PAYMENT_FEN) outputs.push({ owner: payer.publicKey, value: value - PAYMENT_FEN });
    const tx = add({ type: 'transfer', signer: payer.publicKey, inputs: [id], outputs }, payer);
    coins[q]!.push([coinIdOf(tx.txid, 0), PAYMENT_FEN]);
    if (value > PAYMENT_FEN) coins[p]!.push([coinIdOf(tx.txid, 1), value - PAYMENT_FEN]);
  }

  await writeFile(path, Buffer.concat(chunks, bytes));
  const records = Object.values(counts).reduce((a, b) => a + b, 0);
  return { centralBankKey: cb.publicKey, records, bytes, counts, registry };
}

/** How many of `n` items round-robin assigns to slot `slot` of `slots`. */
function countOf(n: number, slots: number, slot: number): number {
  return Math.floor(n / slots) + (slot < n % slots ? 1 : 0);
}
