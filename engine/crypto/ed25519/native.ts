/**
 * node:crypto (OpenSSL) Ed25519 backend. OpenSSL verifies cofactorless ([S]B = R + [k]A exactly)
 * and accepts small-order keys, so it is wrapped to give the engine's rule (rule.ts):
 *
 * - rules 1-3 first, as byte comparisons (S < L, y < p, the 8 small-order encodings), with the
 *   per-key part cached next to the parsed KeyObject;
 * - OpenSSL true ⇒ valid: the cofactorless equation implies the cofactored one, and rules 1-3
 *   already hold;
 * - OpenSSL false ⇒ ask the strict reference (noble). The two only differ on mixed-order R or A
 *   (a torsion component that [8] removes); honest invalid signatures pay for both checks.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { BoundedCache } from '../bounded-cache.js';
import { itemsView } from '../bytes.js';
import { ITEM_SIZE, type Verifier } from '../verifier.js';
import {
  isCanonicalPointAt,
  isCanonicalScalarAt,
  isSmallOrderEncodingAt,
  verifyStrictAt,
} from './rule.js';

/**
 * Cached per-key state: `null` when the key fails rules 2-3 (every signature is invalid);
 * `undefined` KeyObject when OpenSSL would not import an otherwise acceptable key, in which case
 * the reference decides every signature.
 */
type KeyEntry = { readonly key: KeyObject | undefined } | null;

/** Options for the native backend. */
export interface NativeOptions {
  /** Bound on cached KeyObjects (default 100 000). */
  readonly keyCacheSize?: number;
}

/** The native backend: OpenSSL per item, same verdicts as the reference. */
export function createNativeVerifier(options: NativeOptions = {}): Verifier {
  const keys = new BoundedCache<KeyEntry>(options.keyCacheSize ?? 100_000);

  function keyFor(buf: Buffer, at: number): KeyEntry {
    const id = buf.toString('latin1', at, at + 32);
    const cached = keys.get(id);
    if (cached !== undefined) return cached;
    const entry = parseKey(buf, at);
    keys.set(id, entry);
    return entry;
  }

  return {
    suite: 'ed25519',
    backend: 'native',
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const buf = itemsView(items, count);
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const at = i * ITEM_SIZE;
        if (!isCanonicalScalarAt(buf, at + 96) || !isCanonicalPointAt(buf, at + 64)) continue;
        const entry = keyFor(buf, at);
        if (entry === null) continue;
        let ok = false;
        if (entry.key !== undefined) {
          try {
            ok = verify(
              null,
              buf.subarray(at + 32, at + 64),
              entry.key,
              buf.subarray(at + 64, at + 128),
            );
          } catch {
            ok = false;
          }
        }
        out[i] = ok || verifyStrictAt(buf, at) ? 1 : 0;
      }
      return out;
    },
  };
}

/**
 * Rules 2-3 for a key (once per key), then the OpenSSL import. No separate curve decode here: a
 * key that is not on the curve either fails the import or fails every OpenSSL verify, and both
 * paths end at the strict reference, which refuses it. That saves a square root per new key.
 *
 * Imported as a JWK (RFC 8037 OKP), which hands OpenSSL the raw 32 bytes directly: ~5 µs per key
 * against ~70 µs through the generic DER/SPKI decoder, for the same KeyObject (`equals` holds).
 * Every worker imports each key it meets once, so on a cold cache this was a second
 * verification's worth of CPU per key.
 */
function parseKey(buf: Buffer, at: number): KeyEntry {
  if (!isCanonicalPointAt(buf, at) || isSmallOrderEncodingAt(buf, at)) return null;
  try {
    return {
      key: createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: buf.toString('base64url', at, at + 32) },
        format: 'jwk',
      }),
    };
  } catch {
    return { key: undefined };
  }
}
