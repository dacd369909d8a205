/**
 * Live progress of the measured phase. On a terminal: one line rewritten every second. Anywhere
 * else (CI logs, `| tee`): one line every few seconds (ECNY_PROGRESS_INTERVAL, default 5), so a
 * log shows the run is alive and how it goes: sent, answered, p99 so far, dropped, errors.
 */
import type { Progress } from '../../load/index.js';

const DEFAULT_INTERVAL_S = 5;

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** One progress line: this second and the measured phase so far. */
export function progressLine(p: Progress): string {
  const s = p.sofar;
  const p99 = s.latency.count > 0 ? `${ms(s.latency.p99)} ms` : '-';
  return (
    `t=${p.t + 1}s: ${p.achieved}/s answered (${p.offered}/s planned); so far sent ${n(s.sent)}, ` +
    `answered ${n(s.achieved)}, p99 ${p99}, dropped ${n(s.dropped)}, errors ${n(s.errors)}`
  );
}

export interface ProgressPrinter {
  readonly onProgress: (p: Progress) => void;
  /** Ends a rewritten terminal line. */
  done(): void;
}

export function progressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
  intervalS: number = Number(process.env['ECNY_PROGRESS_INTERVAL'] ?? DEFAULT_INTERVAL_S),
): ProgressPrinter {
  const every =
    Number.isFinite(intervalS) && intervalS >= 1 ? Math.floor(intervalS) : DEFAULT_INTERVAL_S;
  let drawn = false;
  return {
    onProgress(p) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[K  ${progressLine(p)}`);
        drawn = true;
      } else if ((p.t + 1) % every === 0) {
        stream.write(`  ${progressLine(p)}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
