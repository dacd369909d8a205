/**
 * The shards' result files as they arrive: each streamed to a staging folder of its shard,
 * bounded in size, its SHA-256 checked against the signed digest, then accepted only if the
 * result is one of this run's (this run's nonce and the shard's session in its barrier record,
 * its shard index, the workload every shard reported ready with). Nothing a shard sends is
 * merged until every shard's files passed these checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RunResult, readResults } from '../result-format/index.js';
import { sha256Hex } from './auth.js';
import type { Refusal, ShardRecord } from './barrier.js';
import {
  canonicalJson,
  type DoneBody,
  REQUIRED_FILES,
  type ResultFileName,
  type WorkloadIdentity,
} from './protocol.js';

class TooLarge extends Error {}

const refuse = (status: number, code: string, message: string): Refusal => ({
  status,
  code,
  message,
});

/** What an accepted shard result must say of itself. */
export interface Expectation {
  readonly run: string;
  readonly shards: number;
  readonly identity: WorkloadIdentity;
}

export class Collection {
  readonly root: string;
  readonly #maxBytes: number;
  readonly #received = new Map<number, Map<ResultFileName, { sha256: string; bytes: number }>>();
  readonly #busy = new Set<string>();
  readonly #results = new Map<number, RunResult>();

  /** `root`: the staging folder (created); `maxBytes`: bound on one shard's files together. */
  constructor(root: string, maxBytes: number) {
    this.root = root;
    this.#maxBytes = maxBytes;
  }

  dirOf(index: number): string {
    return join(this.root, `shard-${index}`);
  }

  /** The accepted result of shard `index`. */
  resultOf(index: number): RunResult | undefined {
    return this.#results.get(index);
  }

  /**
   * Streams one file of `shard` from `body` into its staging folder. Refused: another upload
   * of the same file in progress, the shard's files over the bound, a digest that differs.
   */
  async receive(
    shard: ShardRecord,
    name: ResultFileName,
    body: Readable,
    declaredSha256: string,
    declaredBytes: number | undefined,
  ): Promise<Refusal | null> {
    const key = `${shard.index}/${name}`;
    if (this.#busy.has(key))
      return refuse(409, 'BUSY', `${name} of shard ${shard.index} is already being uploaded`);
    const files = this.#received.get(shard.index) ?? new Map();
    this.#received.set(shard.index, files);
    const others = shard.uploadBytes - (files.get(name)?.bytes ?? 0);
    const room = this.#maxBytes - others;
    if (declaredBytes !== undefined && declaredBytes > room)
      return refuse(413, 'TOO_LARGE', tooLarge(this.#maxBytes));
    this.#busy.add(key);
    const dir = this.dirOf(shard.index);
    const part = join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    try {
      await mkdir(dir, { recursive: true });
      const hash = createHash('sha256');
      let bytes = 0;
      try {
        await pipeline(
          body,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              bytes += chunk.length;
              if (bytes > room) throw new TooLarge();
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(part, { flags: 'wx', mode: 0o600 }),
        );
      } catch (error) {
        await rm(part, { force: true });
        if (error instanceof TooLarge) return refuse(413, 'TOO_LARGE', tooLarge(this.#maxBytes));
        return refuse(
          400,
          'UPLOAD_BROKEN',
          `the upload of ${name} broke off: ${(error as Error).message}`,
        );
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== declaredSha256) {
        await rm(part, { force: true });
        return refuse(
          400,
          'DIGEST_MISMATCH',
          `${name} arrived with another SHA-256 than the one signed`,
        );
      }
      await rename(part, join(dir, name));
      files.set(name, { sha256, bytes });
      shard.uploadBytes = others + bytes;
      return null;
    } finally {
      this.#busy.delete(key);
    }
  }

  /** Checks that shard `shard`'s files are complete and are its result of this run. */
  async accept(shard: ShardRecord, done: DoneBody, expect: Expectation): Promise<Refusal | null> {
    const files = this.#received.get(shard.index) ?? new Map();
    for (const name of REQUIRED_FILES)
      if (!files.has(name)) return refuse(400, 'MISSING_FILE', `${name} was not uploaded`);
    const named = Object.entries(done.files);
    if (
      named.length !== files.size ||
      named.some(([name, digest]) => files.get(name as ResultFileName)?.sha256 !== digest)
    )
      return refuse(400, 'FILES_DIFFER', 'the files named are not the files uploaded');
    let result: RunResult;
    try {
      result = (await readResults(this.dirOf(shard.index))).result;
    } catch (error) {
      return refuse(400, 'BAD_RESULTS', `the results do not read: ${(error as Error).message}`);
    }
    const problem = mismatch(result, shard, expect);
    if (problem !== null) return refuse(400, 'NOT_THIS_RUN', problem);
    this.#results.set(shard.index, result);
    return null;
  }
}

function tooLarge(max: number): string {
  const size =
    max >= 1024 * 1024 ? `${Math.round(max / 1024 / 1024)} MiB` : `${Math.round(max / 1024)} KiB`;
  return `one shard's result files may hold at most ${size} together (coordinate --max-upload-mb)`;
}

/** Why `result` is not shard `shard`'s result of this run, or null. */
function mismatch(result: RunResult, shard: ShardRecord, expect: Expectation): string | null {
  if (result.kind !== 'run') return `a ${result.kind} result, not a run`;
  const config = result.config as Record<string, unknown>;
  if (config['shard'] !== `${shard.index}/${expect.shards}`)
    return `the result of shard ${String(config['shard'])}, not ${shard.index}/${expect.shards}`;
  const barrier = config['barrier'] as Record<string, unknown> | undefined;
  if (barrier?.['run'] !== expect.run || barrier?.['session'] !== shard.session)
    return "a result that was not started by this run's barrier (another run, or another process)";
  const id = expect.identity;
  const s = result.scenario;
  if (
    s.name !== id.scenario ||
    (s.variant ?? null) !== id.variant ||
    s.seed !== id.seed ||
    sha256Hex(canonicalJson(s.params)) !== id.params
  )
    return `the result of another workload (${s.name}${s.variant ? `/${s.variant}` : ''}, seed ${s.seed})`;
  return null;
}
