/**
 * The on-disk form of a workload: line-oriented and compact, loaded without re-parsing bodies.
 *
 *   line 1:  {"format":"ecny-bench/workload-file/v1","genesis":G,"ops":M,"meta":{...}}
 *   G lines: at \t dependsOn \t lane \t type \t expected \t body      (genesis, in order)
 *   M lines: the same, for the measured ops
 *
 * A body is the wire JSON, stored raw: JSON.stringify escapes tabs and newlines inside strings,
 * so neither occurs in a body, and loading keeps it as a substring instead of parsing it (about
 * 3x faster than one big JSON document, and no escaping of the bodies on disk). Same workload,
 * same bytes: the hash of this text identifies a workload.
 */
import { createHash } from 'node:crypto';
import { OpList } from './op-list.js';
import type { Expected, PlannedOps, Workload, WorkloadMeta } from './types.js';

/** Format tag of the workload file's header line. */
export const WORKLOAD_FILE_FORMAT = 'ecny-bench/workload-file/v1';

function section(ops: PlannedOps, lines: string[]): void {
  for (let i = 0; i < ops.bodies.length; i++) {
    lines.push(
      `${ops.at[i]}\t${ops.dependsOn[i]}\t${ops.lane[i]}\t${ops.type[i]}\t${ops.expected[i]}\t${ops.bodies[i]}`,
    );
  }
}

/** The workload as text (see the file comment). Deterministic. */
export function serializeWorkload(w: Workload): string {
  const lines: string[] = [
    JSON.stringify({
      format: WORKLOAD_FILE_FORMAT,
      genesis: w.genesis.bodies.length,
      ops: w.ops.bodies.length,
      meta: w.meta,
    }),
  ];
  section(w.genesis, lines);
  section(w.ops, lines);
  lines.push('');
  return lines.join('\n');
}

/** A workload file that is truncated, foreign or malformed. */
export class WorkloadFormatError extends Error {
  readonly code = 'BAD_WORKLOAD_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadFormatError';
  }
}

function readSection(
  text: string,
  from: number,
  count: number,
  into: OpList,
  what: string,
): number {
  let at = from;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf('\n', at);
    if (end < 0) throw new WorkloadFormatError(`${what} line ${i}: truncated file`);
    const t1 = text.indexOf('\t', at);
    const t2 = text.indexOf('\t', t1 + 1);
    const t3 = text.indexOf('\t', t2 + 1);
    const t4 = text.indexOf('\t', t3 + 1);
    const t5 = text.indexOf('\t', t4 + 1);
    if (t1 < 0 || t5 < 0 || t5 > end)
      throw new WorkloadFormatError(`${what} line ${i}: expected 6 columns`);
    into.push(
      text.slice(t5 + 1, end),
      text.slice(t4 + 1, t5) as Expected,
      Number(text.slice(at, t1)),
      Number(text.slice(t1 + 1, t2)),
      Number(text.slice(t2 + 1, t3)),
      text.slice(t3 + 1, t4),
    );
    at = end + 1;
  }
  return at;
}

/** Inverse of serializeWorkload. Throws WorkloadFormatError on anything else. */
export function parseWorkload(text: string): Workload {
  const first = text.indexOf('\n');
  if (first < 0) throw new WorkloadFormatError('no header line');
  let header: { format?: unknown; genesis?: unknown; ops?: unknown; meta?: unknown };
  try {
    header = JSON.parse(text.slice(0, first)) as typeof header;
  } catch {
    throw new WorkloadFormatError('the header line is not JSON');
  }
  if (header.format !== WORKLOAD_FILE_FORMAT)
    throw new WorkloadFormatError(`format must be ${WORKLOAD_FILE_FORMAT}`);
  if (!Number.isSafeInteger(header.genesis) || !Number.isSafeInteger(header.ops))
    throw new WorkloadFormatError('header counts are missing');
  const genesis = new OpList();
  const ops = new OpList();
  let at = readSection(text, first + 1, header.genesis as number, genesis, 'genesis');
  at = readSection(text, at, header.ops as number, ops, 'ops');
  if (at !== text.length) throw new WorkloadFormatError('trailing data after the last op');
  return { meta: header.meta as WorkloadMeta, genesis, ops };
}

/** SHA-256 (hex) of the serialized workload: equal digests, byte-identical workloads. */
export function workloadDigest(w: Workload): string {
  return createHash('sha256').update(serializeWorkload(w)).digest('hex');
}
