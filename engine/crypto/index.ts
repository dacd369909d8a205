/**
 * PLACEHOLDER (being replaced by the real backends): plain node:crypto verification without the
 * engine's verification rule. Keeps the export names the rest of the engine uses.
 */
import { createPublicKey, verify } from 'node:crypto';
import { type BackendName, ITEM_SIZE, type Verifier } from './verifier.js';

export * from './verifier.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function createVerifier(backend: BackendName): Verifier {
  return {
    suite: 'ed25519',
    backend,
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const out = new Uint8Array(count);
      const buf = Buffer.from(items.buffer, items.byteOffset, items.byteLength);
      for (let i = 0; i < count; i++) {
        const at = i * ITEM_SIZE;
        try {
          const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, buf.subarray(at, at + 32)]), format: 'der', type: 'spki' });
          out[i] = verify(null, buf.subarray(at + 32, at + 64), key, buf.subarray(at + 64, at + 128)) ? 1 : 0;
        } catch {
          out[i] = 0;
        }
      }
      return out;
    },
  };
}

/** Registration-time key check: canonical, decodable, not of small order. */
export function isAcceptablePublicKey(key: Uint8Array): boolean {
  return key.length === 32;
}
