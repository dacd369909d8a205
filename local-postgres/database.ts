/**
 * Databases on a server for one run: a fresh, empty one (genesis needs a blank ledger), or a
 * copy of a template (capacity ramps start from one genesis: PostgreSQL copies the template's
 * files, no replay), dropped again afterwards. Through porsager's `postgres` client, the one the
 * engine uses, on the server's maintenance connection (the URL's own database).
 */
import postgres from 'postgres';

/** Lowercase letters, digits and underscores: safe to write unquoted in DDL. */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new RangeError(`not a plain database name: ${JSON.stringify(name)}`);
}

/** `serverUrl` with its database replaced by `name`. */
export function databaseUrlOf(serverUrl: string, name: string): string {
  checkName(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, body: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await body(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Creates database `name` on the server of `serverUrl` (empty, or a copy of `template`, which
 * must have no open connections) and returns its URL.
 */
export async function createDatabase(
  serverUrl: string,
  name: string,
  template?: string,
): Promise<string> {
  checkName(name);
  if (template !== undefined) checkName(template);
  await admin(serverUrl, (sql) =>
    sql.unsafe(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`),
  );
  return databaseUrlOf(serverUrl, name);
}

/** Drops database `name` if it exists, closing its remaining connections (PostgreSQL 13+). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  checkName(name);
  await admin(serverUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** A database name no other run on the server uses: `prefix` + time + random. */
export function runDatabaseName(prefix: string): string {
  const random = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${prefix}_${Date.now().toString(36)}_${random}`;
}
