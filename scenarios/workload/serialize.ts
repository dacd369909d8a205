/**
 * The on-disk form of a workload: line-oriented and compact, loaded without re-parsing bodies.
 *
 *   line 1:  {"format":"ecny-bench/workload-file/v2","genesis":G,"ops":M,"meta":{...}}
 *   G lines: at \t dependsOn \t lane \t type \t channel \t expected \t body   (genesis, in order)
 *   M lines: the same, for the measured ops
 *
 * A body is the wire JSON, stored raw: JSON.stringify escapes tabs and newlines inside strings,
 * so neither occurs in a body, and loading slices it out instead of parsing it (no escaping of
 * the bodies on disk, no JSON parse of them on load). Same workload, same bytes: the hash of
 * this text identifies a workload.
 */
import { createHash } from 'node:crypto';
import { CodedError } from '../../engine/domain/index.js';
import { OpList } from './op-list.js';
import type { Expected, PlannedOps, Workload, WorkloadMeta } from './types.js';

/** Format tag of the workload file's header line. */
export const WORKLOAD_FILE_FORMAT = 'ecny-bench/workload-file/v2';

/** Lines per chunk: big enough to amortise, small enough to stream. */
const CHUNK_LINES = 4_096;

function* sectionChunks(ops: PlannedOps): Generator<string> {
  for (let from = 0; from < ops.bodies.length; from += CHUNK_LINES) {
    const to = Math.min(ops.bodies.length, from + CHUNK_LINES);
    let chunk = '';
    for (let i = from; i < to; i++) {
      chunk += `${ops.at[i]}\t${ops.dependsOn[i]}\t${ops.lane[i]}\t${ops.type[i]}\t${ops.channel?.[i] ?? ''}\t${ops.expected[i]}\t${ops.bodies[i]}\n`;
    }
    yield chunk;
  }
}

/**
 * The workload as text, in chunks: a national-scale workload is larger than the largest string
 * V8 allows (~512 MB), so files are written and hashed chunk by chunk.
 */
export function* workloadChunks(w: Workload): Generator<string> {
  yield `${JSON.stringify({
    format: WORKLOAD_FILE_FORMAT,
    genesis: w.genesis.bodies.length,
    ops: w.ops.bodies.length,
    meta: w.meta,
  })}\n`;
  yield* sectionChunks(w.genesis);
  yield* sectionChunks(w.ops);
}

/** The workload as one string (see the file comment). Deterministic. Below ~512 MB only. */
export function serializeWorkload(w: Workload): string {
  let out = '';
  for (const chunk of workloadChunks(w)) out += chunk;
  return out;
}

export class WorkloadFormatError extends CodedError {
  readonly code = 'BAD_WORKLOAD_FILE';
  readonly kind = 'input';
}

const NL = 0x0a;
const TAB = 0x09;

function readSection(buf: Buffer, from: number, count: number, into: OpList, what: string): number {
  let at = from;
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(NL, at);
    if (end < 0) throw new WorkloadFormatError(`${what} line ${i}: truncated file`);
    const t1 = buf.indexOf(TAB, at);
    const t2 = buf.indexOf(TAB, t1 + 1);
    const t3 = buf.indexOf(TAB, t2 + 1);
    const t4 = buf.indexOf(TAB, t3 + 1);
    const t5 = buf.indexOf(TAB, t4 + 1);
    const t6 = buf.indexOf(TAB, t5 + 1);
    if (t1 < 0 || t6 < 0 || t6 > end)
      throw new WorkloadFormatError(`${what} line ${i}: expected 7 columns`);
    into.push(
      buf.toString('utf8', t6 + 1, end),
      buf.toString('latin1', t5 + 1, t6) as Expected,
      Number(buf.toString('latin1', at, t1)),
      Number(buf.toString('latin1', t1 + 1, t2)),
      Number(buf.toString('latin1', t2 + 1, t3)),
      buf.toString('latin1', t3 + 1, t4),
      buf.toString('latin1', t4 + 1, t5),
    );
    at = end + 1;
  }
  return at;
}

/** Inverse of serializeWorkload, from the file's bytes (any size a Buffer can hold). */
export function parseWorkloadBytes(bytes: Uint8Array): Workload {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = buf.indexOf(NL);
  if (first < 0) throw new WorkloadFormatError('no header line');
  let header: { format?: unknown; genesis?: unknown; ops?: unknown; meta?: unknown };
  try {
    header = JSON.parse(buf.toString('utf8', 0, first)) as typeof header;
  } catch {
    throw new WorkloadFormatError('the header line is not JSON');
  }
  if (header.format !== WORKLOAD_FILE_FORMAT)
    throw new WorkloadFormatError(`format must be ${WORKLOAD_FILE_FORMAT}`);
  if (!Number.isSafeInteger(header.genesis) || !Number.isSafeInteger(header.ops))
    throw new WorkloadFormatError('header counts are missing');
  const genesis = new OpList();
  const ops = new OpList();
  let at = readSection(buf, first + 1, header.genesis as number, genesis, 'genesis');
  at = readSection(buf, at, header.ops as number, ops, 'ops');
  if (at !== buf.length) throw new WorkloadFormatError('trailing data after the last op');
  return { meta: header.meta as WorkloadMeta, genesis, ops };
}

/** Inverse of serializeWorkload. Throws WorkloadFormatError on anything else. */
export function parseWorkload(text: string): Workload {
  return parseWorkloadBytes(Buffer.from(text, 'utf8'));
}

/** SHA-256 (hex) of the serialized workload: equal digests, byte-identical workloads. */
export function workloadDigest(w: Workload): string {
  const h = createHash('sha256');
  for (const chunk of workloadChunks(w)) h.update(chunk);
  return h.digest('hex');
}
