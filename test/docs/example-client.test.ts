/**
 * examples/settle-transfer.mjs is what a new integrator runs first: it must settle a transfer
 * against a real engine using only what an operator hands out (the engine's URL and the
 * central-bank key file the engine generated at first start), and refuse a key the engine does
 * not trust.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type EngineProcess, startEngineProcess } from '../../runner/index.js';
import { scratchDir } from '../http/helpers.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/settle-transfer.mjs', import.meta.url));

interface Ran {
  readonly code: number | null;
  readonly lines: readonly string[];
  readonly stderr: string;
}

function runExample(args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: stdout.trim().split('\n'), stderr });
    });
  });
}

let engine: EngineProcess;
// Made here, not in `before`: a folder made in a hook would be removed when that hook ends.
const journalPath = join(await scratchDir('ecny-example-client-'), 'ledger.ecj');
const keyFile = `${journalPath}.central-bank-key.pem`;

before(async () => {
  // No key flag: the engine makes its own central-bank key beside the journal, as in production.
  engine = await startEngineProcess({
    args: ['--threads', '1', '--today', '2026-01-15'],
    journalPath,
    stderr: 'ignore',
  });
});

after(async () => {
  await engine?.stop();
});

async function getJson(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${engine.url}${path}`);
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
}

test('the example client settles a transfer with the key file the engine generated', async () => {
  const ran = await runExample(['--url', engine.url, '--central-bank-key-file', keyFile]);
  assert.equal(ran.code, 0, ran.stderr);
  const steps = ran.lines
    .slice(0, -1)
    .map((l) => JSON.parse(l) as { step: string; status: number });
  assert.deepEqual(
    steps.map((s) => `${s.step} ${s.status}`),
    ['enroll', 'open payer', 'open payee', 'issue', 'allocate', 'exchange', 'transfer'].map(
      (s) => `${s} 200`,
    ),
  );
  const result = JSON.parse(ran.lines.at(-1)!) as {
    payee: string;
    balance: number;
    coin: string;
    txid: string;
  };
  const wallet = await getJson(`/v1/wallets/${result.payee}`);
  assert.equal(wallet.balance, result.balance);
  const coin = await getJson(`/v1/coins/${result.coin}`);
  assert.equal(coin.state, 'unspent');
  assert.equal(coin.createdBy, result.txid);
  assert.equal(coin.owner, wallet.key);
  assert.equal((await getJson('/v1/reconcile')).ok, true);
});

test('it runs again from the environment, and refuses a key the engine does not trust', async () => {
  const again = await runExample([], {
    ECNY_URL: engine.url,
    ECNY_CENTRAL_BANK_KEY_FILE: keyFile,
  });
  assert.equal(again.code, 0, again.stderr);
  const stats = await getJson('/v1/stats');
  assert.equal((stats.lifecycle as { byType: { transfer: number } }).byType.transfer, 2);

  const stranger = await runExample(['--url', engine.url, '--central-bank-seed', '01'.repeat(32)]);
  assert.equal(stranger.code, 2);
  assert.match(stranger.stderr, /trusts central bank key [0-9a-f]{64}, not [0-9a-f]{64}/);
});
