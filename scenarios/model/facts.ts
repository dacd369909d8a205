/**
 * Where a scenario's figures come from. Every figure a scenario uses is a `Fact`: either taken
 * from a public source (publisher, date, title, URL and the exact figure as the source gives it)
 * or labelled `modelled` with what stands in for the missing figure and why. Facts name the
 * spec parameters built from them (`uses`), so validation can refuse a parameter that no fact
 * covers: a figure with neither a source nor a modelled label.
 *
 * Facts are documentation of the data, not inputs of generation: they are left out of the
 * workload key, so correcting a citation never changes a workload.
 */

/** A public document a figure comes from. */
export interface Source {
  readonly publisher: string;
  /** Publication date: YYYY-MM-DD, or YYYY-MM / YYYY when the page gives no day. */
  readonly date: string;
  readonly title: string;
  /** http(s) address of the page the figure was read on. */
  readonly url: string;
  /** How the page relates to the original, e.g. "repost of Caixin; the original is paywalled". */
  readonly note?: string;
}

/** A figure taken from a public source. */
export interface SourcedFact {
  /** What the figure is, e.g. "red packets". */
  readonly figure: string;
  /** The exact figure as the source gives it, e.g. "50,000 x 200 yuan". */
  readonly value: string;
  readonly source: Source;
  /** Spec parameters built from it, as dot paths: `groups.winners.count`, `phases[0]`. */
  readonly uses: readonly string[];
}

/** A figure no source gives: what the scenario uses instead, and why. */
export interface ModelledFact {
  readonly figure: string;
  /** The value the scenario uses, e.g. "15% of winners add 120 yuan". */
  readonly value: string;
  /** Why it is modelled and what it rests on (other facts, a choice of ours). */
  readonly modelled: string;
  readonly uses: readonly string[];
}

/** One figure of a scenario and its provenance. */
export type Fact = SourcedFact | ModelledFact;

/** True when the fact cites a source (false: it is modelled). */
export function isSourced(fact: Fact): fact is SourcedFact {
  return 'source' in fact;
}

/** `publisher, date, "title", url`: one line naming a source. */
export function formatSource(s: Source): string {
  return `${s.publisher}, ${s.date}, "${s.title}", ${s.url}${s.note ? ` (${s.note})` : ''}`;
}

/** The distinct sources of some facts, in first-use order (one per URL). */
export function sourcesOf(facts: readonly Fact[]): Source[] {
  const seen = new Map<string, Source>();
  for (const f of facts)
    if (isSourced(f) && !seen.has(f.source.url)) seen.set(f.source.url, f.source);
  return [...seen.values()];
}
