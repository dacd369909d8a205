/** Signed test items for the verify-pool tests: deterministic, with known verdicts. */
import { deriveKeyPair, sha256, signMessage } from '../../engine/domain/index.js';

export interface Item {
  readonly key: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly valid: boolean;
}

const pairs = Array.from({ length: 8 }, (_, i) => deriveKeyPair('verify-pool-test', `k${i}`));
const keys = pairs.map((p) => new Uint8Array(Buffer.from(p.publicKey, 'hex')));

/**
 * `count` items; when `invalidEvery` > 0, every such item is invalid, rotating through the ways a
 * signature can be wrong: corrupted signature, different message, different key.
 */
export function makeItems(count: number, invalidEvery = 0, seed = 'items'): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % pairs.length;
    const message = sha256(Buffer.from(`${seed}/${i}`, 'utf8'));
    const signature = new Uint8Array(signMessage(pairs[k]!, message));
    if (invalidEvery > 0 && i % invalidEvery === invalidEvery - 1) {
      const kind = Math.floor(i / invalidEvery) % 3;
      if (kind === 0) {
        const bad = signature.slice();
        bad[5]! ^= 0x01;
        items.push({ key: keys[k]!, message, signature: bad, valid: false });
      } else if (kind === 1) {
        const other = sha256(Buffer.from(`${seed}/other/${i}`, 'utf8'));
        items.push({ key: keys[k]!, message: other, signature, valid: false });
      } else {
        items.push({ key: keys[(k + 1) % keys.length]!, message, signature, valid: false });
      }
    } else {
      items.push({ key: keys[k]!, message, signature, valid: true });
    }
  }
  return items;
}
