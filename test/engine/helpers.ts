/**
 * Shared helpers for the engine suites (no tests here): read a journal file back as
 * transactions, rebuild a registry from it, and a transfer workload whose signers' keys are
 * known so tests can sign conflicting spends.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { isAcceptablePublicKey } from '../../engine/crypto/index.js';
import {
  decodeSigned,
  deriveKeyPair,
  type KeyPair,
  signTx,
  type Tx,
} from '../../engine/domain/index.js';
import { HEADER_SIZE, RECORD_OVERHEAD } from '../../engine/journal/index.js';
import { Registry } from '../../engine/registry/index.js';
import { buildTransferWorkload, type TransferWorkload } from '../../gate/index.js';

/**
 * Every whole record of a journal file, decoded, read synchronously (so a caller can check the
 * file at the exact moment an answer arrives). Stops at a torn or corrupt tail, as replay does.
 */
export function journalTxs(path: string): Tx[] {
  return readRecords(path, HEADER_SIZE).txs;
}

/** Whole records from byte `from` on, and where the good prefix ends. */
function readRecords(path: string, from: number): { txs: Tx[]; end: number } {
  const buf = readFileSync(path);
  const txs: Tx[] = [];
  let at = from;
  while (at + RECORD_OVERHEAD <= buf.length) {
    const length = buf.readUInt32LE(at);
    const end = at + RECORD_OVERHEAD + length;
    if (length === 0 || end > buf.length) break;
    const payload = buf.subarray(at + RECORD_OVERHEAD, end);
    if (crc32(payload) !== buf.readUInt32LE(at + 4)) break;
    const tx = decodeSigned(payload);
    if (!tx) throw new Error(`journal record at ${at} does not decode`);
    txs.push(tx);
    at = end;
  }
  return { txs, end: at };
}

export interface ReplayedLedger {
  readonly registry: Registry;
  /** Txids in journal order. */
  readonly txids: readonly string[];
  readonly set: ReadonlySet<string>;
}

/**
 * A registry rebuilt from the journal as the engine does at start. Throws if a record does not
 * apply: a record that no longer applies would mean a coin spent twice or a hole in the log.
 */
export function replayLedger(path: string, centralBankKey: string): ReplayedLedger {
  const registry = new Registry({ centralBankKey, acceptKey: isAcceptablePublicKey });
  const txids: string[] = [];
  for (const tx of journalTxs(path)) {
    const rejection = registry.apply(tx);
    if (rejection)
      throw new Error(`journal record ${txids.length} (${tx.txidHex}) fails: ${rejection.code}`);
    txids.push(tx.txidHex);
  }
  return { registry, txids, set: new Set(txids) };
}

export interface KeyedWorkload extends TransferWorkload {
  /** Public key -> key pair of every wallet of the workload. */
  readonly keys: ReadonlyMap<string, KeyPair>;
}

/** gate/transfer-workload.ts plus its wallets' keys (same derivation). */
export function keyedTransferWorkload(transfers: number, seed: string): KeyedWorkload {
  const workload = buildTransferWorkload(transfers, seed);
  const keys = new Map<string, KeyPair>();
  const walletCount = Math.max(2, Math.ceil(transfers / 16));
  for (let i = 0; i < walletCount; i++) {
    const pair = deriveKeyPair(seed, `wallet-${i}`);
    keys.set(pair.publicKey, pair);
  }
  return { ...workload, keys };
}

let conflictNonce = 1_000_000_000;

/**
 * A validly signed transaction spending the same inputs as `tx` (same signer), paying the
 * signer back under a fresh nonce: a double spend once `tx` has settled.
 */
export function conflictOf(tx: Tx, keys: ReadonlyMap<string, KeyPair>): Tx {
  const pair = keys.get(tx.signer);
  if (!pair) throw new Error(`no key for signer ${tx.signer}`);
  const value = tx.outputs.reduce((sum, o) => sum + o.value, 0);
  return signTx(
    {
      type: tx.type,
      signer: tx.signer,
      day: tx.day,
      nonce: conflictNonce++,
      inputs: tx.inputs,
      outputs: [{ owner: tx.signer, value }],
    },
    pair,
  );
}

/** Deterministic PRNG, so a failing random schedule can be replayed by seed. */
export { prng } from '../fixtures/prng.js';

/**
 * replayLedger for a journal that keeps growing between looks: each catchUp() applies only the
 * records appended since the previous one. Valid because the engine only ever cuts a torn tail,
 * which catchUp() never reads (it stops at the first incomplete record, as recovery does).
 * A final full replayLedger() still re-checks the whole file.
 */
export class JournalFollower implements ReplayedLedger {
  readonly registry: Registry;
  readonly txids: string[] = [];
  readonly set = new Set<string>();
  readonly #path: string;
  #offset = HEADER_SIZE;

  constructor(path: string, centralBankKey: string) {
    this.#path = path;
    this.registry = new Registry({ centralBankKey, acceptKey: isAcceptablePublicKey });
  }

  catchUp(): this {
    const { txs, end } = readRecords(this.#path, this.#offset);
    for (const tx of txs) {
      const rejection = this.registry.apply(tx);
      if (rejection)
        throw new Error(
          `journal record ${this.txids.length} (${tx.txidHex}) fails: ${rejection.code}`,
        );
      this.txids.push(tx.txidHex);
      this.set.add(tx.txidHex);
    }
    this.#offset = end;
    return this;
  }
}
