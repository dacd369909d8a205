#!/usr/bin/env node
/**
 * Settles one transfer against a running engine, as a new integrator would: it reads the
 * engine's value day and trusted central-bank key from /healthz, enrolls a bank, opens a payer
 * and a payee wallet, funds the payer (issue -> allocate -> exchange) and pays the payee.
 *
 *   node examples/settle-transfer.mjs --url http://127.0.0.1:8080 \
 *     --central-bank-key-file .cache/engine/journal.ecj.central-bank-key.pem
 *
 * The central-bank key is the operator's (docs/cli.md): the PEM file the engine generated beside
 * its journal, or `--central-bank-seed HEX` (the 32-byte Ed25519 seed). Environment instead of
 * flags: ECNY_URL, ECNY_CENTRAL_BANK_KEY_FILE, ECNY_CENTRAL_BANK_SEED.
 * Prints one JSON line per step; exit 0 once the payee holds the payment, 2 for unusable
 * arguments, 1 for anything else (the engine refused a step, or could not be reached).
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { call, keyFromPem, keyFromSeed, newKey, signTx, walletIdOf } from './ecny-client.mjs';

/** Fen (1 yuan = 100 fen). */
const FUNDS = 50_000;
const PAYER_FUNDS = 20_000;
const PAYMENT = 12_345;
const MAX_RETRIES = 10;

function centralBankKey(values) {
  const file = values['central-bank-key-file'] ?? process.env.ECNY_CENTRAL_BANK_KEY_FILE;
  const seed = values['central-bank-seed'] ?? process.env.ECNY_CENTRAL_BANK_SEED;
  if ((file === undefined) === (seed === undefined))
    throw new RangeError('give one of --central-bank-key-file PATH and --central-bank-seed HEX');
  try {
    return file !== undefined ? keyFromPem(readFileSync(file, 'utf8')) : keyFromSeed(seed);
  } catch (error) {
    throw new RangeError(`unusable central bank key: ${error.message}`);
  }
}

/** POST /v1/tx; waits out 503 answers as Retry-After says; throws unless it settles. */
async function settle(url, label, signed) {
  for (let attempt = 0; ; attempt++) {
    const answer = await call(url, 'POST', '/v1/tx', signed.wire);
    if (answer.status === 503 && attempt < MAX_RETRIES) {
      const seconds = Number(answer.headers['retry-after'] ?? 1);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    console.log(JSON.stringify({ step: label, status: answer.status, answer: answer.body }));
    if (answer.status !== 200 || answer.body?.txid !== signed.txid)
      throw new Error(`${label}: ${answer.status} ${answer.text}`);
    return signed;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'central-bank-key-file': { type: 'string' },
      'central-bank-seed': { type: 'string' },
    },
  });
  const url = values.url ?? process.env.ECNY_URL ?? 'http://127.0.0.1:8080';
  const cb = centralBankKey(values);

  const health = await call(url, 'GET', '/healthz');
  if (health.status !== 200) throw new Error(`the engine is not ready: ${health.text}`);
  const { day, centralBankKey: trusted } = health.body;
  if (trusted !== cb.publicKey)
    throw new RangeError(`the engine trusts central bank key ${trusted}, not ${cb.publicKey}`);

  const bank = newKey();
  const payer = newKey();
  const payee = newKey();
  // A fresh nonce per run keeps this run's transactions distinct from any earlier run's.
  const nonce = randomInt(2 ** 47);
  const tx = (type, inputs, outputs, subject) => ({
    type,
    day,
    nonce,
    inputs,
    outputs,
    ...(subject ? { subject } : {}),
  });

  await settle(
    url,
    'enroll',
    signTx(tx('enroll', [], [], { key: bank.publicKey, role: 'bank' }), cb),
  );
  const wallet = (key, tier) => ({ key: key.publicKey, role: 'wallet', tier, kind: 'personal' });
  await settle(url, 'open payer', signTx(tx('open', [], [], wallet(payer, 2)), bank));
  await settle(url, 'open payee', signTx(tx('open', [], [], wallet(payee, 3)), bank));
  const issued = await settle(
    url,
    'issue',
    signTx(tx('issue', [], [{ owner: cb.publicKey, value: FUNDS }]), cb),
  );
  const allocated = await settle(
    url,
    'allocate',
    signTx(tx('allocate', [issued.coins[0]], [{ owner: bank.publicKey, value: FUNDS }]), cb),
  );
  const exchanged = await settle(
    url,
    'exchange',
    signTx(
      tx(
        'exchange',
        [allocated.coins[0]],
        [
          { owner: payer.publicKey, value: PAYER_FUNDS },
          { owner: bank.publicKey, value: FUNDS - PAYER_FUNDS },
        ],
      ),
      bank,
    ),
  );
  const paid = await settle(
    url,
    'transfer',
    signTx(
      tx(
        'transfer',
        [exchanged.coins[0]],
        [
          { owner: payee.publicKey, value: PAYMENT },
          { owner: payer.publicKey, value: PAYER_FUNDS - PAYMENT },
        ],
      ),
      payer,
    ),
  );

  const view = await call(url, 'GET', `/v1/wallets/${walletIdOf(payee.publicKey)}`);
  const holds = view.body?.coins?.some((c) => c.id === paid.coins[0] && c.value === PAYMENT);
  if (view.status !== 200 || view.body.balance !== PAYMENT || !holds)
    throw new Error(`the payee's wallet does not show the payment: ${view.text}`);
  console.log(
    JSON.stringify({
      settled: 'transfer',
      txid: paid.txid,
      payee: view.body.id,
      balance: view.body.balance,
      coin: paid.coins[0],
    }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`settle-transfer: ${error.message}`);
    process.exit(error instanceof RangeError ? 2 : 1);
  },
);
