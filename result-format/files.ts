/**
 * A run directory: result.json (the schema), latency.hlog (every histogram, per second) and
 * timeseries.csv (a flat view). Everything a report needs, and enough to merge shards exactly.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatResourcesCsv, formatTimeseriesCsv, parseTimeseriesCsv } from './csv.js';
import { ResultFileError } from './errors.js';
import { formatHlog, parseHlog } from './hlog.js';
import { RESULT_SCHEMA, type RunResult } from './schema.js';
import type { RunHistograms } from './series.js';

export const RESULT_FILE = 'result.json';
export const HLOG_FILE = 'latency.hlog';
export const TIMESERIES_FILE = 'timeseries.csv';
export const RESOURCES_FILE = 'resources.csv';

/** Paths of the files `writeResults` wrote. */
export interface ResultPaths {
  readonly result: string;
  readonly hlog: string;
  readonly timeseries: string;
  /** Written when the run sampled resources. */
  readonly resources?: string;
}

/** Writes result.json, latency.hlog and timeseries.csv into `dir` (created if missing). */
export async function writeResults(
  dir: string,
  result: RunResult,
  histograms: RunHistograms,
): Promise<ResultPaths> {
  await mkdir(dir, { recursive: true });
  const paths: ResultPaths = {
    result: join(dir, RESULT_FILE),
    hlog: join(dir, HLOG_FILE),
    timeseries: join(dir, TIMESERIES_FILE),
    ...(result.resources === undefined ? {} : { resources: join(dir, RESOURCES_FILE) }),
  };
  await Promise.all([
    writeFile(paths.result, `${JSON.stringify(result, null, 2)}\n`),
    writeFile(paths.hlog, formatHlog(histograms)),
    writeFile(paths.timeseries, formatTimeseriesCsv(result.timeseries)),
    ...(paths.resources === undefined || result.resources === undefined
      ? []
      : [writeFile(paths.resources, formatResourcesCsv(result.resources))]),
  ]);
  return paths;
}

/** A run directory read back. */
export interface ResultFiles {
  readonly result: RunResult;
  readonly histograms: RunHistograms;
  readonly timeseries: Array<Record<string, number | null>>;
}

/** Reads a directory written by `writeResults`. Throws if result.json is not this schema. */
export async function readResults(dir: string): Promise<ResultFiles> {
  const [json, hlog, csv] = await Promise.all([
    readFile(join(dir, RESULT_FILE), 'utf8'),
    readFile(join(dir, HLOG_FILE), 'utf8'),
    readFile(join(dir, TIMESERIES_FILE), 'utf8'),
  ]);
  const parsed: unknown = JSON.parse(json);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { schema?: unknown }).schema !== RESULT_SCHEMA
  ) {
    throw new ResultFileError(`${join(dir, RESULT_FILE)} is not a ${RESULT_SCHEMA} result`);
  }
  return {
    result: parsed as RunResult,
    histograms: parseHlog(hlog),
    timeseries: parseTimeseriesCsv(csv),
  };
}

/** Reads and minimally checks `<dir>/result.json`. Throws with the path on anything unusable. */
export async function readResult(dir: string): Promise<RunResult> {
  const file = join(dir, RESULT_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ResultFileError(`${file}: ${(error as Error).message}`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== RESULT_SCHEMA) {
    throw new ResultFileError(
      `${file}: schema is ${JSON.stringify(schema)}, expected "${RESULT_SCHEMA}"`,
    );
  }
  return parsed as RunResult;
}
