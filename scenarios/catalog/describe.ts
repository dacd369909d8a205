/**
 * The catalog's facts as text: for `ecny-bench list` and for the generated part of
 * docs/scenarios.md (a test keeps that part equal to `sourcesMarkdown()`).
 */
import {
  type Fact,
  formatSource,
  isSourced,
  type ScenarioDefinition,
  sourcesOf,
} from '../model/index.js';
import { SCENARIOS } from './registry.js';
import { TIER_PRESETS, type TierPreset } from './tiers.js';

/** Every fact of a definition across its variants, each once (variants share many). */
export function factsOf(def: ScenarioDefinition): Fact[] {
  const seen = new Set<string>();
  const out: Fact[] = [];
  for (const spec of Object.values(def.variants))
    for (const f of spec.facts) {
      const key = JSON.stringify([f.figure, f.value, isSourced(f) ? f.source.url : f.modelled]);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
  return out;
}

/** One line per fact: `figure: value [source]` or `figure: value [modelled: why]`. */
export function factLines(facts: readonly Fact[]): string[] {
  const sources = sourcesOf(facts);
  return facts.map((f) =>
    isSourced(f)
      ? `${f.figure}: ${f.value} [${sources.findIndex((s) => s.url === f.source.url) + 1}]`
      : `${f.figure}: ${f.value} [modelled: ${f.modelled}]`,
  );
}

/** A count line: "14 figures from 6 sources, 9 modelled". */
export function factSummary(facts: readonly Fact[]): string {
  const sourced = facts.filter(isSourced).length;
  const n = sourcesOf(facts).length;
  return `${sourced} figure${sourced === 1 ? '' : 's'} from ${n} source${n === 1 ? '' : 's'}, ${facts.length - sourced} modelled`;
}

function mdEscape(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** A preset's limits as one markdown table row per tier, in yuan ("-" for no limit). */
function tierRows(preset: TierPreset): string[] {
  const y = (v: number | null) => (v === null ? '-' : (v / 100).toLocaleString('en-US'));
  const rows = ([1, 2, 3, 4] as const).map((t) => {
    const l = preset.table[t];
    return `| ${t} | ${y(l.balance)} | ${y(l.single)} | ${y(l.daily)} | ${y(l.annual)} |`;
  });
  return ['| tier | balance | single | daily | annual |', '|---|---|---|---|---|', ...rows];
}

/** A facts table (figure, value, source or modelled, used for) and the numbered sources. */
function factsMarkdown(facts: readonly Fact[]): string[] {
  const sources = sourcesOf(facts);
  const lines = ['| figure | value | source | used for |', '|---|---|---|---|'];
  for (const f of facts) {
    const where = isSourced(f)
      ? `[${sources.findIndex((s) => s.url === f.source.url) + 1}]`
      : `modelled: ${f.modelled}`;
    lines.push(
      `| ${mdEscape(f.figure)} | ${mdEscape(f.value)} | ${mdEscape(where)} | ${f.uses.map((u) => `\`${u}\``).join(', ')} |`,
    );
  }
  lines.push('');
  sources.forEach((s, i) => {
    lines.push(`${i + 1}. ${mdEscape(formatSource(s))}`);
  });
  lines.push('');
  return lines;
}

/**
 * docs/scenarios.md's generated section: every figure of every variant and every tier preset,
 * with its source.
 */
export function sourcesMarkdown(): string {
  const lines: string[] = [];
  for (const def of SCENARIOS.values())
    for (const [name, spec] of Object.entries(def.variants)) {
      lines.push(`#### ${def.name}${Object.keys(def.variants).length > 1 ? ` / ${name}` : ''}`, '');
      lines.push(...factsMarkdown(spec.facts));
    }
  for (const preset of TIER_PRESETS.values()) {
    lines.push(
      `#### tiers: ${preset.name}`,
      '',
      `${preset.description} (yuan; "-" is no limit).`,
      '',
    );
    lines.push(...tierRows(preset), '', ...factsMarkdown(preset.facts));
  }
  return lines.join('\n');
}
