/**
 * The coordinator's HTTP protocol, declared once: paths, headers, limits, and the shape of every
 * body with the checks a received one must pass. Bodies are JSON except uploaded result files.
 * Every request but /healthz is signed (auth.ts).
 */
import type { WorkloadMeta } from '../scenarios/workload/index.js';
import { sha256Hex } from './auth.js';

export const PROTOCOL = 'ecny-bench/coordinator/v1';

export const HEADERS = {
  authorization: 'authorization',
  run: 'x-ecny-run',
  session: 'x-ecny-session',
  request: 'x-ecny-request',
  contentSha256: 'x-ecny-content-sha256',
  answerMac: 'x-ecny-mac',
} as const;

/** Limits the coordinator enforces (docs/distributed.md lists them). */
export const LIMITS = {
  /** Shards of one run. */
  maxShards: 1024,
  /** A JSON request body. */
  maxJsonBytes: 64 * 1024,
  /** Default bound on the result files one shard uploads, all together (`--max-upload-mb`). */
  defaultMaxUploadBytes: 512 * 1024 * 1024,
  /** Request headers must arrive within this long. */
  headersTimeoutMs: 10_000,
  /** A whole request (an upload included) must arrive within this long. */
  requestTimeoutMs: 10 * 60_000,
} as const;

/** The result files a shard uploads: what `merge` reads, and the INCOMPLETE marker. */
export const RESULT_FILES = [
  'result.json',
  'latency.hlog',
  'timeseries.csv',
  'INCOMPLETE',
] as const;
export type ResultFileName = (typeof RESULT_FILES)[number];
export const REQUIRED_FILES: readonly ResultFileName[] = [
  'result.json',
  'latency.hlog',
  'timeseries.csv',
];

export function isResultFileName(name: string): name is ResultFileName {
  return (RESULT_FILES as readonly string[]).includes(name);
}

/** A route of the protocol, parsed from a request path. */
export type Route =
  | { readonly kind: 'health' }
  | { readonly kind: 'run' }
  | {
      readonly kind: 'shard';
      readonly shard: number;
      readonly action: 'join' | 'ready' | 'beat' | 'failed' | 'done';
    }
  | { readonly kind: 'file'; readonly shard: number; readonly name: ResultFileName };

const SHARD_ACTIONS = ['join', 'ready', 'beat', 'failed', 'done'] as const;

/** The route of `method path`, or null: anything else is 404 (405 is not worth telling apart). */
export function routeOf(method: string, path: string): Route | null {
  if (method === 'GET' && path === '/healthz') return { kind: 'health' };
  if (method === 'GET' && path === '/v1/run') return { kind: 'run' };
  const shard = /^\/v1\/shards\/(0|[1-9]\d{0,3})\/([a-z]+)(?:\/([A-Za-z.]+))?$/.exec(path);
  if (shard === null) return null;
  const index = Number(shard[1]);
  const action = shard[2]!;
  const name = shard[3];
  if (name === undefined) {
    if (method !== 'POST') return null;
    const known = SHARD_ACTIONS.find((a) => a === action);
    return known === undefined ? null : { kind: 'shard', shard: index, action: known };
  }
  if (method !== 'PUT' || action !== 'files' || !isResultFileName(name)) return null;
  return { kind: 'file', shard: index, name };
}

export const paths = {
  run: () => '/v1/run',
  shard: (shard: number, action: 'join' | 'ready' | 'beat' | 'failed' | 'done') =>
    `/v1/shards/${shard}/${action}`,
  file: (shard: number, name: ResultFileName) => `/v1/shards/${shard}/files/${name}`,
};

/** GET /v1/run: what a shard needs to know before it joins. */
export interface RunInfo {
  readonly protocol: typeof PROTOCOL;
  /** This run's nonce: every later request names it. */
  readonly run: string;
  readonly shards: number;
  /** A start is placed by an exchange with at most this round trip (the bound is half of it). */
  readonly maxRttMs: number;
  /** Beat period while waiting for the release. */
  readonly pollMs: number;
  /** Beat period otherwise. */
  readonly beatMs: number;
  /** A shard silent this long is lost, and the run with it. */
  readonly shardTimeoutMs: number;
}

/** POST join: a shard claims its index for its session. */
export interface JoinBody {
  readonly count: number;
  readonly host: string;
}

/** What every shard of one run must share: the same workload, generated the same way. */
export interface WorkloadIdentity {
  readonly scenario: string;
  readonly variant: string | null;
  readonly seed: string;
  readonly suite: string;
  /** SHA-256 of the workload parameters as canonical JSON. */
  readonly params: string;
  readonly centralBankKey: string;
  readonly day: number;
  readonly lanes: number;
  readonly genesisOps: number;
}

/** POST ready: loaded, connected, genesis sent if it was this shard's to send. */
export interface ReadyBody {
  readonly identity: WorkloadIdentity;
  readonly planned: number;
  /** Genesis ops this shard sent: all of them or none. */
  readonly genesisSent: number;
  readonly durationMs: number;
}

/**
 * `gathering`: shards join and get ready; `released`: the start is set, shards run and upload;
 * `complete`: every shard's results are in and merged; `failed`: the run was called off.
 */
export type RunState = 'gathering' | 'released' | 'complete' | 'failed';

/** Answer to POST beat: liveness, a clock reading, and where the barrier stands. */
export interface BeatAnswer {
  readonly state: RunState;
  /** The coordinator's clock at the answer, epoch ms. */
  readonly now: number;
  /** Once released: the start, in ms after `now`. */
  readonly startInMs?: number;
  /** When failed: why. */
  readonly reason?: string;
}

/** POST failed: this shard could not carry out its part. */
export interface FailedBody {
  readonly code: string;
  readonly message: string;
}

/** POST done: the files uploaded, with their digests; the shard's part is then complete. */
export interface DoneBody {
  readonly files: Readonly<Partial<Record<ResultFileName, string>>>;
}

/** An error answer. */
export interface ErrorAnswer {
  readonly error: string;
  readonly message: string;
}

/** The identity of a workload, from its description. */
export function identityOf(meta: WorkloadMeta, genesisOps: number): WorkloadIdentity {
  return {
    scenario: meta.scenario,
    variant: meta.variant ?? null,
    seed: meta.seed,
    suite: meta.suite ?? 'ed25519',
    params: sha256Hex(canonicalJson(meta.params)),
    centralBankKey: meta.centralBankKey,
    day: meta.day,
    lanes: meta.lanes,
    genesisOps,
  };
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

// ---- checks of received bodies: each returns the value or a one-line problem ----

type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(problem: string): Checked<T> => ({ ok: false, problem });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown, max = Number.MAX_SAFE_INTEGER): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

function text(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

export function checkJoin(v: unknown): Checked<JoinBody> {
  if (!isObject(v)) return bad('join: not an object');
  if (!count(v['count'], LIMITS.maxShards) || v['count'] < 1) return bad('join: count');
  if (!text(v['host'], 253)) return bad('join: host');
  return ok({ count: v['count'], host: v['host'] });
}

export function checkReady(v: unknown): Checked<ReadyBody> {
  if (!isObject(v)) return bad('ready: not an object');
  const id = v['identity'];
  if (!isObject(id)) return bad('ready: identity');
  const identity: WorkloadIdentity | null =
    text(id['scenario'], 200) &&
    (id['variant'] === null || text(id['variant'], 200)) &&
    text(id['seed'], 500) &&
    text(id['suite'], 50) &&
    typeof id['params'] === 'string' &&
    /^[0-9a-f]{64}$/.test(id['params']) &&
    text(id['centralBankKey'], 200) &&
    typeof id['day'] === 'number' &&
    Number.isSafeInteger(id['day']) &&
    count(id['lanes']) &&
    count(id['genesisOps'])
      ? {
          scenario: id['scenario'],
          variant: id['variant'],
          seed: id['seed'],
          suite: id['suite'],
          params: id['params'],
          centralBankKey: id['centralBankKey'],
          day: id['day'],
          lanes: id['lanes'],
          genesisOps: id['genesisOps'],
        }
      : null;
  if (identity === null) return bad('ready: identity fields');
  if (!count(v['planned']) || !count(v['genesisSent']) || !count(v['durationMs']))
    return bad('ready: planned, genesisSent or durationMs');
  if (v['genesisSent'] !== 0 && v['genesisSent'] !== identity.genesisOps)
    return bad('ready: genesisSent must be 0 or the whole genesis');
  return ok({
    identity,
    planned: v['planned'],
    genesisSent: v['genesisSent'],
    durationMs: v['durationMs'],
  });
}

export function checkFailed(v: unknown): Checked<FailedBody> {
  if (!isObject(v) || !text(v['code'], 100) || !text(v['message'], 4000))
    return bad('failed: code and message');
  return ok({ code: v['code'], message: v['message'] });
}

export function checkDone(v: unknown): Checked<DoneBody> {
  if (!isObject(v) || !isObject(v['files'])) return bad('done: files');
  const files: Partial<Record<ResultFileName, string>> = {};
  for (const [name, digest] of Object.entries(v['files'])) {
    if (!isResultFileName(name)) return bad(`done: unknown file ${JSON.stringify(name)}`);
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest))
      return bad(`done: digest of ${name}`);
    files[name] = digest;
  }
  return ok({ files });
}

/** Checks an answer of the coordinator as the shard reads it. */
export function checkRunInfo(v: unknown): Checked<RunInfo> {
  if (!isObject(v) || v['protocol'] !== PROTOCOL) return bad('not a coordinator of this protocol');
  if (!text(v['run'], 100) || !/^[0-9a-f]{16,64}$/.test(v['run'])) return bad('run');
  for (const k of ['shards', 'maxRttMs', 'pollMs', 'beatMs', 'shardTimeoutMs'])
    if (!count(v[k]) || v[k] === 0) return bad(k);
  return ok(v as unknown as RunInfo);
}

const RUN_STATES: readonly RunState[] = ['gathering', 'released', 'complete', 'failed'];

export function checkBeatAnswer(v: unknown): Checked<BeatAnswer> {
  if (!isObject(v) || !RUN_STATES.includes(v['state'] as RunState)) return bad('state');
  if (typeof v['now'] !== 'number' || !Number.isFinite(v['now'])) return bad('now');
  if (
    v['startInMs'] !== undefined &&
    (typeof v['startInMs'] !== 'number' || !Number.isFinite(v['startInMs']))
  )
    return bad('startInMs');
  if (v['reason'] !== undefined && typeof v['reason'] !== 'string') return bad('reason');
  return ok(v as unknown as BeatAnswer);
}
