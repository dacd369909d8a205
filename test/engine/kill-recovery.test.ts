/**
 * Journal recovery under load: `ecny-bench serve` settling concurrent load is SIGKILLed at a
 * random moment and restarted on the same journal, KILLS times (default 20; ECNY_KILL_ROUNDS).
 * After every kill, offline (journal replay) and after every restart (HTTP):
 * - every acknowledged transaction is there (its input spent by it, its first output present);
 * - an unacknowledged one is either wholly there or not at all; refused ones are not there;
 * - replay applies every record (no coin spent twice), the books reconcile;
 * - an acknowledged transaction sent again is DUPLICATE_TX, a conflicting spend ALREADY_SPENT.
 * Issues "Settlement engine core" and "Reliability and security"; figures go to
 * results/reliability/ (docs/reliability.md).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { coinIdOf, isoDay, type Tx, toWire } from '../../engine/domain/index.js';
import { Client, obj, scratchDir, startEngine } from '../http/helpers.js';
import { recordFigures } from '../reliability/figures.js';
import {
  conflictOf,
  JournalFollower,
  keyedTransferWorkload,
  prng,
  replayLedger,
} from './helpers.js';

const KILLS = Number(process.env['ECNY_KILL_ROUNDS'] ?? 20);
/** Transfers available per round; a round rarely gets through this many before its kill. */
const PER_ROUND = 300;
const LANES = 24;
const SEED = Number(process.env['ECNY_KILL_SEED'] ?? Date.now() % 1_000_000);

type Fate = 'acked' | 'refused' | 'unknown';

/** GET /v1/coins of each transfer's first output (and its input), 16 at a time. */
async function checkPresent(client: Client, txs: readonly Tx[], input = true): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < txs.length) {
      const tx = txs[next++]!;
      const coin = await client.get(`/v1/coins/${coinIdOf(tx.txid, 0)}`);
      assert.equal(coin.status, 200, `acknowledged ${tx.txidHex} lost: ${coin.text}`);
      if (!input) continue;
      const spent = await client.get(`/v1/coins/${tx.inputs[0]}`);
      assert.equal(obj(spent).spentBy, tx.txidHex);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

function sample<T>(items: readonly T[], n: number, random: () => number): T[] {
  if (items.length <= n) return [...items];
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

test(`acknowledged transactions survive ${KILLS} SIGKILLs under load`, async () => {
  console.log(`# kill schedule seed ${SEED} (ECNY_KILL_SEED to replay)`);
  const random = prng(SEED);
  const started = performance.now();
  const dir = await scratchDir('ecny-kill-');
  const journalPath = join(dir, 'journal.ecj');
  const workload = keyedTransferWorkload(KILLS * PER_ROUND, 'kill-recovery');
  const cb = workload.centralBankKey;
  /** Every transfer sent so far, and what its sender knows of it. */
  const fate = new Map<string, { tx: Tx; fate: Fate }>();
  const queue = [...workload.transfers];
  const follower = new JournalFollower(journalPath, cb);
  let unknownCarried: Tx[] = [];
  let lastRoundAcked: Tx[] = [];
  const totals = {
    acked: 0,
    refused: 0,
    unknown: 0,
    unknownRecovered: 0,
    conflicts: 0,
    duplicates: 0,
  };

  for (let round = 0; round <= KILLS; round++) {
    const proc = await startEngine({
      journalPath,
      args: ['--threads', '1', '--max-batch', '64', '--today', isoDay(workload.day)],
      startTimeoutMs: 60_000,
    });
    const client = new Client(proc.url, LANES + 4);
    try {
      // --- After a restart: what the previous round was told is all there. ---
      const books = await client.get('/v1/reconcile');
      assert.equal(books.status, 200, books.text);
      assert.equal(obj(books).ok, true);
      if (round === 0) {
        // In order, 64 per batch: a batch applies its transactions in order too.
        for (let i = 0; i < workload.genesis.length; i += 64) {
          const batch = workload.genesis.slice(i, i + 64);
          const reply = await client.post('/v1/tx/batch', { txs: batch.map(toWire) });
          assert.deepEqual(
            reply.body,
            { results: batch.map((tx) => ({ status: 'settled', txid: tx.txidHex })) },
            reply.text,
          );
        }
      }
      // Every acknowledged transfer is checked offline by replay below; over HTTP, a sample of
      // the previous round's after each restart and all of them after the last one.
      await checkPresent(client, sample(lastRoundAcked, 30, random));
      for (const tx of lastRoundAcked.slice(0, 3)) {
        const again = await client.tx(tx);
        assert.equal(again.status, 422, again.text);
        assert.equal(obj(again).code, 'DUPLICATE_TX');
        totals.duplicates++;
        const conflict = await client.tx(conflictOf(tx, workload.keys));
        assert.equal(conflict.status, 422, conflict.text);
        assert.equal(obj(conflict).code, 'ALREADY_SPENT');
        assert.equal(obj(conflict).index, 0);
        totals.conflicts++;
      }
      if (round === KILLS) {
        // Final restart: every acknowledged transfer of the whole run, over HTTP.
        await checkPresent(
          client,
          [...fate.values()].filter((f) => f.fate === 'acked').map((f) => f.tx),
          false,
        );
        break;
      }

      // --- Load, then SIGKILL at a random moment. ---
      const roundTxs: Tx[] = [...unknownCarried, ...queue.splice(0, PER_ROUND)];
      unknownCarried = [];
      const acked: Tx[] = [];
      let next = 0;
      let dead = false;
      const killAfter = Math.floor(random() * 600);
      const kill = new Promise<void>((resolve) => {
        setTimeout(() => {
          dead = true;
          proc.child.kill('SIGKILL');
          resolve();
        }, killAfter);
      });
      const exited = once(proc.child, 'exit');
      const lane = async (laneNo: number) => {
        while (!dead && next < roundTxs.length) {
          // Every 8th request of lane 0 is a batch; the rest are single posts.
          const batch =
            laneNo === 0 && next % 8 === 0 ? roundTxs.slice(next, next + 8) : [roundTxs[next]!];
          next += batch.length;
          for (const tx of batch) fate.set(tx.txidHex, { tx, fate: 'unknown' });
          let answers: Array<Record<string, unknown>>;
          try {
            if (batch.length === 1) {
              const reply = await client.tx(batch[0]!);
              answers = [obj(reply)];
            } else {
              const reply = await client.post('/v1/tx/batch', { txs: batch.map(toWire) });
              assert.equal(reply.status, 200, reply.text);
              answers = obj(reply).results as Array<Record<string, unknown>>;
            }
          } catch (error) {
            if (dead) return; // killed mid-request: these stay unknown
            throw error;
          }
          batch.forEach((tx, i) => {
            const a = answers[i]!;
            const ok = a.status === 'settled';
            // A transfer carried over from a killed round may already have settled then.
            const duplicate = a.code === 'DUPLICATE_TX';
            assert.ok(ok || duplicate, `unexpected answer for ${tx.txidHex}: ${JSON.stringify(a)}`);
            if (ok) assert.equal(a.txid, tx.txidHex);
            fate.set(tx.txidHex, { tx, fate: 'acked' });
            acked.push(tx);
          });
          // Now and then a double spend of something just acknowledged: always refused.
          if (laneNo === 1 && acked.length > 0 && random() < 0.2) {
            const victim = acked[Math.floor(random() * acked.length)]!;
            const conflict = conflictOf(victim, workload.keys);
            fate.set(conflict.txidHex, { tx: conflict, fate: 'unknown' });
            try {
              const reply = await client.tx(conflict);
              assert.equal(reply.status, 422, reply.text);
              assert.equal(obj(reply).code, 'ALREADY_SPENT');
              fate.set(conflict.txidHex, { tx: conflict, fate: 'refused' });
              totals.conflicts++;
            } catch (error) {
              if (dead) return;
              throw error;
            }
          }
        }
      };
      await Promise.all([...Array.from({ length: LANES }, (_, i) => lane(i)), kill]);
      await exited;
      await client.destroy();

      // --- Offline: replay the journal as the engine will. ---
      const replayed = follower.catchUp();
      assert.equal(replayed.registry.reconcile().ok, true);
      for (const [txid, { tx, fate: f }] of fate) {
        const inJournal = replayed.set.has(txid);
        const output = replayed.registry.coin(coinIdOf(tx.txid, 0));
        const input = replayed.registry.coin(tx.inputs[0]!);
        if (f === 'acked') {
          assert.ok(inJournal, `acknowledged ${txid} is not in the journal`);
        } else if (f === 'refused') {
          assert.ok(!inJournal, `refused ${txid} is in the journal`);
        }
        if (inJournal) {
          // Wholly applied: input spent by it, output created.
          assert.ok(output, `${txid} journaled but its output is missing`);
          assert.deepEqual(input, { state: 'spent', spentBy: txid });
        } else {
          assert.equal(output, undefined, `${txid} not journaled but its output exists`);
          assert.notDeepEqual(input, { state: 'spent', spentBy: txid });
        }
      }
      const unknown = [...fate.values()].filter((f) => f.fate === 'unknown');
      totals.unknown += unknown.length;
      totals.unknownRecovered += unknown.filter((f) => replayed.set.has(f.tx.txidHex)).length;
      // Unknown transfers (not conflicts) are sent again next round: settled or DUPLICATE_TX.
      unknownCarried = unknown
        .filter((f) => f.tx.outputs[0]!.owner !== f.tx.signer)
        .map((f) => f.tx);
      for (const f of unknown) fate.delete(f.tx.txidHex);
      lastRoundAcked = acked;
      totals.acked += acked.length;
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.stop();
      await client.destroy();
    }
  }
  const finalJournal = replayLedger(journalPath, cb);
  const ackedCount = [...fate.values()].filter((f) => f.fate === 'acked').length;
  totals.refused = [...fate.values()].filter((f) => f.fate === 'refused').length;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `# ${KILLS} kills in ${seconds.toFixed(1)} s: ${ackedCount} transfers acknowledged, all recovered; ` +
      `${totals.unknown} in flight at a kill (${totals.unknownRecovered} had made it to the journal); ` +
      `${totals.conflicts} double spends refused`,
  );
  await recordFigures('kill-recovery', {
    kills: KILLS,
    seed: SEED,
    seconds: Number(seconds.toFixed(1)),
    journalRecords: finalJournal.txids.length,
    transfersAcknowledged: ackedCount,
    transfersRecovered: ackedCount,
    inFlightAtKill: totals.unknown,
    inFlightAtKillJournaled: totals.unknownRecovered,
    doubleSpendsRefused: totals.conflicts,
    duplicateResubmissionsRefused: totals.duplicates,
  });
});
