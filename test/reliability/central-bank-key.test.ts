/**
 * The central bank key an engine trusts: never one anyone could derive from the source unless
 * a flag naming the risk says so. With no key flag, `serve` makes a fresh key at first start,
 * keeps it beside the journal (mode 0600), prints its public half and reuses it on restart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DEV_CENTRAL_BANK_SEED,
  deriveKeyPair,
  isoDay,
  type KeyPair,
  signTx,
  type Tx,
} from '../../engine/domain/index.js';
import { Journal } from '../../engine/journal/index.js';
import {
  ConfigError,
  readCentralBankKeyFile,
  resolveCentralBankKey,
  storedKeyPath,
} from '../../engine/service/index.js';
import { type EngineProcess, startEngineProcess } from '../../runner/index.js';
import { DAY, YUAN } from '../fixtures/ledger.js';
import { Client, obj, scratchDir } from '../http/helpers.js';
import { rejection } from '../journal/helpers.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const dev = deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank');

let nonce = 1;
function issue(cb: KeyPair, value: number): Tx {
  return signTx(
    {
      type: 'issue',
      signer: cb.publicKey,
      day: DAY,
      nonce: nonce++,
      inputs: [],
      outputs: [{ owner: cb.publicKey, value }],
    },
    cb,
  );
}

/** The key pair in a PKCS#8 PEM file, as the engine wrote it. */
async function pairFromPem(path: string): Promise<KeyPair> {
  const privateKey = createPrivateKey(await readFile(path, 'utf8'));
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { publicKey: Buffer.from(x, 'base64url').toString('hex'), privateKey };
}

/** `serve` with exactly these key flags (none added), its listening line parsed. */
async function serve(
  journalPath: string,
  args: readonly string[],
): Promise<{ engine: EngineProcess; listening: Record<string, unknown> }> {
  const engine = await startEngineProcess({
    journalPath,
    args: ['--threads', '1', '--today', isoDay(DAY), ...args],
    stderr: 'ignore',
    startTimeoutMs: 60_000,
  });
  const client = new Client(engine.url, 1);
  const health = obj(await client.get('/healthz'));
  await client.close();
  return { engine, listening: health };
}

/** Runs `serve` expecting it to exit before listening; its exit code and stderr. */
function serveExits(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve ${args.join(' ')} did not exit: ${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('which central bank key serve trusts', () => {
  test('with no key flag: a fresh key beside the journal; the well-known key issues nothing', async () => {
    const dir = await scratchDir('ecny-cbkey-');
    const journalPath = join(dir, 'journal.ecj');
    const first = await serve(journalPath, []);
    let generated: KeyPair;
    try {
      const keyPath = storedKeyPath(journalPath);
      assert.equal((await stat(keyPath)).mode & 0o777, 0o600, 'the private key is owner-only');
      generated = await pairFromPem(keyPath);
      assert.equal(first.listening.centralBankKey, generated.publicKey);
      assert.notEqual(generated.publicKey, dev.publicKey);
      const client = new Client(first.engine.url, 2);
      // Anyone can derive the development key from the source: it must not mint money here.
      const forged = await client.tx(issue(dev, 1_000_000_000 * YUAN));
      assert.equal(forged.status, 422, forged.text);
      assert.equal(obj(forged).code, 'UNKNOWN_SIGNER');
      const real = issue(generated, 100 * YUAN);
      const settled = await client.tx(real);
      assert.equal(obj(settled).status, 'settled', settled.text);
      await client.close();
    } finally {
      assert.equal(await first.engine.stop(), 0);
    }
    // A restart reuses the stored key, and the ledger it made valid.
    const second = await serve(journalPath, []);
    try {
      assert.equal(second.listening.centralBankKey, generated.publicKey);
      const client = new Client(second.engine.url, 1);
      const books = obj(await client.get('/v1/reconcile'));
      assert.equal(books.issued, 100 * YUAN);
      await client.close();
    } finally {
      await second.engine.stop();
    }
  });

  test('--insecure-dev-central-bank-key trusts the development key, and only then', async () => {
    const dir = await scratchDir('ecny-cbkey-');
    const { engine, listening } = await serve(join(dir, 'j.ecj'), [
      '--insecure-dev-central-bank-key',
    ]);
    try {
      assert.equal(listening.centralBankKey, dev.publicKey);
      const client = new Client(engine.url, 1);
      const reply = await client.tx(issue(dev, YUAN));
      assert.equal(obj(reply).status, 'settled', reply.text);
      await client.close();
    } finally {
      await engine.stop();
    }
  });

  test('--central-bank-key-file takes a PEM private or public key, or 64 hex digits', async () => {
    const dir = await scratchDir('ecny-cbkey-');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const hex = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString(
      'hex',
    );
    const files = {
      private: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      public: publicKey.export({ format: 'pem', type: 'spki' }) as string,
      hex: `${hex}\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, `${name}.key`);
      await writeFile(path, text);
      assert.equal(await readCentralBankKeyFile(path), hex, name);
    }
    const served = await serve(join(dir, 'j.ecj'), [
      '--central-bank-key-file',
      join(dir, 'public.key'),
    ]);
    try {
      assert.equal(served.listening.centralBankKey, hex);
      const client = new Client(served.engine.url, 1);
      const reply = await client.tx(issue({ publicKey: hex, privateKey }, YUAN));
      assert.equal(obj(reply).status, 'settled', reply.text);
      await client.close();
    } finally {
      await served.engine.stop();
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await writeFile(join(dir, 'rsa.key'), rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await writeFile(join(dir, 'junk.key'), 'not a key');
    for (const bad of ['rsa.key', 'junk.key', 'missing.key']) {
      const error = await rejection(readCentralBankKeyFile(join(dir, bad)));
      assert.ok(error instanceof ConfigError, `${bad}: ${String(error)}`);
    }
  });

  test('a journal with records and no key beside it is refused, not given a new key', async () => {
    const dir = await scratchDir('ecny-cbkey-');
    const journalPath = join(dir, 'old.ecj');
    const journal = await Journal.open(journalPath);
    await journal.append(Uint8Array.of(1, 2, 3));
    await journal.close();
    const error = await rejection(resolveCentralBankKey({ kind: 'stored' }, journalPath));
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /has records but no central bank key/);
    const exited = await serveExits(['--journal', journalPath]);
    assert.equal(exited.code, 2, exited.stderr);
    assert.match(exited.stderr, /--central-bank-key/);
  });

  test('two key flags at once are a usage error (exit 2)', async () => {
    const exited = await serveExits([
      '--central-bank-key',
      dev.publicKey,
      '--insecure-dev-central-bank-key',
    ]);
    assert.equal(exited.code, 2, exited.stderr);
    assert.match(exited.stderr, /at most one of/);
  });
});
