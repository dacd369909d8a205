/**
 * Reading and writing the workload file each load-generator process loads by itself (the
 * workload never crosses IPC). The format is the workload cache's (`ecny-bench/workload-file/v2`,
 * scenarios/workload), so a cached workload is used in place; plain JSON of a `Workload`,
 * optionally gzip-compressed, is accepted too for hand-made workloads.
 */
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import {
  type PlannedOps,
  parseWorkloadBytes,
  WORKLOAD_FILE_FORMAT,
  type Workload,
  workloadChunks,
} from '../scenarios/workload/index.js';
import { DriverError } from './errors.js';

const gunzip = promisify(gunzipCb);

/** Loads a workload file (cache format, any size, or JSON) and checks its structure. */
export async function readWorkloadFile(path: string): Promise<Workload> {
  let bytes = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes);
  let parsed: unknown;
  try {
    const newline = bytes.indexOf(0x0a);
    const firstLine = bytes.toString('utf8', 0, newline < 0 ? bytes.length : newline);
    // the cache format is parsed from the bytes: a national-scale file exceeds V8's max string
    parsed = firstLine.includes(WORKLOAD_FILE_FORMAT)
      ? parseWorkloadBytes(bytes)
      : JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new DriverError('DRIVER_BAD_WORKLOAD', `${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const problems = checkWorkload(parsed);
  if (problems.length > 0) {
    throw new DriverError('DRIVER_BAD_WORKLOAD', `${path}: ${problems.join('; ')}`);
  }
  return parsed as Workload;
}

/** Writes a workload in the cache's file format, chunk by chunk (no size limit). */
export async function writeWorkloadFile(path: string, workload: Workload): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const chunk of workloadChunks(workload)) await file.write(chunk);
  } finally {
    await file.close();
  }
}

/** Structural problems of a workload (parallel arrays of equal length, sane dependencies). */
export function checkWorkload(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['not a workload object'];
  const w = value as Partial<Workload>;
  const problems: string[] = [];
  if (w.meta?.format !== 'ecny-bench/workload/v1') {
    problems.push(`meta.format must be ecny-bench/workload/v1, got ${String(w.meta?.format)}`);
  }
  for (const part of ['genesis', 'ops'] as const) {
    const ops = w[part];
    if (ops === undefined) {
      problems.push(`${part} is missing`);
      continue;
    }
    problems.push(...checkPlannedOps(ops, part));
  }
  return problems;
}

function checkPlannedOps(ops: PlannedOps, name: string): string[] {
  const problems: string[] = [];
  const n = ops.bodies?.length;
  if (!Array.isArray(ops.bodies)) return [`${name}.bodies must be an array`];
  for (const field of ['expected', 'at', 'dependsOn', 'lane', 'type'] as const) {
    if (!Array.isArray(ops[field]) || ops[field].length !== n) {
      problems.push(`${name}.${field} must be an array of ${n} entries like bodies`);
    }
  }
  if (problems.length > 0) return problems;
  for (let i = 0; i < n; i++) {
    const d = ops.dependsOn[i]!;
    if (!Number.isInteger(d) || d >= i || d < -1) {
      problems.push(`${name}.dependsOn[${i}] must be -1 or an earlier index, got ${d}`);
      break;
    }
    const lane = ops.lane[i]!;
    if (!Number.isSafeInteger(lane) || lane < 0) {
      problems.push(`${name}.lane[${i}] must be an integer >= 0, got ${lane}`);
      break;
    }
    if (d >= 0 && ops.lane[d] !== lane) {
      problems.push(`${name}[${i}] depends on op ${d} in another lane (${ops.lane[d]} != ${lane})`);
      break;
    }
    if (i > 0 && ops.at[i]! < ops.at[i - 1]!) {
      problems.push(`${name}.at must be ascending (at[${i}] < at[${i - 1}])`);
      break;
    }
  }
  return problems;
}
