/**
 * Per-class counting inside one load generator: each op belongs to its operation type and, for
 * a payment, its channel (the workload's `type` and `channel`). Answers are counted per class
 * and per second, corrected latency goes into one histogram per class; shipped once, at the end.
 */
import {
  createHistogram,
  emptyClass,
  encodeHistogram,
  type Histogram,
  recordMicros,
  type WireClass,
  type WireClasses,
} from '../result-format/index.js';

const NONE = 255;

export class ClassRecorder {
  readonly #keys: string[] = [];
  readonly #classes: WireClass[] = [];
  readonly #hists: Histogram[] = [];
  /** Per local op: its type class and its channel class (NONE when it has no channel). */
  readonly #type: Uint8Array;
  readonly #channel: Uint8Array;

  /** `type[k]` and `channel[k]` label local op k. At most 254 distinct classes. */
  constructor(type: readonly string[], channel: readonly (string | undefined)[]) {
    const n = type.length;
    this.#type = new Uint8Array(n);
    this.#channel = new Uint8Array(n).fill(NONE);
    const ids = new Map<string, number>();
    const idOf = (key: string): number => {
      let id = ids.get(key);
      if (id === undefined) {
        id = this.#keys.length;
        if (id >= NONE) throw new Error('more than 254 op classes in one workload');
        ids.set(key, id);
        this.#keys.push(key);
        this.#classes.push(emptyClass());
        this.#hists.push(createHistogram());
      }
      return id;
    };
    for (let k = 0; k < n; k++) {
      this.#type[k] = idOf(`type:${type[k]}`);
      this.#classes[this.#type[k]!]!.planned++;
      const ch = channel[k];
      if (ch) {
        this.#channel[k] = idOf(`channel:${ch}`);
        this.#classes[this.#channel[k]!]!.planned++;
      }
    }
  }

  #each(k: number, fn: (c: WireClass, id: number) => void): void {
    fn(this.#classes[this.#type[k]!]!, this.#type[k]!);
    const ch = this.#channel[k]!;
    if (ch !== NONE) fn(this.#classes[ch]!, ch);
  }

  /** Op k answered (settled or refused) in second `t` after `micros` from its intended send. */
  answered(k: number, t: number, settled: boolean, micros: number): void {
    this.#each(k, (c, id) => {
      c.answered++;
      if (settled) c.settled++;
      else c.rejected++;
      c.perSecond[t] = (c.perSecond[t] ?? 0) + 1;
      recordMicros(this.#hists[id]!, micros);
    });
  }

  error(k: number): void {
    this.#each(k, (c) => {
      c.errors++;
    });
  }

  dropped(k: number): void {
    this.#each(k, (c) => {
      c.dropped++;
    });
  }

  /** Everything counted, histograms encoded. */
  finish(): WireClasses {
    const out: WireClasses = {};
    this.#keys.forEach((key, id) => {
      const c = this.#classes[id]!;
      const h = this.#hists[id]!;
      out[key] = {
        ...c,
        perSecond: Array.from(c.perSecond, (n) => n ?? 0),
        histogram: h.totalCount > 0 ? encodeHistogram(h) : '',
      };
    });
    return out;
  }
}
