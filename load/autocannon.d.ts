/**
 * Minimal types for autocannon 8 (it ships none): only what saturate.ts and bench/driver.ts use.
 * Shapes read from node_modules/autocannon/lib/{run,httpClient,aggregateResult}.js.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called with each answer to this request object, before the 'response' event. */
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string | string[]>,
      ) => void;
    }

    /** One connection (lib/httpClient.js). */
    interface Client extends EventEmitter {
      setRequests(requests: Request[]): void;
      /** Requests after which the client destroys itself (0: unlimited). */
      responseMax: number;
    }

    interface Options {
      url: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      amount?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      requests?: Request[];
      setupClient?: (client: Client) => void;
      /** Seconds before a request times out. */
      timeout?: number;
      overallRate?: number;
      connectionRate?: number;
      ignoreCoordinatedOmission?: boolean;
      excludeErrorStats?: boolean;
    }

    /** hdr-histogram-percentiles-obj summary: ms for latency, req/s for requests. */
    interface Summary {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
      p99_9: number;
      [key: string]: number;
    }

    interface Result {
      duration: number;
      start: Date;
      finish: Date;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      latency: Summary & { totalCount: number };
      requests: Summary & { sent: number };
      statusCodeStats: Record<string, { count: number }>;
    }

    /** The running job: an EventEmitter ('response', 'tick', 'done') and a promise of the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
