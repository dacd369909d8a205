/**
 * The engine under the SM2 suite: SM2 keys and signatures, SM3 transaction ids, the journal
 * replayed under the same suite (and refused under another), books that reconcile.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sm3 } from '../../engine/crypto/index.js';
import { decodeWire, makeTx, SM2_SUITE, toWire } from '../../engine/domain/index.js';
import { walletView } from '../../engine/http/views.js';
import {
  defaultEngineConfig,
  memoryStoreOf,
  openEngineService,
} from '../../engine/service/index.js';
import { buildTransferWorkload } from '../../gate/transfer-workload.js';

test('an SM2 engine settles SM2 transfers, rejects bad ones, and recovers its journal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecny-sm2-'));
  const workload = buildTransferWorkload(48, 'sm2-engine', 'sm2');
  const config = {
    ...defaultEngineConfig(),
    suite: 'sm2' as const,
    threads: 1,
    journalPath: join(dir, 'journal.ecj'),
    centralBankKey: workload.centralBankKey,
    today: workload.day,
  };
  try {
    const first = workload.transfers[0]!;
    assert.equal(first.signerKey.length, 33);
    // The signed message is SM3(domain || body).
    const domain = Buffer.from('ecny-bench/tx/v1\0', 'latin1');
    assert.deepEqual(Buffer.from(first.txid), sm3(Buffer.concat([domain, first.body])));

    let service = await openEngineService(config);
    for (const tx of [...workload.genesis, ...workload.transfers.slice(0, 40)]) {
      const outcome = await service.engine.submit(tx);
      assert.equal(outcome.status, 'settled', JSON.stringify(outcome));
    }
    // A flipped signature bit: BAD_SIGNATURE from both the rule and the engine.
    const victim = workload.transfers[40]!;
    const badSig = Buffer.from(victim.signature);
    badSig[63]! ^= 1;
    const bad = await service.engine.submit(makeTx(victim, badSig, SM2_SUITE));
    assert.equal(bad.status, 'rejected');
    assert.equal(bad.status === 'rejected' ? bad.rejection.code : '', 'BAD_SIGNATURE');
    // An Ed25519-shaped key is not a key of this engine's suite.
    const wire = toWire(victim);
    const ed = decodeWire({ ...wire, signer: 'ab'.repeat(32) }, SM2_SUITE);
    assert.ok('code' in ed && ed.code === 'MALFORMED');
    assert.equal(memoryStoreOf(service).registry.reconcile().ok, true);
    // The wallet view takes a compressed SM2 key as well as the wallet id.
    const view = await walletView(service.store, first.signer, false);
    assert.equal(view.status, 200, JSON.stringify(view.body));
    assert.equal(view.body['key'], first.signer);
    await service.close();

    service = await openEngineService(config);
    assert.equal(service.recovery.records, workload.genesis.length + 40);
    assert.equal(memoryStoreOf(service).registry.reconcile().ok, true);
    const rest = await service.engine.submit(victim);
    assert.equal(rest.status, 'settled');
    await service.close();

    await assert.rejects(
      openEngineService({
        ...config,
        suite: 'ed25519',
        centralBankKey: buildTransferWorkload(2, 'ed25519-engine').centralBankKey,
      }),
      /does not decode as a ed25519 record/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SM2 keys on the wire: uncompressed forms are checked and compressed, off-curve ones refused', () => {
  const workload = buildTransferWorkload(2, 'sm2-wire', 'sm2');
  const tx = workload.transfers[0]!;
  const wire = toWire(tx);
  const again = decodeWire(wire, SM2_SUITE);
  assert.ok(!('code' in again));
  assert.equal(again.txidHex, tx.txidHex);
  for (const bad of [
    '04' + 'ab'.repeat(64),
    '05' + 'ab'.repeat(32),
    'ab'.repeat(32),
    '02' + 'AB'.repeat(32),
  ]) {
    const r = decodeWire({ ...wire, outputs: [{ owner: bad, value: 100 }] }, SM2_SUITE);
    assert.ok('code' in r && r.code === 'MALFORMED', bad);
  }
});
