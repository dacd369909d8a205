/**
 * The worked examples of docs/api.md, as data: which engine, which keys, which requests in which
 * order, and what each one demonstrates. main.ts sends them to a real engine and records its
 * answers; render.ts writes the markdown.
 */

import type { SuiteName } from '../../engine/crypto/index.js';
import {
  coinIdOf,
  isoDay,
  makeTx,
  type OpType,
  type Output,
  parseIsoDay,
  type Subject,
  signTx,
  type Tx,
  toWire,
  txSuite,
} from '../../engine/domain/index.js';
import { type ExampleKey, exampleKey } from './keys.js';

/** The engine's value day in every example (`serve --today`). */
export const EXAMPLE_TODAY = '2026-01-15';
export const EXAMPLE_DAY = parseIsoDay(EXAMPLE_TODAY)!;
export const REGULATOR_TOKEN = 'example-regulator-token';
/** Where the documented `serve` commands listen. */
export const EXAMPLE_URL = 'http://127.0.0.1:8080';

/** One HTTP request exactly as the example sends it. */
export interface ExampleRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes (UTF-8), when there is one. */
  readonly body?: string;
}

interface Common {
  readonly title: string;
  /** Prose before the example: what it does and why it is answered so. */
  readonly text: string;
  readonly request: ExampleRequest;
  /** The HTTP status the example must get (the generator refuses to write anything else). */
  readonly expectStatus: number;
}

export interface TxExample extends Common {
  readonly kind: 'tx';
  readonly signer: ExampleKey;
  readonly tx: Tx;
}

export interface BatchExample extends Common {
  readonly kind: 'batch';
}

export interface GetExample extends Common {
  readonly kind: 'get';
}

export type Example = TxExample | BatchExample | GetExample;

export interface ExampleEngine {
  readonly heading: string;
  readonly suite: SuiteName;
  /** `serve` flags besides --journal (the documented command adds a journal path). */
  readonly serveArgs: readonly string[];
  readonly journal: string;
  readonly keys: readonly ExampleKey[];
  readonly examples: readonly Example[];
  /** Names of coins for the body layouts: coin id -> "output 0 of example 4 (issue)". */
  readonly coinNames: ReadonlyMap<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function postTx(tx: Tx): ExampleRequest {
  return { method: 'POST', path: '/v1/tx', headers: JSON_HEADERS, body: pretty(toWire(tx)) };
}

function pretty(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  // The curl commands quote bodies in single quotes.
  if (text.includes("'")) throw new Error('an example body may not contain a single quote');
  return text;
}

function get(path: string, headers: Record<string, string> = {}): ExampleRequest {
  return { method: 'GET', path, headers };
}

/** Builds and signs the examples of one engine, numbering coins as they are created. */
class Script {
  readonly examples: Example[] = [];
  readonly coinNames = new Map<string, string>();
  readonly #suite: SuiteName;
  readonly #first: number;

  constructor(suite: SuiteName, firstNumber: number) {
    this.#suite = suite;
    this.#first = firstNumber;
  }

  get next(): number {
    return this.#first + this.examples.length;
  }

  sign(
    type: OpType,
    signer: ExampleKey,
    inputs: readonly string[],
    outputs: readonly Output[],
    extra: { subject?: Subject; day?: number; nonce?: number } = {},
  ): Tx {
    return signTx(
      {
        type,
        signer: signer.publicKey,
        day: extra.day ?? EXAMPLE_DAY,
        nonce: extra.nonce ?? 1,
        inputs,
        outputs,
        ...(extra.subject ? { subject: extra.subject } : {}),
      },
      signer.pair,
    );
  }

  /** A transaction example that settles; its outputs get names for later layouts. */
  settle(title: string, text: string, signer: ExampleKey, tx: Tx): Tx {
    const n = this.next;
    tx.outputs.forEach((_, i) => {
      this.coinNames.set(coinIdOf(tx.txid, i), `output ${i} of example ${n} (${tx.type})`);
    });
    this.examples.push({
      kind: 'tx',
      title,
      text,
      signer,
      tx,
      request: postTx(tx),
      expectStatus: 200,
    });
    return tx;
  }

  coin(tx: Tx, index: number): string {
    return coinIdOf(tx.txid, index);
  }

  add(example: Example): void {
    this.examples.push(example);
  }

  /** A transaction with one bit of its signature flipped: well formed, not validly signed. */
  tampered(tx: Tx): Tx {
    const sig = Buffer.from(tx.signature);
    sig[0] ^= 0x01;
    return makeTx(tx, sig, txSuite(this.#suite));
  }
}

const out = (key: ExampleKey, value: number): Output => ({ owner: key.publicKey, value });

export function ed25519Examples(): ExampleEngine {
  const cb = exampleKey('ed25519', 'central-bank', 'central-bank');
  const bank = exampleKey('ed25519', 'bank', 'bank');
  const alice = exampleKey('ed25519', 'alice', 'wallet');
  const bob = exampleKey('ed25519', 'bob', 'wallet');
  const s = new Script('ed25519', 1);

  s.settle(
    '`enroll`: the central bank registers an operator bank',
    'Signed by the central bank. No inputs, no outputs; the subject is the bank (role byte 1, tier and kind bytes 0) with an optional identity reference (`kyc`).',
    cb,
    s.sign('enroll', cb, [], [], {
      subject: { key: bank.publicKey, role: 'bank', kyc: 'CN-BANK-0001' },
    }),
  );
  s.settle(
    '`open`: the bank opens a tier-2 personal wallet',
    'Signed by the bank. The subject is the wallet: role byte 2, its tier (1-4), kind byte 1 (personal) or 2 (merchant), and its identity reference, which only the regulator sees (example 16).',
    bank,
    s.sign('open', bank, [], [], {
      subject: {
        key: alice.publicKey,
        role: 'wallet',
        tier: 2,
        kind: 'personal',
        kyc: 'ID-ALICE-0001',
      },
    }),
  );
  s.settle(
    '`open`: a tier-4 wallet without an identity reference',
    'Without `kyc` (or with an empty one: the body cannot tell them apart) the kyc length byte is 0 and nothing follows it.',
    bank,
    s.sign('open', bank, [], [], {
      subject: { key: bob.publicKey, role: 'wallet', tier: 4, kind: 'personal' },
    }),
  );
  const issue = s.settle(
    '`issue`: the central bank mints 1,000 yuan into the issuance vault',
    'No inputs; every output belongs to the central bank itself (the issuance vault). 100,000 fen is written as a u64, little-endian.',
    cb,
    s.sign('issue', cb, [], [out(cb, 100_000)]),
  );
  const allocate = s.settle(
    '`allocate`: 600 yuan from the issuance vault to the bank',
    "Spends the issued coin (its id is derived from example 4's txid and output index 0, so it is known before the issue settles); 400 yuan come back to the central bank as change. Inputs and outputs must balance exactly.",
    cb,
    s.sign('allocate', cb, [s.coin(issue, 0)], [out(bank, 60_000), out(cb, 40_000)]),
  );
  const exchange = s.settle(
    '`exchange`: the bank pays 300 yuan into a wallet',
    "The bank spends its vault coin; the payee's tier balance cap applies (tier 2: 10,000 yuan).",
    bank,
    s.sign('exchange', bank, [s.coin(allocate, 0)], [out(alice, 30_000), out(bank, 30_000)]),
  );
  const transfer = s.settle(
    '`transfer`: alice pays bob 125 yuan',
    "The payer signs. Tier limits: the payer's single, daily and annual limits on the 12,500 fen paid to others (change does not count), the payee's balance cap (tier 4: 1,000 yuan).",
    alice,
    s.sign('transfer', alice, [s.coin(exchange, 0)], [out(bob, 12_500), out(alice, 17_500)]),
  );
  const offline = s.settle(
    '`offline-transfer`: bob pays alice 25 yuan offline, synced later',
    "Type byte 9. Same rules as `transfer`, except the day: the device's day, at most 7 days before the engine's, never before the newest input coin was created and never after the engine's day. Bob's coin was created today (example 7), so today is the only day this payment may carry.",
    bob,
    s.sign('offline-transfer', bob, [s.coin(transfer, 0)], [out(alice, 2_500), out(bob, 10_000)]),
  );
  s.settle(
    '`redeem`: alice takes 175 yuan back to her bank',
    'A wallet pays a bank vault; no tier limit applies.',
    alice,
    s.sign('redeem', alice, [s.coin(transfer, 1)], [out(bank, 17_500)]),
  );
  const returned = s.settle(
    '`return`: the bank returns 300 yuan to the issuance vault',
    'A bank pays the central bank, ahead of destruction.',
    bank,
    s.sign('return', bank, [s.coin(exchange, 1)], [out(cb, 30_000)]),
  );
  s.settle(
    '`destroy`: the central bank burns 500 yuan',
    'Spends two issuance-vault coins (400 + 300 yuan) and keeps 200 yuan as change: outputs must be change only and sum to less than the inputs; the difference is destroyed.',
    cb,
    s.sign('destroy', cb, [s.coin(allocate, 1), s.coin(returned, 0)], [out(cb, 20_000)]),
  );

  const doubleSpend = s.sign('transfer', alice, [s.coin(exchange, 0)], [out(bob, 30_000)], {
    nonce: 2,
  });
  const yesterday = s.sign(
    'transfer',
    bob,
    [s.coin(offline, 1)],
    [out(alice, 1_000), out(bob, 9_000)],
    { day: EXAMPLE_DAY - 1 },
  );
  const forged = s.tampered(
    s.sign('transfer', bob, [s.coin(offline, 1)], [out(alice, 1_000), out(bob, 9_000)]),
  );
  const zeroValue = {
    ...toWire(s.sign('transfer', bob, [s.coin(offline, 1)], [out(alice, 1)])),
    outputs: [{ owner: alice.publicKey, value: 0 }],
  };
  s.add({
    kind: 'batch',
    title: '`POST /v1/tx/batch`: four transactions the engine refuses',
    text: [
      'A batch is answered 200 with one answer body per transaction, in order; each item is decided as if sent alone. Here:',
      '',
      `1. alice spends the coin she already paid bob with in example 7: \`ALREADY_SPENT\`, \`index\` 0 (the input), with the txid.`,
      `2. bob dates an online transfer yesterday (${isoDay(EXAMPLE_DAY - 1)}): \`BAD_DAY\`.`,
      '3. a transfer whose signature has one bit flipped: `BAD_SIGNATURE`. Signatures are checked before anything is looked up, so a wrongly signed transaction learns nothing about coins or accounts.',
      '4. an output of 0 fen: `MALFORMED` (a structural refusal: no txid, `index` 0 names the output). Sent alone it would be answered 400.',
    ].join('\n'),
    request: {
      method: 'POST',
      path: '/v1/tx/batch',
      headers: JSON_HEADERS,
      body: pretty({ txs: [toWire(doubleSpend), toWire(yesterday), toWire(forged), zeroValue] }),
    },
    expectStatus: 200,
  });

  s.add({
    kind: 'get',
    title: '`GET /v1/coins/:id`: a spent coin',
    text: "The coin alice paid bob in example 7, spent by bob's offline transfer (example 8).",
    request: get(`/v1/coins/${s.coin(transfer, 0)}`),
    expectStatus: 200,
  });
  s.add({
    kind: 'get',
    title: '`GET /v1/coins/:id`: an unspent coin',
    text: "Bob's change from example 8. `day` is the value day of the transaction that created it: no offline payment spending it may be dated earlier.",
    request: get(`/v1/coins/${s.coin(offline, 1)}`),
    expectStatus: 200,
  });
  s.add({
    kind: 'get',
    title: '`GET /v1/wallets/:id`: a wallet by public key',
    text: 'Bob, addressed by his public key; the answer gives his wallet id too.',
    request: get(`/v1/wallets/${bob.publicKey}`),
    expectStatus: 200,
  });
  s.add({
    kind: 'get',
    title: '`GET /v1/wallets/:id`: the regulator sees the identity reference',
    text: `Alice, addressed by her wallet id, with the regulator's token (\`serve --regulator-token ${REGULATOR_TOKEN}\`): the answer adds \`kyc\`. Without the header, or with another token, the same request answers without it.`,
    request: get(`/v1/wallets/${alice.walletId}`, {
      authorization: `Bearer ${REGULATOR_TOKEN}`,
    }),
    expectStatus: 200,
  });
  s.add({
    kind: 'get',
    title: '`GET /v1/reconcile`: the books',
    text: 'Issued 100,000 fen, destroyed 50,000; the 50,000 unspent are in the issuance vault (20,000), the bank vault (17,500: the redeemed coin; its vault coins were spent) and the wallets (alice 2,500, bob 10,000).',
    request: get('/v1/reconcile'),
    expectStatus: 200,
  });
  s.add({
    kind: 'get',
    title: '`GET /healthz`',
    text: 'Ready, with the value day every transaction must carry and the central bank key the engine trusts. `recovered` describes the journal replay at start (`ms` differs on every start).',
    request: get('/healthz'),
    expectStatus: 200,
  });
  return {
    heading: 'Ed25519 (the default suite)',
    suite: 'ed25519',
    serveArgs: [
      '--central-bank-key',
      cb.publicKey,
      '--today',
      EXAMPLE_TODAY,
      '--regulator-token',
      REGULATOR_TOKEN,
    ],
    journal: '/tmp/ecny-api-examples.ecj',
    keys: [cb, bank, alice, bob],
    examples: s.examples,
    coinNames: s.coinNames,
  };
}

export function sm2Examples(firstNumber: number): ExampleEngine {
  const cb = exampleKey('sm2', 'central-bank', 'central-bank');
  const bank = exampleKey('sm2', 'bank', 'bank');
  const s = new Script('sm2', firstNumber);
  s.settle(
    '`enroll` under SM2',
    "The same body layout with 33-byte keys (compressed points), the id hashed with SM3, and an SM2 signature over it. SM2 signatures are randomised (a fresh nonce k per signing, GB/T 32918.2): sign this id yourself and your r ‖ s will differ from the one below, and the engine accepts it all the same. The signature shown was made with the deterministic nonce of this project's signer, so the example reproduces. Z_A is the signer's user digest under the default distinguishing ID and e = SM3(Z_A ‖ txid) the value the signature equations use.",
    cb,
    s.sign('enroll', cb, [], [], { subject: { key: bank.publicKey, role: 'bank' } }),
  );
  return {
    heading: 'SM2 with SM3 (`--suite sm2`)',
    suite: 'sm2',
    serveArgs: ['--suite', 'sm2', '--central-bank-key', cb.publicKey, '--today', EXAMPLE_TODAY],
    journal: '/tmp/ecny-api-examples-sm2.ecj',
    keys: [cb, bank],
    examples: s.examples,
    coinNames: s.coinNames,
  };
}
