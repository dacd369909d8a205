/**
 * A minimal ecny-bench client, written from docs/api.md alone: node:crypto and node:http, no
 * code of the engine. It encodes a transaction's canonical body, hashes it into the transaction
 * id, signs the id with Ed25519 and talks JSON over HTTP/1.1. Copy it, or port it to another
 * language: every byte it produces is specified in docs/api.md.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { request } from 'node:http';

/** The operations, in the order of their type byte (docs/api.md, "The canonical body"). */
export const OP_TYPES = [
  'issue',
  'allocate',
  'exchange',
  'transfer',
  'redeem',
  'return',
  'destroy',
  'enroll',
  'open',
  'offline-transfer',
];

const TX_DOMAIN = Buffer.from('ecny-bench/tx/v1\0', 'latin1');
const COIN_DOMAIN = Buffer.from('ecny-bench/coin/v1\0', 'latin1');
const WALLET_DOMAIN = Buffer.from('ecny-bench/wallet/v1\0', 'latin1');
const ROLES = { bank: 1, wallet: 2 };
const KINDS = { personal: 1, merchant: 2 };
const TWO_32 = 2 ** 32;
/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function u16(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** A safe integer as 8 little-endian bytes. */
function u64(n) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a u64 safe integer: ${n}`);
  return Buffer.concat([u32(n % TWO_32), u32(Math.floor(n / TWO_32))]);
}

function hexBytes(hex) {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) throw new RangeError(`not lowercase hex: ${hex}`);
  return Buffer.from(hex, 'hex');
}

/**
 * The canonical body of a transaction (its fields, without `v` and `sig`). Keys are written as
 * their bytes, whatever their length: 32 for Ed25519, 33 (compressed) for SM2.
 */
export function encodeBody(tx) {
  const type = OP_TYPES.indexOf(tx.type);
  if (type < 0) throw new RangeError(`unknown type ${tx.type}`);
  const parts = [
    Uint8Array.of(1, type),
    hexBytes(tx.signer),
    u32(tx.day),
    u64(tx.nonce),
    u16(tx.inputs.length),
    ...tx.inputs.map(hexBytes),
    u16(tx.outputs.length),
    ...tx.outputs.flatMap((o) => [hexBytes(o.owner), u64(o.value)]),
  ];
  const s = tx.subject;
  if (s === undefined) {
    parts.push(Uint8Array.of(0));
  } else {
    const kyc = Buffer.from(s.kyc ?? '', 'latin1');
    parts.push(
      Uint8Array.of(1),
      hexBytes(s.key),
      Uint8Array.of(ROLES[s.role], s.tier ?? 0, s.kind ? KINDS[s.kind] : 0, kyc.length),
      kyc,
    );
  }
  return Buffer.concat(parts);
}

/** The transaction id: H(domain tag || body), H SHA-256 (Ed25519 engines) or SM3 (SM2 engines). */
export function txidOf(body, hash = 'sha256') {
  return createHash(hash).update(TX_DOMAIN).update(body).digest();
}

/** Id of output `index` of the transaction `txid` (32 bytes): SHA-256 under either suite. */
export function coinIdOf(txid, index) {
  return createHash('sha256').update(COIN_DOMAIN).update(txid).update(u32(index)).digest('hex');
}

/** A wallet's id: the first 20 bytes of SHA-256(domain tag || public key bytes), hex. */
export function walletIdOf(publicKeyHex) {
  return createHash('sha256')
    .update(WALLET_DOMAIN)
    .update(hexBytes(publicKeyHex))
    .digest()
    .subarray(0, 20)
    .toString('hex');
}

function withPublicHex(privateKey) {
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  return { privateKey, publicKey: Buffer.from(x, 'base64url').toString('hex') };
}

/** An Ed25519 key pair from its 32-byte seed (the RFC 8032 private key), hex. */
export function keyFromSeed(seedHex) {
  const seed = hexBytes(seedHex);
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes (64 hex digits)');
  return withPublicHex(
    createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    }),
  );
}

/** An Ed25519 key pair from a PKCS#8 PEM private key (the engine's generated key file). */
export function keyFromPem(pem) {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new RangeError('not an Ed25519 key');
  return withPublicHex(privateKey);
}

/** A fresh random Ed25519 key pair. */
export function newKey() {
  return withPublicHex(generateKeyPairSync('ed25519').privateKey);
}

/** True when `sigHex` is a valid Ed25519 signature of the id by the key `publicKeyHex`. */
export function verifyTxid(publicKeyHex, txid, sigHex) {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: hexBytes(publicKeyHex).toString('base64url') },
    format: 'jwk',
  });
  return verify(null, txid, key, hexBytes(sigHex));
}

/**
 * Signs a transaction with an Ed25519 key: encodes the body, hashes it into the id, signs the
 * 32-byte id. Returns the JSON to send, its id (hex) and the ids its outputs will have.
 */
export function signTx(fields, key) {
  const body = encodeBody({ ...fields, signer: key.publicKey });
  const txid = txidOf(body);
  const wire = {
    v: 1,
    type: fields.type,
    signer: key.publicKey,
    day: fields.day,
    nonce: fields.nonce,
    inputs: fields.inputs,
    outputs: fields.outputs,
    ...(fields.subject ? { subject: fields.subject } : {}),
    sig: sign(null, txid, key.privateKey).toString('hex'),
  };
  return {
    wire,
    txid: txid.toString('hex'),
    coins: fields.outputs.map((_, i) => coinIdOf(txid, i)),
  };
}

/** One HTTP/1.1 request; resolves to the status, headers and parsed JSON body (if JSON). */
export function call(baseUrl, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': payload.length }),
          ...headers,
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, body: json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
