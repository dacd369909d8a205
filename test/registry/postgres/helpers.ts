/**
 * Shared helpers for the PostgreSQL suites (no tests here): one private cluster per test file
 * (local-postgres, stopped when the file ends), a fresh database per test, and the rule for
 * when such a test may skip: only when the server binaries are truly absent and this is not CI
 * (CI installs Debian's postgresql package, so there a missing binary fails the test).
 */
import { after } from 'node:test';
import pg from 'pg';
import { isAcceptablePublicKey } from '../../../engine/crypto/index.js';
import { DEFAULT_TIERS } from '../../../engine/domain/index.js';
import { openPostgresStore, type PostgresStore } from '../../../engine/registry/postgres/index.js';
import {
  findPostgresBinaries,
  type LocalCluster,
  PostgresUnavailable,
  startLocalCluster,
} from '../../../local-postgres/index.js';

/**
 * Why PostgreSQL tests skip here, or undefined when they run. In CI (CI set) a missing server is
 * a failure, not a skip: throws.
 */
export function postgresSkipReason(): string | undefined {
  try {
    findPostgresBinaries();
    return undefined;
  } catch (error) {
    if (!(error instanceof PostgresUnavailable)) throw error;
    if (process.env['CI']) throw new Error(`CI must run the PostgreSQL tests: ${error.message}`);
    return `PostgreSQL is not installed (${error.message}); install Debian's postgresql to run this`;
  }
}

let shared: Promise<LocalCluster> | undefined;

// Registered when this module loads (at the root of the importing test file), so the cluster
// lives until the file's last test is done.
after(async () => {
  if (shared) await (await shared).stop();
});

/** This test file's private cluster, started on first use and stopped when the file ends. */
export function testCluster(): Promise<LocalCluster> {
  shared ??= startLocalCluster();
  return shared;
}

let databases = 0;

/** A new empty database on the test cluster; its URL. */
export async function freshDatabase(): Promise<string> {
  const cluster = await testCluster();
  const name = `t${process.pid}_${++databases}`;
  const admin = new pg.Client(cluster.url);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return cluster.url.replace(/\/[^/]+$/, `/${name}`);
}

/**
 * A postgres store on `url` with the default tiers, as `serve --store postgres` opens it (Ed25519
 * keys); `today`: its clock (default: none, the clock-dependent day rules unchecked).
 */
export async function openTestStore(
  url: string,
  centralBankKey: string,
  today: () => number | null = () => null,
): Promise<PostgresStore> {
  const { store } = await openPostgresStore({
    url,
    centralBankKey,
    tiers: DEFAULT_TIERS,
    acceptKey: (key) => isAcceptablePublicKey(key),
    today,
  });
  return store;
}
