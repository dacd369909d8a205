/**
 * latency.hlog: HdrHistogram's interval-log format (v1.3), one tagged interval per histogram kind
 * per second, so HdrHistogram's own tools (HistogramLogProcessor, HdrHistogramVisualizer, the
 * Go/Rust readers) can slice and re-aggregate a run. Values are µs; Interval_Max is ms.
 *
 * Written with hdr-histogram-js's HistogramLogWriter, except the StartTime/BaseTime lines:
 * its `outputStartTime` emits an extra blank line, which the Java scanner does not expect.
 */
import { HistogramLogReader, HistogramLogWriter } from 'hdr-histogram-js';
import { ResultFileError } from './errors.js';
import { createHistogram, decodeHistogram, encodeHistogram } from './histogram.js';
import { HISTOGRAM_KINDS, type HistogramKind, type RunHistograms } from './series.js';

/** Serialises a run's histograms to the interval-log text. */
export function formatHlog(histograms: RunHistograms): string {
  const chunks: string[] = [];
  const writer = new HistogramLogWriter((line) => {
    chunks.push(line);
  });
  const base = (histograms.startAtMs / 1000).toFixed(3);
  writer.outputLogFormatVersion();
  writer.outputComment(
    `[StartTime: ${base} (seconds since epoch), ${new Date(histograms.startAtMs).toISOString()}]`,
  );
  writer.outputComment(`[BaseTime: ${base} (seconds since epoch)]`);
  writer.outputComment(
    '[ecny-bench: values in microseconds, one interval per second of the measured phase; ' +
      `tags ${HISTOGRAM_KINDS.join(', ')}]`,
  );
  writer.outputLegend();
  for (const interval of histograms.intervals) {
    for (const kind of HISTOGRAM_KINDS) {
      const h = decodeHistogram(interval.histograms[kind]);
      h.tag = kind;
      // µs values; the max column in ms, as HdrHistogram's tools print it by default
      writer.outputIntervalHistogram(h, interval.t, interval.t + 1, 1000);
    }
  }
  return chunks.join('');
}

/**
 * Parses an interval log written by `formatHlog` back into per-second encoded histograms.
 * Throws on a log without a BaseTime/StartTime or with a tag this project does not write.
 */
export function parseHlog(text: string): RunHistograms {
  const reader = new HistogramLogReader(text, 32);
  const byT = new Map<number, Partial<Record<HistogramKind, string>>>();
  let baseSec: number | undefined;
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    baseSec ??= reader.baseTimeSec;
    if (!Number.isFinite(baseSec) || baseSec === 0) {
      throw new ResultFileError(
        'latency.hlog has no #[BaseTime: ...] line: cannot place its intervals',
      );
    }
    const kind = h.tag;
    if (!isKind(kind))
      throw new ResultFileError(`latency.hlog has an unknown tag ${JSON.stringify(kind)}`);
    const t = Math.round(h.startTimeStampMsec / 1000 - baseSec);
    const slot = byT.get(t) ?? {};
    slot[kind] = encodeHistogram(h);
    byT.set(t, slot);
  }
  if (baseSec === undefined) {
    const match = /^#\[BaseTime: ([0-9.]+)/m.exec(text);
    if (match === null) throw new ResultFileError('latency.hlog has no #[BaseTime: ...] line');
    baseSec = Number.parseFloat(match[1]!);
  }
  const empty = encodeHistogram(createHistogram());
  const intervals = [...byT.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, slot]) => ({
      t,
      histograms: {
        corrected: slot.corrected ?? empty,
        uncorrected: slot.uncorrected ?? empty,
        sendLag: slot.sendLag ?? empty,
        dependencyWait: slot.dependencyWait ?? empty,
      },
    }));
  return { startAtMs: Math.round(baseSec * 1000), intervals };
}

function isKind(tag: string): tag is HistogramKind {
  return (HISTOGRAM_KINDS as readonly string[]).includes(tag);
}
