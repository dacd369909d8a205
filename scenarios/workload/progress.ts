/**
 * A tiny progress bar for long generations: silent unless the stream is a TTY and the work has
 * already taken `delayMs`, so short runs, pipes and CI logs stay clean.
 */
import type { ProgressListener } from './generate.js';

/** A progress bar: feed it updates, clear it when done. */
export interface ProgressBar {
  readonly listener: ProgressListener;
  /** Clears the bar (if one was drawn). */
  done(): void;
}

interface Stream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): boolean;
}

/** A progress bar on `stream` (default stderr) that appears after `delayMs` (default 1 s). */
export function createProgressBar(
  stream: Stream = process.stderr,
  options: { readonly delayMs?: number; readonly label?: string } = {},
): ProgressBar {
  const started = performance.now();
  const delayMs = options.delayMs ?? 1000;
  let lastDraw = 0;
  let drawn = false;
  const listener: ProgressListener = (stage, done, total) => {
    if (!stream.isTTY) return;
    const now = performance.now();
    if (now - started < delayMs || (now - lastDraw < 100 && done < total)) return;
    lastDraw = now;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
    const filled = Math.round(frac * width);
    const label = options.label ? `${options.label} ` : '';
    const secs = ((now - started) / 1000).toFixed(1);
    stream.write(
      `\r\x1b[K${label}${stage.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
        `${String(Math.round(frac * 100)).padStart(3)}% ${done.toLocaleString('en-US')}/` +
        `${total.toLocaleString('en-US')} ${secs}s`,
    );
    drawn = true;
  };
  return {
    listener,
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
