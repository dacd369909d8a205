/**
 * Which central-bank key an engine trusts. Whoever holds that key's private half can issue money,
 * so the engine never picks a key anyone else could know: its operator names one, or the engine
 * makes a fresh one at first start and keeps it beside the ledger (docs/cli.md).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SuiteName } from '../crypto/index.js';
import { DEV_CENTRAL_BANK_SEED, deriveKeyPair, txSuite } from '../domain/index.js';
import { HEADER_SIZE } from '../journal/index.js';
import { ConfigError } from './config.js';

/** Where the key comes from (one of the serve flags, or none of them). */
export type CentralBankKeySource =
  /** `--central-bank-key HEX`: the public key itself. */
  | { readonly kind: 'key'; readonly publicKey: string }
  /** `--central-bank-key-file PATH`: a PEM private or public key, or a file of 64 hex digits. */
  | { readonly kind: 'file'; readonly path: string }
  /** `--insecure-dev-central-bank-key`: the key derived from a seed in the source. */
  | { readonly kind: 'insecure-dev' }
  /** No flag: the key stored beside the journal, created at first start. */
  | { readonly kind: 'stored' };

export interface ResolvedCentralBankKey {
  /** 64 lowercase hex digits. */
  readonly publicKey: string;
  readonly origin: 'flag' | 'file' | 'stored' | 'generated' | 'insecure-dev';
  /** The key file read or written, if any. */
  readonly path: string | null;
}

/** The file beside a journal that holds its engine's generated central-bank key (PKCS#8 PEM). */
export function storedKeyPath(journalPath: string): string {
  return `${journalPath}.central-bank-key.pem`;
}

/** The development key: anyone can derive it from the source, so it protects nothing. */
export function insecureDevCentralBankKey(suite: SuiteName = 'ed25519'): string {
  return deriveKeyPair(DEV_CENTRAL_BANK_SEED, 'central-bank', suite).publicKey;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The raw 32-byte public key of an Ed25519 KeyObject (public or private), hex. */
function rawPublicKey(key: KeyObject, path: string): string {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError(`${path}: an Ed25519 key is needed, found ${key.asymmetricKeyType}`);
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('hex');
}

/** Reads a key file: PEM private key (PKCS#8), PEM public key (SPKI), or 64 hex digits. */
export async function readCentralBankKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the central bank key file ${path}: ${(error as Error).message}`,
    );
  }
  const trimmed = text.trim();
  if (HEX64.test(trimmed)) return trimmed;
  try {
    if (trimmed.includes('PRIVATE KEY')) return rawPublicKey(createPrivateKey(trimmed), path);
    if (trimmed.includes('PUBLIC KEY')) return rawPublicKey(createPublicKey(trimmed), path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${path}: not a readable key: ${(error as Error).message}`);
  }
  throw new ConfigError(
    `${path}: expected a PEM Ed25519 private or public key, or 64 lowercase hex digits`,
  );
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes a fresh key pair's private half to `path` (mode 0600, never overwriting), synced. */
async function generateStoredKey(path: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(pem);
    await fh.sync();
  } finally {
    await fh.close();
  }
  // The journal will hold records only this key can make valid: the file must survive a crash.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return rawPublicKey(privateKey, path);
}

/**
 * The public key the engine will trust. With no flag, the key beside the journal is reused, or
 * made (fresh random, mode 0600) when the journal has no records yet; a journal with records and
 * no key beside it is refused, since its records were made valid by a key this engine was not
 * given. Throws ConfigError.
 */
export async function resolveCentralBankKey(
  source: CentralBankKeySource,
  journalPath: string,
  suite: SuiteName = 'ed25519',
): Promise<ResolvedCentralBankKey> {
  if (suite === 'sm2') {
    // Key files and the stored key are Ed25519 PEM; an SM2 engine takes its key as hex.
    if (source.kind === 'insecure-dev')
      return { publicKey: insecureDevCentralBankKey('sm2'), origin: 'insecure-dev', path: null };
    if (source.kind !== 'key')
      throw new ConfigError(
        '--suite sm2 needs --central-bank-key HEX (a compressed SM2 key, 66 hex digits)',
      );
    if (txSuite('sm2').keyFromWire(source.publicKey) !== source.publicKey)
      throw new ConfigError(
        '--central-bank-key must be a compressed SM2 key (66 lowercase hex digits)',
      );
    return { publicKey: source.publicKey, origin: 'flag', path: null };
  }
  switch (source.kind) {
    case 'key':
      if (!HEX64.test(source.publicKey))
        throw new ConfigError('--central-bank-key must be 64 lowercase hex digits');
      return { publicKey: source.publicKey, origin: 'flag', path: null };
    case 'file':
      return {
        publicKey: await readCentralBankKeyFile(source.path),
        origin: 'file',
        path: source.path,
      };
    case 'insecure-dev':
      return { publicKey: insecureDevCentralBankKey(), origin: 'insecure-dev', path: null };
    case 'stored': {
      const path = storedKeyPath(journalPath);
      await mkdir(dirname(path), { recursive: true });
      if ((await sizeOf(path)) !== null)
        return { publicKey: await readCentralBankKeyFile(path), origin: 'stored', path };
      const journalSize = await sizeOf(journalPath);
      if (journalSize !== null && journalSize > HEADER_SIZE) {
        throw new ConfigError(
          `the journal ${journalPath} has records but no central bank key beside it (${path}): ` +
            'start with --central-bank-key or --central-bank-key-file naming the key it was written under',
        );
      }
      return { publicKey: await generateStoredKey(path), origin: 'generated', path };
    }
  }
}
