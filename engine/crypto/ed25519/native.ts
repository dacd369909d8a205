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
 * - otherwise (R or A has a torsion component, or does not decode: honest signers never produce
 *   such an R, but anyone can send one) the cofactored equation is decided exactly with two more
 *   X25519 calls and a fixed-base multiplication (cofactored.ts), and only what that route
 *   cannot decide goes to the strict reference.
 */
import { createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { BoundedCache } from '../bounded-cache.js';
import { itemsView, leToBigInt } from '../bytes.js';
import { ITEM_SIZE, type Verifier } from '../verifier.js';
import { cofactoredHolds, primePart } from './cofactored.js';
import {
  ED25519_L,
  isCanonicalPointAt,
  isCanonicalScalarAt,
  isSmallOrderEncodingAt,
  verifyStrictAt,
} from './rule.js';
import { probeAt, type TorsionProbe, x25519PublicKey } from './torsion.js';

/**
 * What the refused-signature path knows about a key, filled in the first time OpenSSL refuses a
 * signature under it (valid traffic never pays for it): its torsion probe, then, if a signature
 * needs the exact route, its decoded prime-order part (null: the key does not decode, so every
 * signature is invalid) and its X25519 public key.
 */
interface KeyTorsion {
  readonly probe: TorsionProbe;
  prime?: EdwardsPoint | null;
  montgomery?: KeyObject;
}

/**
 * Cached per-key state: `null` when the key fails rules 2-3 (every signature is invalid);
 * `undefined` KeyObject when OpenSSL would not import an otherwise acceptable key, in which case
 * the reference decides every signature.
 */
type KeyEntry = { readonly key: KeyObject | undefined; torsion: KeyTorsion | undefined } | null;

/** How the native backend reached its verdicts, since it was created. */
export interface NativeCounters {
  /** OpenSSL accepted: valid. */
  openSslValid: number;
  /** OpenSSL refused, R and key torsion-free: invalid without the reference. */
  fastInvalid: number;
  /** OpenSSL refused, R or key with a torsion part or not decoding: decided by cofactored.ts. */
  cofactored: number;
  /** Decided by the strict reference (what the routes above cannot decide). */
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
  const counters: NativeCounters = { openSslValid: 0, fastInvalid: 0, cofactored: 0, reference: 0 };

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
   * torsion-free (probed together: one field inversion for the whole batch), else decided by the
   * exact cofactored route, else by the reference. Keys OpenSSL would not import have no verdict
   * to build on and go to the reference directly.
   */
  function settleRefused(buf: Buffer, refused: readonly number[], out: Uint8Array): void {
    const entries = refused.map((i) => keyFor(buf, i * ITEM_SIZE)!);
    // Points to probe: each R whose key OpenSSL imported, and each such key not probed before.
    const offsets: number[] = [];
    const rSlot = new Array<number>(refused.length).fill(-1);
    const newKeys = new Map<NonNullable<KeyEntry>, number>();
    refused.forEach((i, j) => {
      const entry = entries[j]!;
      if (entry.key === undefined) return;
      rSlot[j] = offsets.push(i * ITEM_SIZE + 64) - 1;
      if (entry.torsion === undefined && !newKeys.has(entry))
        newKeys.set(entry, offsets.push(i * ITEM_SIZE) - 1);
    });
    const probes = offsets.length > 0 ? probeAt(buf, offsets) : [];
    for (const [entry, slot] of newKeys) entry.torsion = { probe: probes[slot]! };
    refused.forEach((i, j) => {
      const at = i * ITEM_SIZE;
      const torsion = entries[j]!.torsion;
      const r = rSlot[j]! >= 0 ? probes[rSlot[j]!]! : undefined;
      if (torsion === undefined || r === undefined) {
        counters.reference++;
        out[i] = verifyStrictAt(buf, at) ? 1 : 0;
        return;
      }
      if (torsion.probe.torsionFree && r.torsionFree) {
        counters.fastInvalid++;
        return; // out[i] stays 0
      }
      const verdict = exactVerdict(buf, at, torsion, r);
      if (verdict === null) {
        counters.reference++;
        out[i] = verifyStrictAt(buf, at) ? 1 : 0;
      } else {
        counters.cofactored++;
        out[i] = verdict ? 1 : 0;
      }
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
      torsion: undefined,
    };
  } catch {
    return { key: undefined, torsion: undefined };
  }
}

/** R ‖ A ‖ M for the challenge hash (single-threaded use). */
const CHALLENGE = Buffer.alloc(96);

/**
 * The cofactored equation for one refused item whose R or key is not torsion-free: rule 2 (R
 * and A decode) by strict decoding, then cofactored.ts. Null when that route cannot tell.
 */
function exactVerdict(buf: Buffer, at: number, key: KeyTorsion, r: TorsionProbe): boolean | null {
  if (key.prime === undefined) {
    const prime = decodePrime(buf.subarray(at, at + 32), key.probe);
    if (prime === undefined || key.probe.u === null) return null;
    key.prime = prime;
    if (prime !== null) key.montgomery = x25519PublicKey(key.probe.u);
  }
  if (key.prime === null) return false; // the key does not decode: rule 2
  if (key.montgomery === undefined || key.prime.is0()) return null;
  buf.copy(CHALLENGE, 0, at + 64, at + 96);
  buf.copy(CHALLENGE, 32, at, at + 64); // A ‖ M are adjacent in the item
  return cofactoredHolds({
    rPrimeU: r.primeU,
    rPrime: () => decodePrime(buf.subarray(at + 64, at + 96), r),
    aPrime: key.prime,
    aMontgomery: key.montgomery,
    s: leToBigInt(buf, at + 96, 32),
    k: leToBigInt(hash('sha512', CHALLENGE, 'buffer'), 0, 64) % ED25519_L,
  });
}

/**
 * The prime-order part of an encoding: null when it does not decode (strictly), undefined when
 * the probe and the point disagree (cannot happen; the reference then decides).
 */
function decodePrime(encoding: Uint8Array, probe: TorsionProbe): EdwardsPoint | null | undefined {
  let point: EdwardsPoint;
  try {
    point = ed25519.Point.fromBytes(encoding, false);
  } catch {
    return null;
  }
  if (probe.torsionFree) return point;
  return primePart(point, probe.primeU) ?? undefined;
}
