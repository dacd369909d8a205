/**
 * recoverRegistry, the engine's restart: the registry it rebuilds from a journal is the one the
 * journal was written from, key by key and coin by coin; journaled keys get only the byte-level
 * checks (see the comment in engine/service/service.ts), new keys after recovery the full one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCityJournal } from '../../bench/replay-journal.js';
import { isAcceptablePublicKey } from '../../engine/crypto/index.js';
import {
  DEV_CENTRAL_BANK_SEED,
  decodeSigned,
  deriveKeyPair,
  signTx,
  type Tx,
} from '../../engine/domain/index.js';
import { Journal, replay } from '../../engine/journal/index.js';
import { Registry } from '../../engine/registry/index.js';
import { RecoveryError, recoverRegistry } from '../../engine/service/index.js';
import {
  encodeMixed,
  leBytes,
  NON_CANONICAL,
  P,
  Point,
  TORSION,
  TORSION_BYTES,
} from '../crypto/ed25519-cases.js';
import { scratchDir } from './helpers.js';

const dir = await scratchDir();
const cb = deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank');
const bank = deriveKeyPair('recover-registry', 'bank');
let files = 0;

/** Everything observable about a registry, as one comparable value. */
function snapshot(registry: Registry): unknown {
  const accounts = [...registry.accounts.all()]
    .map((a) => ({
      ...a,
      balance: registry.balanceOf(a.key),
      coins: registry
        .coinsOf(a.key)
        .map((c) => `${c.id}:${c.value}:${c.createdBy}`)
        .sort(),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return {
    reconcile: registry.reconcile(),
    lifecycle: registry.lifecycle,
    settled: registry.settledCount,
    accounts,
  };
}

/** Replay as recovery did before: the full key check on every journaled registration. */
async function fullCheckReplay(path: string, centralBankKey: string): Promise<Registry> {
  const registry = new Registry({ centralBankKey, acceptKey: isAcceptablePublicKey });
  await replay(
    path,
    (payload) => {
      const tx = decodeSigned(payload)!;
      assert.equal(registry.apply(tx), null);
    },
    { repair: false },
  );
  return registry;
}

test('recovery rebuilds the registry the journal was written from, as the full check did', async () => {
  const path = join(dir, 'city.ecj');
  const city = await writeCityJournal(path, { wallets: 240, transfers: 600, banks: 3 });
  const { registry, journal, records } = await recoverRegistry({
    centralBankKey: city.centralBankKey,
    journalPath: path,
  });
  await journal.close();
  assert.equal(records, city.records);
  assert.equal(registry.reconcile().ok, true);
  const expected = snapshot(city.registry);
  assert.deepEqual(snapshot(registry), expected);
  assert.deepEqual(snapshot(await fullCheckReplay(path, city.centralBankKey)), expected);
});

/** A journal: the bank enrolled, then one wallet opened with `key` (raw bytes). */
async function journalOpening(key: Uint8Array): Promise<{ path: string; open: Tx }> {
  const path = join(dir, `open-${files++}.ecj`);
  const enroll = signTx(
    {
      type: 'enroll',
      signer: cb.publicKey,
      day: 1,
      nonce: 1,
      inputs: [],
      outputs: [],
      subject: { key: bank.publicKey, role: 'bank' },
    },
    cb,
  );
  const open = openWallet(key, 2);
  const journal = await Journal.open(path);
  await Promise.all(
    [enroll, open].map((tx) => journal.append(Buffer.concat([tx.body, tx.signature]))),
  );
  await journal.close();
  return { path, open };
}

function openWallet(key: Uint8Array, nonce: number): Tx {
  return signTx(
    {
      type: 'open',
      signer: bank.publicKey,
      day: 1,
      nonce,
      inputs: [],
      outputs: [],
      subject: { key: Buffer.from(key).toString('hex'), role: 'wallet', tier: 2, kind: 'personal' },
    },
    bank,
  );
}

const recover = (journalPath: string) =>
  recoverRegistry({ centralBankKey: cb.publicKey, journalPath });

test('a journaled key refused by the byte rules still stops recovery, as before', async () => {
  const bad: Uint8Array[] = [
    ...TORSION_BYTES,
    ...NON_CANONICAL.map((c) => c.bytes),
    leBytes(P),
    new Uint8Array(32).fill(0xff),
  ];
  for (const key of bad) {
    assert.equal(isAcceptablePublicKey(key), false);
    const { path, open } = await journalOpening(key);
    await assert.rejects(recover(path), (error: unknown) => {
      assert.ok(error instanceof RecoveryError);
      assert.match(error.message, new RegExp(`record 1 \\(${open.txidHex}\\).*WEAK_KEY`));
      return true;
    });
    // Nothing was half-applied or cut: the file replays the same way again.
    await assert.rejects(recover(path), RecoveryError);
  }
});

test('a journaled key only curve arithmetic would refuse is trusted on recovery', async () => {
  // Such a record cannot come from the engine (it checked the key before journaling it); only
  // from a forged file, which could as well carry forged signatures, which replay never checked.
  let notAPoint: Uint8Array | undefined;
  for (let y = 2n; notAPoint === undefined; y++) {
    try {
      Point.fromBytes(leBytes(y), false);
    } catch {
      notAPoint = leBytes(y);
    }
  }
  for (const key of [encodeMixed(777n, TORSION[3]!), notAPoint]) {
    assert.equal(isAcceptablePublicKey(key), false);
    const { path } = await journalOpening(key);
    const { registry, journal } = await recover(path);
    await journal.close();
    assert.equal(registry.accounts.get(Buffer.from(key).toString('hex'))?.role, 'wallet');
  }
});

test('after recovery, a new registration gets the full key check', async () => {
  const honest = deriveKeyPair('recover-registry', 'wallet');
  const { path } = await journalOpening(Buffer.from(honest.publicKey, 'hex'));
  const { registry, journal } = await recover(path);
  await journal.close();
  assert.equal(registry.accounts.get(honest.publicKey)?.role, 'wallet');
  const mixed = registry.apply(openWallet(encodeMixed(4242n, TORSION[5]!), 10));
  assert.equal(mixed?.code, 'WEAK_KEY');
  const small = registry.apply(openWallet(TORSION_BYTES[2]!, 11));
  assert.equal(small?.code, 'WEAK_KEY');
  const fresh = deriveKeyPair('recover-registry', 'wallet-2');
  assert.equal(registry.apply(openWallet(Buffer.from(fresh.publicKey, 'hex'), 12)), null);
});
