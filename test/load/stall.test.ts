import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CLIENTS, runLoad } from '../../load/index.js';
import { answer, type Stub, startStub } from './helpers/stub-server.js';
import { syntheticWorkload } from './helpers/workload.js';

const STALL_MS = 500;

for (const client of CLIENTS) {
  describe(`latency from the intended send time (${client} client)`, () => {
    let stub: Stub;
    before(async () => {
      // Answers at once, except: from the 300th request on, the server stops answering for
      // STALL_MS; everything that arrives meanwhile is answered when the stall ends.
      let count = 0;
      let held: Array<() => void> | undefined;
      stub = await startStub((tx, res: ServerResponse) => {
        count++;
        const reply = () => answer(res, tx.want);
        if (count === 300) {
          held = [reply];
          // a margin over STALL_MS: Node timers may fire up to 1 ms early
          setTimeout(() => {
            const list = held ?? [];
            held = undefined;
            for (const f of list) f();
          }, STALL_MS + 20);
        } else if (held !== undefined) {
          held.push(reply);
        } else {
          reply();
        }
      });
    });
    after(() => stub.close());

    it('counts a stall in every op that was due during it (corrected), not only in service time', async () => {
      const run = await runLoad(syntheticWorkload({ ops: 1000, rate: 1000 }), {
        target: stub.url,
        client,
        connections: 4,
        statsIntervalMs: 0,
        // The stall leaves ~500 ops waiting on 4 connections; on a starved machine catching up
        // can take over the default 1 s lateness bound, which would drop (and fail) ops this
        // test is about. What it checks is latency accounting, so nothing is dropped.
        maxLagMs: Number.POSITIVE_INFINITY,
      });
      const { corrected, uncorrected } = run.measured.latency;
      assert.equal(run.measured.outcome.passed, true, JSON.stringify(run.measured.outcome));
      assert.equal(corrected.count, 1000);
      assert.equal(uncorrected.count, 1000);
      assert.ok(
        corrected.max >= STALL_MS,
        `corrected max ${corrected.max} ms < stall ${STALL_MS} ms`,
      );
      // Only the few requests on the wire when the stall began saw it as service time; every op
      // due during the stall waited in the generator, which only the corrected figure shows.
      assert.ok(
        uncorrected.p90 < corrected.p90,
        `uncorrected p90 ${uncorrected.p90} should be below corrected p90 ${corrected.p90}`,
      );
      assert.ok(uncorrected.mean < corrected.mean);
    });
  });
}
