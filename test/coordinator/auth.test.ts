/** The shared-secret signatures: any change to a signed part, or another secret, fails them. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadRunKey,
  type RequestParts,
  RunKey,
  signAnswer,
  signRequest,
  verifyAnswer,
  verifyRequest,
} from '../../coordinator/auth.js';

const SECRET = 'k'.repeat(40);
const PARTS: RequestParts = {
  method: 'PUT',
  path: '/v1/shards/1/files/result.json',
  run: '0123456789abcdef0123456789abcdef',
  session: 'fedcba9876543210fedcba9876543210',
  request: 'aa'.repeat(16),
  contentSha256: 'cd'.repeat(32),
};

describe('request and answer signatures', () => {
  it('verify with the same secret and parts', () => {
    const key = new RunKey(SECRET);
    assert.equal(verifyRequest(key, PARTS, signRequest(key, PARTS)), true);
    const mac = signAnswer(key, 200, PARTS.request, '{"ok":true}');
    assert.equal(verifyAnswer(key, 200, PARTS.request, '{"ok":true}', mac), true);
  });

  it('fail for another secret, any changed part, or a malformed header', () => {
    const key = new RunKey(SECRET);
    const auth = signRequest(key, PARTS);
    assert.equal(verifyRequest(new RunKey('x'.repeat(40)), PARTS, auth), false);
    for (const field of Object.keys(PARTS) as Array<keyof RequestParts>) {
      const changed = { ...PARTS, [field]: `${PARTS[field]}0` };
      assert.equal(verifyRequest(key, changed, auth), false, field);
    }
    assert.equal(verifyRequest(key, PARTS, undefined), false);
    assert.equal(verifyRequest(key, PARTS, auth.replace('ECNY-HMAC-SHA256', 'Bearer')), false);
    assert.equal(verifyRequest(key, PARTS, `${auth}00`), false);
    const mac = signAnswer(key, 200, PARTS.request, 'body');
    assert.equal(verifyAnswer(key, 410, PARTS.request, 'body', mac), false, 'status');
    assert.equal(verifyAnswer(key, 200, 'bb'.repeat(16), 'body', mac), false, 'another request');
    assert.equal(verifyAnswer(key, 200, PARTS.request, 'Body', mac), false, 'body');
    assert.equal(verifyAnswer(key, 200, PARTS.request, 'body', undefined), false);
  });

  it('refuses a short secret and reads one from a file or the environment, never from nothing', async () => {
    assert.throws(() => new RunKey('short'), { code: 'COORDINATOR_BAD_OPTIONS' });
    const dir = await mkdtemp(join(tmpdir(), 'ecny-token-'));
    try {
      const file = join(dir, 'token');
      await writeFile(file, `${SECRET}\n`);
      const fromFile = await loadRunKey(file, {});
      const fromEnv = await loadRunKey(undefined, { ECNY_COORDINATOR_TOKEN: SECRET });
      assert.equal(fromFile.mac('x'), fromEnv.mac('x'));
      await assert.rejects(loadRunKey(undefined, {}), {
        code: 'COORDINATOR_BAD_OPTIONS',
        message: /--token-file FILE or \$ECNY_COORDINATOR_TOKEN/,
      });
      await assert.rejects(loadRunKey(join(dir, 'missing'), {}), {
        code: 'COORDINATOR_BAD_OPTIONS',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
