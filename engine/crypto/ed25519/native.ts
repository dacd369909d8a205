/**
 * node:crypto (OpenSSL) Ed25519 backend. OpenSSL verifies cofactorless ([S]B = R + [k]A exactly)
 * and accepts small-order keys, so it is wrapped to give the engine's rule (rule.ts):
 *
 * - rules 1-3 first, as byte comparisons (S < L, y < p, the 8 small-order encodings), with the
 *   per-key part cached next to the parsed KeyObject;
 * - OpenSSL true ⇒ valid: the cofactorless equation implies the cofactored one, and rules 1-3
 *   already hold;
 * - OpenSSL false ⇒ invalid as well when R and A are both in the prime-order subgroup (one X25519
 *   per R, once per key: torsion.ts): then S·B − R − k·A is a nonzero point of prime order, which
 *   [8] cannot clear, so the cofactored equation fails too;
 * - otherwise (R or A has a torsion component, or does not decode) the strict reference decides.
 *   The two equations differ only there, and honest signers never produce such an R.
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
import { torsionFreeAt } from './torsion.js';

/**
 * Cached per-key state: `null` when the key fails rules 2-3 (every signature is invalid);
 * `undefined` KeyObject when OpenSSL would not import an otherwise acceptable key, in which case
 * the reference decides every signature. `torsionFree` is filled in the first time OpenSSL
 * refuses a signature under the key (valid traffic never pays for it).
 */
type KeyEntry = { readonly key: KeyObject | undefined; torsionFree: boolean | undefined } | null;

/** How the native backend reached its verdicts, since it was created. */
export interface NativeCounters {
  /** OpenSSL accepted: valid. */
  openSslValid: number;
  /** OpenSSL refused, R and key torsion-free: invalid without the reference. */
  fastInvalid: number;
  /** Decided by the strict reference (R or key with a torsion part, or a key OpenSSL refused). */
  reference: number;
}

/** The native verifier, with counters of which path decided (tests and benchmarks read them). */
export interface NativeVerifier extends Verifier {
  readonly counters: NativeCounters;
}

/** Options for the native backend. */
export interface NativeOptions {
  /** Bound on cached KeyObjects (default 100 000). */
  readonly keyCacheSize?: number;
}

/** The native backend: OpenSSL per item, same verdicts as the reference. */
export function createNativeVerifier(options: NativeOptions = {}): NativeVerifier {
  const keys = new BoundedCache<KeyEntry>(options.keyCacheSize ?? 100_000);
  const counters: NativeCounters = { openSslValid: 0, fastInvalid: 0, reference: 0 };

  function keyFor(buf: Buffer, at: number): KeyEntry {
    const id = buf.toString('latin1', at, at + 32);
    const cached = keys.get(id);
    if (cached !== undefined) return cached;
    const entry = parseKey(buf, at);
    keys.set(id, entry);
    return entry;
  }

  /**
   * The rule's verdict for items OpenSSL refused: invalid outright when R and the key are both
   * torsion-free (checked together: one field inversion for the whole batch), else the reference.
   * Keys OpenSSL would not import have no verdict to build on and go to the reference directly.
   */
  function settleRefused(buf: Buffer, refused: readonly number[], out: Uint8Array): void {
    const entries = refused.map((i) => keyFor(buf, i * ITEM_SIZE)!);
    // Points to check: each R whose key OpenSSL imported, and each such key not checked before.
    const offsets: number[] = [];
    const rSlot = new Array<number>(refused.length).fill(-1);
    const newKeys = new Map<NonNullable<KeyEntry>, number>();
    refused.forEach((i, j) => {
      const entry = entries[j]!;
      if (entry.key === undefined) return;
      rSlot[j] = offsets.push(i * ITEM_SIZE + 64) - 1;
      if (entry.torsionFree === undefined && !newKeys.has(entry))
        newKeys.set(entry, offsets.push(i * ITEM_SIZE) - 1);
    });
    const torsionFree = offsets.length > 0 ? torsionFreeAt(buf, offsets) : [];
    for (const [entry, slot] of newKeys) entry.torsionFree = torsionFree[slot]!;
    refused.forEach((i, j) => {
      const entry = entries[j]!;
      if (entry.torsionFree === true && rSlot[j]! >= 0 && torsionFree[rSlot[j]!] === true) {
        counters.fastInvalid++;
        return; // out[i] stays 0
      }
      counters.reference++;
      out[i] = verifyStrictAt(buf, i * ITEM_SIZE) ? 1 : 0;
    });
  }

  return {
    suite: 'ed25519',
    backend: 'native',
    counters,
    verifyBatch(items: Uint8Array, count: number): Uint8Array {
      const buf = itemsView(items, count);
      const out = new Uint8Array(count);
      let refused: number[] | null = null;
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
        if (ok) {
          counters.openSslValid++;
          out[i] = 1;
        } else {
          refused ??= [];
          refused.push(i);
        }
      }
      if (refused !== null) settleRefused(buf, refused, out);
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
      torsionFree: undefined,
    };
  } catch {
    return { key: undefined, torsionFree: undefined };
  }
}
