/**
 * Where the system's PostgreSQL server binaries are (Debian's `postgresql` package puts them in
 * /usr/lib/postgresql/<major>/bin, off PATH), and who may run them: initdb and the server refuse
 * to run as root, so as root they run as the `postgres` OS user the package creates.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../engine/domain/index.js';

/** Oldest major version the store's SQL is written for. */
export const MIN_POSTGRES_MAJOR = 15;

export interface PostgresBinaries {
  readonly binDir: string;
  readonly major: number;
  /** The OS user the server runs as: null = this process's user (not root). */
  readonly runAs: { readonly name: string; readonly uid: number; readonly gid: number } | null;
}

/** No usable PostgreSQL here: a run that needs one cannot be carried out (exit 3). */
export class PostgresUnavailable extends CodedError {
  readonly code = 'POSTGRES_UNAVAILABLE';
  readonly kind = 'failure';
}

/**
 * The newest usable PostgreSQL (>= 15): ECNY_POSTGRES_BIN if set, else the highest
 * /usr/lib/postgresql/<major>/bin holding initdb, pg_ctl and postgres. Throws PostgresUnavailable
 * saying what is missing.
 */
export function findPostgresBinaries(): PostgresBinaries {
  const override = process.env['ECNY_POSTGRES_BIN'];
  const candidates: string[] = [];
  if (override) candidates.push(override);
  else if (existsSync('/usr/lib/postgresql')) {
    const majors = readdirSync('/usr/lib/postgresql')
      .map(Number)
      .filter((m) => Number.isInteger(m) && m >= MIN_POSTGRES_MAJOR)
      .sort((a, b) => b - a);
    for (const m of majors) candidates.push(`/usr/lib/postgresql/${m}/bin`);
  }
  const binDir = candidates.find((dir) =>
    ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b))),
  );
  if (!binDir) {
    throw new PostgresUnavailable(
      override
        ? `ECNY_POSTGRES_BIN=${override} holds no initdb, pg_ctl and postgres`
        : `no PostgreSQL >= ${MIN_POSTGRES_MAJOR} server binaries under /usr/lib/postgresql (install Debian's postgresql package)`,
    );
  }
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1] ?? Number.NaN);
  if (!(major >= MIN_POSTGRES_MAJOR))
    throw new PostgresUnavailable(`${binDir}/postgres is "${version.trim()}", need >= 15`);
  return { binDir, major, runAs: process.getuid?.() === 0 ? postgresUser() : null };
}

function postgresUser(): { name: string; uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { name: 'postgres', uid, gid };
  } catch {
    throw new PostgresUnavailable(
      'running as root, but there is no `postgres` OS user to run the server as (initdb refuses root)',
    );
  }
}

/** argv that runs `binary args` as `runAs` (via runuser when root), else as this user. */
export function asServerUser(b: PostgresBinaries, binary: string, args: readonly string[]) {
  const path = join(b.binDir, binary);
  return b.runAs === null
    ? { file: path, args: [...args] }
    : { file: 'runuser', args: ['-u', b.runAs.name, '--', path, ...args] };
}
