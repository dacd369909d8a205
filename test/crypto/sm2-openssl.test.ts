/**
 * Interoperability with the OpenSSL command line, both ways, with the GM/T 0009 default ID and
 * with another ID: `openssl pkeyutl -sign/-verify -rawin -digest sm3 -pkeyopt distid:...`. Runs
 * wherever the `openssl` CLI is installed (.ci/run installs it in CI); skipped, saying so, where
 * it is not.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compressSm2Key, sm2KeyFromSecret, sm2Sign } from '../../engine/crypto/index.js';
import { createSm2NativeVerifier } from '../../engine/crypto/sm2/native.js';
import { createSm2NobleVerifier } from '../../engine/crypto/sm2/noble.js';
import { messageOf } from './sm2-cases.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const skip = hasOpenssl ? false : 'the openssl command line is not installed';
const dir = mkdtempSync(join(tmpdir(), 'ecny-sm2-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const IDS = ['1234567812345678', 'ALICE123@YAHOO.COM'];
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** DER SEQUENCE { INTEGER r, INTEGER s } from r || s. */
function toDer(sig: Uint8Array): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < 31 && b[i] === 0) i++;
    const v = b.subarray(i);
    const body = v[0]! & 0x80 ? Buffer.concat([Uint8Array.of(0), v]) : v;
    return Buffer.concat([Uint8Array.of(2, body.length), body]);
  };
  const body = Buffer.concat([
    int(Buffer.from(sig.subarray(0, 32))),
    int(Buffer.from(sig.subarray(32))),
  ]);
  return Buffer.concat([Uint8Array.of(0x30, body.length), body]);
}

/** r || s from OpenSSL's DER signature (short-form lengths: always so for 256-bit values). */
function fromDer(der: Buffer): Buffer {
  const out = Buffer.alloc(64);
  let at = 2;
  for (const half of [0, 32]) {
    const len = der[at + 1]!;
    const v = der.subarray(at + 2, at + 2 + len);
    const trimmed = v.length > 32 ? v.subarray(v.length - 32) : v;
    trimmed.copy(out, half + 32 - trimmed.length);
    at += 2 + len;
  }
  return out;
}

for (const id of IDS) {
  test(`OpenSSL signs with distid ${id}, both backends here verify`, { skip }, () => {
    const keyPem = join(dir, `openssl-${id.length}.pem`);
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:SM2',
      '-out',
      keyPem,
    ]);
    const spki = execFileSync('openssl', ['pkey', '-in', keyPem, '-pubout', '-outform', 'DER']);
    const uncompressed = spki.subarray(spki.length - 65);
    const compressed = compressSm2Key(uncompressed)!;
    const idBytes = Buffer.from(id, 'latin1');
    const verifiers = [
      createSm2NativeVerifier({ id: idBytes }),
      createSm2NobleVerifier({ id: idBytes }),
    ];
    for (let i = 0; i < 8; i++) {
      const message = messageOf(i);
      const msgFile = join(dir, 'msg.bin');
      const sigFile = join(dir, 'sig.der');
      writeFileSync(msgFile, message);
      const signed = openssl([
        'pkeyutl',
        '-sign',
        '-rawin',
        '-in',
        msgFile,
        '-inkey',
        keyPem,
        '-digest',
        'sm3',
        '-pkeyopt',
        `distid:${id}`,
        '-out',
        sigFile,
      ]);
      assert.equal(signed.status, 0, signed.out);
      const sig = fromDer(readFileSync(sigFile));
      for (const v of verifiers) {
        assert.equal(v.verifyMessage(compressed, message, sig), true, `${v.backend} #${i}`);
        assert.equal(v.verifyMessage(uncompressed, message, sig), true, `${v.backend} #${i}`);
        assert.equal(v.verifyMessage(compressed, messageOf(i + 100), sig), false);
      }
    }
  });

  test(`signatures made here verify in OpenSSL with distid ${id}, tampered ones do not`, {
    skip,
  }, () => {
    const key = sm2KeyFromSecret(Buffer.alloc(32, id.length), Buffer.from(id, 'latin1'));
    const pubFile = join(dir, `ours-${id.length}.der`);
    writeFileSync(pubFile, Buffer.concat([SPKI_PREFIX, key.uncompressed]));
    for (let i = 0; i < 6; i++) {
      const message = messageOf(200 + i);
      const sig = sm2Sign(key, message);
      if (i % 3 === 2) sig[40]! ^= 4;
      const msgFile = join(dir, 'msg2.bin');
      const sigFile = join(dir, 'sig2.der');
      writeFileSync(msgFile, message);
      writeFileSync(sigFile, toDer(sig));
      const r = openssl([
        'pkeyutl',
        '-verify',
        '-rawin',
        '-in',
        msgFile,
        '-pubin',
        '-keyform',
        'DER',
        '-inkey',
        pubFile,
        '-digest',
        'sm3',
        '-pkeyopt',
        `distid:${id}`,
        '-sigfile',
        sigFile,
      ]);
      assert.equal(r.status === 0, i % 3 !== 2, `#${i}: ${r.out}`);
    }
  });
}

test('OpenSSL rejects a default-ID signature under another ID (the ID is really checked)', {
  skip,
}, () => {
  const key = sm2KeyFromSecret(Buffer.alloc(32, 9));
  const pubFile = join(dir, 'id-check.der');
  const msgFile = join(dir, 'msg3.bin');
  const sigFile = join(dir, 'sig3.der');
  const message = messageOf(300);
  writeFileSync(pubFile, Buffer.concat([SPKI_PREFIX, key.uncompressed]));
  writeFileSync(msgFile, message);
  writeFileSync(sigFile, toDer(sm2Sign(key, message)));
  const verify = (id: string) =>
    openssl([
      'pkeyutl',
      '-verify',
      '-rawin',
      '-in',
      msgFile,
      '-pubin',
      '-keyform',
      'DER',
      '-inkey',
      pubFile,
      '-digest',
      'sm3',
      '-pkeyopt',
      `distid:${id}`,
      '-sigfile',
      sigFile,
    ]).status;
  assert.equal(verify('1234567812345678'), 0);
  assert.notEqual(verify('1234567812345679'), 0);
});
