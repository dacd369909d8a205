/**
 * Domain types of the settlement engine: "one coin, two vaults, three centres".
 * Keys, coin ids and transaction ids travel as lowercase hex strings in memory (they are map
 * keys) and as raw bytes in encodings and across threads.
 */

/**
 * The ten signed operations. Each has exactly one signer. The order is the wire's type byte
 * (encoding.ts): new operations go at the end.
 */
export const OP_TYPES = [
  'issue', // central bank mints into the issuance vault
  'allocate', // issuance vault -> a bank's vault (central bank signs)
  'exchange', // bank vault -> wallet (bank signs)
  'transfer', // wallet -> wallet or merchant (payer signs)
  'redeem', // wallet -> bank vault (wallet signs)
  'return', // bank vault -> issuance vault (bank signs), ahead of destruction
  'destroy', // central bank burns coins held in the issuance vault
  'enroll', // central bank registers an operator bank with the certification centre
  'open', // a bank registers a wallet (key, tier, kind, identity reference)
  'offline-transfer', // a transfer made offline (tap), synced later: dated by the payer's device
] as const;

export type OpType = (typeof OP_TYPES)[number];

export const WIRE_VERSION = 1;

export type Role = 'central-bank' | 'bank' | 'wallet';
export type WalletTier = 1 | 2 | 3 | 4;
export type WalletKind = 'personal' | 'merchant';

/** An output to be created: a new coin for `owner` (hex public key) worth `value` fen. */
export interface Output {
  readonly owner: string;
  readonly value: number;
}

/** The account an `enroll` or `open` operation registers. */
export interface Subject {
  readonly key: string;
  readonly role: 'bank' | 'wallet';
  /** Wallets only. */
  readonly tier?: WalletTier;
  /** Wallets only. */
  readonly kind?: WalletKind;
  /** Identity reference kept by the certification centre; shown to the regulator only. */
  readonly kyc?: string;
}

/** A transaction after structural decoding: every field checked for shape, nothing looked up. */
export interface Tx {
  readonly type: OpType;
  /** Signer's Ed25519 public key, hex. */
  readonly signer: string;
  /**
   * Value day, days since 1970-01-01 (UTC): the bucket for daily and annual limits. The engine's
   * current day for every operation but `offline-transfer`, whose day is the device's (see
   * docs/api.md, `day`).
   */
  readonly day: number;
  /** Makes otherwise identical operations distinct (e.g. two issues of the same amount). */
  readonly nonce: number;
  /** Coin ids (hex) spent. */
  readonly inputs: readonly string[];
  readonly outputs: readonly Output[];
  readonly subject?: Subject;
  /** The canonical body bytes the id is hashed over (see encoding.ts). */
  readonly body: Uint8Array;
  /** SHA-256 over the domain tag and body: the message that is signed. */
  readonly txid: Uint8Array;
  readonly txidHex: string;
  readonly signerKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** A coin as the registration centre records it. */
export interface Coin {
  /** 32-byte id, hex: SHA-256 of the creating transaction's id and the output index. */
  readonly id: string;
  /** Value in fen (1 yuan = 100 fen), a positive safe integer. */
  readonly value: number;
  /** Owner's public key, hex. */
  readonly owner: string;
  /** Id of the transaction that created it; an `issue` is signed by the central bank. */
  readonly createdBy: string;
  /** Value day of that transaction: no offline payment spending this coin may be dated earlier. */
  readonly day: number;
}

/** A registered institution or wallet (certification centre record). */
export interface Account {
  readonly key: string;
  readonly role: Role;
  /** Wallet id: derived from the key (see walletIdOf); institutions have one too. */
  readonly id: string;
  readonly tier?: WalletTier;
  readonly kind?: WalletKind;
  readonly kyc?: string;
}
