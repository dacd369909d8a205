import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENTS, GenesisMismatchError, runLoad } from '../../load/index.js';
import { answer, startStub, tableServer } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

for (const client of CLIENTS) {
  const base = { statsIntervalMs: 0, connections: 8, client } as const;

  describe(`outcome checking (${client} client)`, () => {
    it('catches an engine that answers wrongly (mismatch) and keeps samples', async () => {
      // settles everything, including the ops that must be rejected
      const stub = await startStub((_tx, res) => answer(res, 'SETTLED'));
      try {
        const workload = syntheticWorkload({
          ops: 200,
          rate: 1000,
          expected: (i) => (i % 20 === 0 ? 'ALREADY_SPENT' : 'SETTLED'),
        });
        const run = await runLoad(workload, { ...base, target: stub.url });
        const m = run.measured;
        assert.equal(m.outcome.passed, false);
        assert.equal(m.totals.mismatched, 10);
        assert.equal(m.totals.matched, 190);
        assert.deepEqual(m.outcome.reasons, ['10 mismatched']);
        assert.deepEqual(m.outcome.samples[0], {
          op: 0,
          expected: 'ALREADY_SPENT',
          got: 'SETTLED',
        });
        assert.ok(m.outcome.samples.every((s) => s.op % 20 === 0));
      } finally {
        await stub.close();
      }
    });

    it('counts ops whose connection is dropped, after retries, as lost', async () => {
      const stub = await startStub((tx, res, req) => {
        if (typeof tx.id === 'number' && tx.id % 50 === 7) req.socket.destroy();
        else answer(res, tx.want);
      });
      try {
        const run = await runLoad(syntheticWorkload({ ops: 200, rate: 1000 }), {
          ...base,
          target: stub.url,
          connectRetries: 2,
          graceMs: 2000,
        });
        const m = run.measured;
        assert.equal(m.outcome.passed, false);
        assert.equal(m.totals.lost, 4);
        assert.equal(m.totals.retried, 8);
        assert.equal(m.totals.matched, 196);
        assert.equal(m.totals.mismatched, 0);
        // three attempts each, all seen by the server
        assert.equal(stub.received.filter((b) => b.id === 7).length, 3);
      } finally {
        await stub.close();
      }
    });

    it('accepts DUPLICATE_TX for a resend whose first attempt settled but lost its answer', async () => {
      // Like the engine: a transaction id seen before is a duplicate. Every 50th op is settled,
      // then its connection breaks before the answer; with pipelining the requests behind it on
      // that connection are written again too (by the generator, or by undici itself).
      const seen = new Set<number | string>();
      const stub = await startStub((tx, res, req) => {
        if (seen.has(tx.id)) {
          answer(res, 'DUPLICATE_TX');
          return;
        }
        seen.add(tx.id);
        if (typeof tx.id === 'number' && tx.id % 50 === 7) req.socket.destroy();
        else answer(res, tx.want);
      });
      try {
        const run = await runLoad(syntheticWorkload({ ops: 200, rate: 1000 }), {
          ...base,
          target: stub.url,
          connections: 4,
          pipelining: 4,
          graceMs: 2000,
        });
        const m = run.measured;
        assert.equal(m.outcome.passed, true, JSON.stringify(m.outcome));
        assert.equal(m.totals.matched, 200);
        assert.equal(m.totals.lost, 0);
        assert.ok((m.totals.retried ?? 0) >= 4, `retried ${m.totals.retried}`);
        for (const id of [7, 57, 107, 157]) {
          assert.ok(stub.received.filter((b) => b.id === id).length >= 2, `op ${id} resent`);
        }
      } finally {
        await stub.close();
      }
    });

    it('counts ops never answered before the end + grace as lost', async () => {
      const silent = new Set([5, 17]);
      const stub = await startStub((tx, res) => {
        if (!silent.has(tx.id as number)) answer(res, tx.want);
      });
      try {
        const run = await runLoad(syntheticWorkload({ ops: 100, rate: 1000 }), {
          ...base,
          target: stub.url,
          graceMs: 300,
        });
        const m = run.measured;
        assert.equal(m.outcome.passed, false);
        assert.equal(m.totals.lost, 2);
        assert.equal(m.totals.sent, 100);
        assert.equal(m.totals.matched, 98);
        assert.deepEqual(m.outcome.reasons, ['2 lost']);
      } finally {
        await stub.close();
      }
    });

    it('counts an op without an answer within requestTimeoutMs as lost, never resent', async () => {
      const stub = await startStub((tx, res) => {
        if (tx.id !== 5) answer(res, tx.want);
      });
      try {
        const run = await runLoad(syntheticWorkload({ ops: 50, rate: 1000 }), {
          ...base,
          target: stub.url,
          requestTimeoutMs: 200,
        });
        const m = run.measured;
        assert.equal(m.outcome.passed, false);
        assert.equal(m.totals.lost, 1);
        assert.equal(m.totals.retried, 0);
        assert.equal(m.totals.matched, 49);
        assert.equal(stub.received.filter((b) => b.id === 5).length, 1);
      } finally {
        await stub.close();
      }
    });

    it('retries 503 OVERLOADED after Retry-After and counts the retry', async () => {
      const seen = new Set<number | string>();
      const stub = await startStub((tx, res) => {
        if (typeof tx.id === 'number' && tx.id % 10 === 0 && !seen.has(tx.id)) {
          seen.add(tx.id);
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0.05' });
          res.end('{"status":"error","code":"OVERLOADED","message":"queue full"}');
        } else {
          answer(res, tx.want);
        }
      });
      try {
        const run = await runLoad(syntheticWorkload({ ops: 100, rate: 1000 }), {
          ...base,
          target: stub.url,
        });
        const m = run.measured;
        assert.equal(m.outcome.passed, true, JSON.stringify(m.outcome));
        assert.equal(m.totals.retried, 10);
        assert.equal(m.totals.sent, 100);
        assert.equal(m.totals.settled, 100);
        assert.equal(m.totals.errors, 0);
      } finally {
        await stub.close();
      }
    });

    it('aborts before measurement when genesis gets an unexpected answer', async () => {
      const stub = await tableServer(new Map([['g1', 'ALREADY_REGISTERED']]));
      try {
        await assert.rejects(
          runLoad(syntheticWorkload({ ops: 10, rate: 100, genesis: 4 }), {
            ...base,
            target: stub.url,
          }),
          (error: unknown) => {
            assert.ok(error instanceof GenesisMismatchError);
            assert.equal(error.code, 'DRIVER_GENESIS_MISMATCH');
            assert.equal(error.op, 1);
            assert.equal(error.got, 'ALREADY_REGISTERED');
            return true;
          },
        );
        // nothing of the measured phase was sent
        assert.ok(stub.received.every((b) => typeof b.id === 'string'));
      } finally {
        await stub.close();
      }
    });
  });
}
