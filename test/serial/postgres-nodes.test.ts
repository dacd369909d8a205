/**
 * Engine nodes sharing one PostgreSQL database (`serve --store postgres`), as separate
 * processes on a private cluster:
 * - two nodes racing to spend one coin, hundreds of rounds: exactly one settles, always;
 * - one node SIGKILLed mid-batch under load: nothing half-applied, the other node goes on;
 * - the postmaster SIGKILLed under load and restarted: nodes answer 503 UNAVAILABLE while it is
 *   down and recover by themselves; every acknowledged transaction is present.
 * Each ends with the books reconciled. Serial: the nodes and the database load both cores.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tx, toWire } from '../../engine/domain/index.js';
import { conflictOf, keyedTransferWorkload, prng } from '../engine/helpers.js';
import { Client, obj } from '../http/helpers.js';
import { freshDatabase, postgresSkipReason, testCluster } from '../registry/postgres/helpers.js';
import {
  checkFates,
  drive,
  type Sent,
  settleGenesis,
  startNodes,
  waitReady,
} from '../registry/postgres/nodes.js';

const skip = postgresSkipReason();
const ROUNDS = 300;

async function reconciled(client: Client): Promise<void> {
  const books = await client.get('/v1/reconcile');
  assert.equal(books.status, 200, books.text);
  assert.equal(obj(books).ok, true, books.text);
}

describe('engine nodes on one PostgreSQL database', { skip }, () => {
  test(`${ROUNDS} double-spend races across two nodes: exactly one winner each`, async () => {
    const w = keyedTransferWorkload(ROUNDS, 'pg-race');
    const nodes = await startNodes(await freshDatabase(), w, 2);
    const [a, b] = nodes.map((n) => new Client(n.url, 32));
    try {
      await settleGenesis(a!, w.genesis);
      const random = prng(ROUNDS);
      // Waves of 50 races at once, each pair sent to both nodes in the same instant, in a random
      // order: the batches of the two nodes meet in the database.
      let winsA = 0;
      for (let wave = 0; wave < ROUNDS; wave += 50) {
        const pairs = w.transfers
          .slice(wave, wave + 50)
          .map((tx) => [tx, conflictOf(tx, w.keys)] as const);
        const replies = await Promise.all(
          pairs.map(async ([x, y]) => {
            const [toA, toB] = random() < 0.5 ? [x, y] : [y, x];
            const [ra, rb] = await Promise.all([a!.tx(toA), b!.tx(toB)]);
            return [ra, rb] as const;
          }),
        );
        for (const [ra, rb] of replies) {
          const bodies = [obj(ra), obj(rb)];
          const settled = bodies.filter((r) => r.status === 'settled').length;
          assert.equal(settled, 1, `one winner: ${ra.text} / ${rb.text}`);
          const loser = bodies.find((r) => r.status !== 'settled')!;
          assert.equal(loser.code, 'ALREADY_SPENT', JSON.stringify(loser));
          if (bodies[0]!.status === 'settled') winsA++;
        }
      }
      console.log(`# ${ROUNDS} races: node A won ${winsA}, node B ${ROUNDS - winsA}`);
      await reconciled(b!);
    } finally {
      await Promise.all([a!.destroy(), b!.destroy()]);
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });

  test('a node SIGKILLed mid-batch under load: nothing half-applied, the other goes on', async () => {
    const w = keyedTransferWorkload(4_000, 'pg-node-kill');
    const nodes = await startNodes(await freshDatabase(), w, 2);
    const clients = nodes.map((n) => new Client(n.url, 16));
    try {
      await settleGenesis(clients[0]!, w.genesis);
      const sent: Sent[] = [];
      let killedAt = Number.POSITIVE_INFINITY;
      const deadline = performance.now() + 30_000;
      const load = drive(
        clients,
        w.transfers,
        8,
        () => performance.now() > Math.min(deadline, killedAt + 3_000),
        sent,
      );
      // Kill node 0 once both have settled some, while its batches are in flight.
      while (sent.filter((s) => s.fate === 'acked' && s.node === 0).length < 200)
        await new Promise((r) => setTimeout(r, 10));
      nodes[0]!.child.kill('SIGKILL');
      killedAt = performance.now();
      await load;
      const afterKill = sent.filter(
        (s) => s.node === 1 && s.fate === 'acked' && s.at! > killedAt + 200,
      );
      assert.ok(afterKill.length > 100, `node 1 settled ${afterKill.length} after the kill`);
      const unknown = sent.filter((s) => s.fate === 'unknown').length;
      const settledAnyway = await checkFates(clients[1]!, sent);
      console.log(
        `# ${sent.filter((s) => s.fate === 'acked').length} acked, ${unknown} unanswered at the kill (${settledAnyway} of them settled whole), ${afterKill.length} settled on node 1 after it`,
      );
      await reconciled(clients[1]!);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });

  test('the postmaster SIGKILLed under load: 503 while down, recovery by itself, no ack lost', async () => {
    const w = keyedTransferWorkload(6_000, 'pg-postmaster-kill');
    const cluster = await testCluster();
    const nodes = await startNodes(await freshDatabase(), w, 2);
    const clients = nodes.map((n) => new Client(n.url, 16));
    try {
      await settleGenesis(clients[0]!, w.genesis);
      const sent: Sent[] = [];
      let restartedAt = Number.POSITIVE_INFINITY;
      // The load goes on for 3 s after both nodes are ready again, not after the restart: on a
      // loaded machine the nodes can take longer than that to reconnect, and the load must still
      // be running when they do.
      let readyAt = Number.POSITIVE_INFINITY;
      const deadline = performance.now() + 60_000;
      const load = drive(
        clients,
        w.transfers,
        6,
        () => performance.now() > deadline || performance.now() > readyAt + 3_000,
        sent,
      );
      while (sent.filter((s) => s.fate === 'acked').length < 300)
        await new Promise((r) => setTimeout(r, 10));
      await cluster.crash();
      const downAt = performance.now();
      // While it is down: settlement and health answer 503 UNAVAILABLE.
      await new Promise((r) => setTimeout(r, 1_500));
      const health = await clients[1]!.get('/healthz');
      assert.equal(health.status, 503, health.text);
      assert.equal(obj(health).code, 'UNAVAILABLE');
      const downReplies = sent.filter(
        (s) => s.at !== undefined && s.at > downAt + 500 && s.fate === 'refused',
      );
      assert.ok(downReplies.length > 0, 'no refusal while the database was down');
      for (const s of downReplies) assert.equal(s.code, 'UNAVAILABLE');
      assert.equal(
        sent.filter((s) => s.at !== undefined && s.at > downAt + 500 && s.fate === 'acked').length,
        0,
        'acknowledged while the database was down',
      );
      await cluster.start();
      restartedAt = performance.now();
      for (const c of clients) assert.ok(await waitReady(c, 20_000), 'a node did not recover');
      readyAt = performance.now();
      await load;
      const after = sent.filter((s) => s.fate === 'acked' && s.at! > restartedAt).length;
      assert.ok(after > 0, 'nothing settled after the restart');
      const settledAnyway = await checkFates(clients[0]!, sent);
      const count = (f: string) => sent.filter((s) => s.fate === f).length;
      console.log(
        `# ${count('acked')} acked (${after} after the restart), ${count('refused')} refused, ${count('unknown')} unanswered; ${settledAnyway} unacknowledged settled whole`,
      );
      // An acknowledged transaction sent again is a duplicate, not a second settlement.
      const acked = sent.find((s) => s.fate === 'acked')!;
      const again = await clients[1]!.post('/v1/tx', toWire(acked.tx as Tx));
      assert.equal(obj(again).code, 'DUPLICATE_TX');
      await reconciled(clients[0]!);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
});
