/**
 * The history file: JSON Lines, one record per line, appended to and never rewritten.
 *
 * Why JSON Lines and not SQLite: a history is small (one line per run or gate, a few hundred
 * bytes), written by one job at a time and read whole; appending a line needs no native module,
 * no schema migration and no lock; a CI cache or artifact carries it as one file; two histories
 * (two branches, two runners) merge with `cat`; and a line torn by a crash costs that line only:
 * the reader skips what does not parse and says how many it skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CodedError } from '../engine/domain/index.js';
import { DEFAULT_GATE_METRICS } from '../gate/index.js';
import { projectRoot } from '../result-format/index.js';
import { baselineRecord, type HistoryRecord, recordProblem } from './record.js';

/** Where `--history` and `ecny-bench history` look unless told otherwise. */
export const DEFAULT_HISTORY_FILE = 'results/history.jsonl';

/** The gate's default tolerated worsening (gate/decision.ts), for baselines judged by nothing. */
const GATE_THRESHOLD = 0.15;

/** A history that cannot be used at all (exit 2). */
export class HistoryError extends CodedError {
  readonly code = 'BAD_HISTORY';
  readonly kind = 'input';
}

/** Appends one record as one line (a single write, so concurrent appenders do not interleave). */
export async function appendHistory(file: string, record: HistoryRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

export interface ParsedHistory {
  readonly records: HistoryRecord[];
  /** Lines that were not records, with their 1-based number and why. */
  readonly skipped: { readonly line: number; readonly reason: string }[];
}

/** Parses a history's text; unusable lines are skipped and reported, never fatal. */
export function parseHistory(text: string): ParsedHistory {
  const records: HistoryRecord[] = [];
  const skipped: ParsedHistory['skipped'] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped.push({ line: i + 1, reason: 'not JSON (a torn write?)' });
      return;
    }
    const problem = recordProblem(value);
    if (problem === null) records.push(value as HistoryRecord);
    else skipped.push({ line: i + 1, reason: problem });
  });
  return { records, skipped };
}

/** Reads a history file; a missing file is an empty history. */
export async function readHistory(
  file: string,
): Promise<ParsedHistory & { readonly found: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      return { records: [], skipped: [], found: false };
    throw new HistoryError(`cannot read the history ${file}: ${(error as Error).message}`);
  }
  return { ...parseHistory(text), found: true };
}

function git(root: string, args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

function baselineFromText(text: string): Parameters<typeof baselineRecord>[0] | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (v['kind'] !== 'ecny-bench/gate-baseline' || !Array.isArray(v['trials'])) return null;
    const env = v['environment'] as Record<string, unknown> | undefined;
    if (typeof v['createdAt'] !== 'string' || typeof env?.['cpuModel'] !== 'string') return null;
    return v as unknown as Parameters<typeof baselineRecord>[0];
  } catch {
    return null;
  }
}

/**
 * Seeds a history with the committed gate baselines (`results/baselines/*.json`): every version
 * git has of each file, else the file as it is. Each becomes a gate record with verdict
 * `baseline`, at the commit it was measured on.
 */
export function committedBaselineRecords(root: string = projectRoot()): HistoryRecord[] {
  const dir = join(root, 'results', 'baselines');
  if (!existsSync(dir)) return [];
  const out: HistoryRecord[] = [];
  const seen = new Set<string>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const path = join(dir, name);
    const rel = relative(root, path).split('\\').join('/');
    const versions: { commit: string | null; text: string }[] = [];
    const log = git(root, ['log', '--format=%H', '--', rel]);
    for (const commit of (log ?? '').split('\n').filter((l) => /^[0-9a-f]{40}$/.test(l))) {
      const text = git(root, ['show', `${commit}:${rel}`]);
      if (text !== null) versions.push({ commit, text });
    }
    if (versions.length === 0) versions.push({ commit: null, text: readFileSync(path, 'utf8') });
    for (const v of versions) {
      const baseline = baselineFromText(v.text);
      if (baseline === null) continue;
      const key = `${rel}\0${baseline.createdAt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        baselineRecord(
          baseline,
          DEFAULT_GATE_METRICS,
          GATE_THRESHOLD,
          `${rel}${v.commit === null ? '' : `@${v.commit.slice(0, 12)}`}`,
          v.commit,
        ),
      );
    }
  }
  return out;
}

/** Records in time order, duplicates (the same line appended twice, a seed also on file) once. */
export function orderRecords(records: readonly HistoryRecord[]): HistoryRecord[] {
  const seen = new Set<string>();
  const out: HistoryRecord[] = [];
  for (const r of records) {
    const key =
      r.kind === 'run'
        ? `run\0${r.runId}`
        : `gate\0${r.date}\0${r.commit ?? ''}\0${r.machine.fingerprint}\0${r.verdict}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out.sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}
