/**
 * Validation of a spec's facts: each cites a complete source or carries a `modelled` label,
 * names parameters that exist, and together they cover every figure of the spec. A figure is a
 * parameter that stands for something in the world (a count, an amount, a time, a shape), not a
 * run setting such as `durationS` or a behaviour switch such as `coins`.
 */
import type { ConfigIssue } from './types.js';

type Obj = Record<string, unknown>;

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const FACT_KEYS = ['figure', 'value', 'source', 'modelled', 'uses'];
const SOURCE_KEYS = ['publisher', 'date', 'title', 'url', 'note'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v.trim().length > 0;
}

/** A path's steps: `phases[0].mix` -> ['phases', 0, 'mix']. Null if malformed. */
function stepsOf(path: string): (string | number)[] | null {
  if (!/^[A-Za-z0-9_-]+(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*$/.test(path)) return null;
  const steps: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part)!;
    steps.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  return steps;
}

/** True when `path` names something that exists in `spec`. */
function exists(spec: Obj, path: string): boolean {
  const steps = stepsOf(path);
  if (steps === null) return false;
  let v: unknown = spec;
  for (const s of steps) {
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return false;
      v = v[s];
    } else {
      if (!isObj(v) || !(s in v)) return false;
      v = v[s];
    }
  }
  return true;
}

/** Every figure path of a spec: what a fact must cover. */
export function figurePaths(spec: Obj): string[] {
  const out = ['start', 'windowS', 'banks', 'arrival', 'mix'];
  if (isObj(spec.groups))
    for (const [name, g] of Object.entries(spec.groups)) {
      if (!isObj(g)) continue;
      out.push(`groups.${name}.count`, `groups.${name}.tiers`);
      if (g.funding !== undefined) out.push(`groups.${name}.funding`);
      if (g.popularity !== undefined) out.push(`groups.${name}.popularity`);
      if (g.claim !== undefined) out.push(`groups.${name}.claim`);
    }
  if (isObj(spec.flows))
    for (const [name, f] of Object.entries(spec.flows)) {
      if (!isObj(f)) continue;
      out.push(`flows.${name}.amount`);
      for (const k of ['channels', 'offline', 'invalidSplit'])
        if (f[k] !== undefined) out.push(`flows.${name}.${k}`);
    }
  if (Array.isArray(spec.phases)) out.push('phases');
  if (isObj(spec.scales))
    for (const s of Object.keys(spec.scales)) out.push(`scales.${s}.payments`);
  if (spec.invalid !== undefined) out.push('invalid');
  if (isObj(spec.twoTier)) for (const k of Object.keys(spec.twoTier)) out.push(`twoTier.${k}`);
  return out;
}

/** A fact's `uses` entry covers a figure path when one contains the other. */
function covers(use: string, figure: string): boolean {
  const under = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return under(use, figure) || under(figure, use);
}

function checkSource(out: ConfigIssue[], path: string, v: unknown): void {
  if (!isObj(v)) {
    out.push({ path, message: 'must be {publisher, date, title, url}' });
    return;
  }
  for (const k of Object.keys(v))
    if (!SOURCE_KEYS.includes(k))
      out.push({
        path: `${path}.${k}`,
        message: `unknown field (allowed: ${SOURCE_KEYS.join(', ')})`,
      });
  for (const k of ['publisher', 'title'])
    if (!nonEmpty(v[k])) out.push({ path: `${path}.${k}`, message: 'must be a non-empty string' });
  const d = typeof v.date === 'string' ? DATE.exec(v.date) : null;
  const month = d?.[2] === undefined ? 1 : Number(d[2]);
  const day = d?.[3] === undefined ? 1 : Number(d[3]);
  const real =
    d !== null &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    new Date(Date.UTC(Number(d[1]), month - 1, day)).getUTCDate() === day;
  if (!real)
    out.push({ path: `${path}.date`, message: 'must be a date YYYY-MM-DD, YYYY-MM or YYYY' });
  let url: URL | null = null;
  try {
    url = typeof v.url === 'string' ? new URL(v.url) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '')
    out.push({ path: `${path}.url`, message: 'must be an http(s) URL' });
  if (v.note !== undefined && !nonEmpty(v.note))
    out.push({ path: `${path}.note`, message: 'must be a non-empty string when given' });
}

/** Every problem with a spec's facts, with paths (`facts[2].source.url: ...`). */
export function validateFacts(spec: Obj): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const facts = spec.facts;
  if (!Array.isArray(facts)) {
    out.push({
      path: 'facts',
      message: 'must be an array of facts (a source or a modelled label each)',
    });
    return out;
  }
  const used: string[] = [];
  facts.forEach((f: unknown, i) => {
    const p = `facts[${i}]`;
    if (!isObj(f)) {
      out.push({ path: p, message: 'must be {figure, value, source | modelled, uses}' });
      return;
    }
    for (const k of Object.keys(f))
      if (!FACT_KEYS.includes(k))
        out.push({
          path: `${p}.${k}`,
          message: `unknown field (allowed: ${FACT_KEYS.join(', ')})`,
        });
    for (const k of ['figure', 'value'])
      if (!nonEmpty(f[k])) out.push({ path: `${p}.${k}`, message: 'must be a non-empty string' });
    const hasSource = f.source !== undefined;
    const hasModelled = f.modelled !== undefined;
    if (hasSource && hasModelled)
      out.push({ path: p, message: 'has both a source and a modelled label: choose one' });
    else if (!hasSource && !hasModelled)
      out.push({ path: p, message: 'has neither a source nor a modelled label' });
    if (hasSource) checkSource(out, `${p}.source`, f.source);
    if (hasModelled && !nonEmpty(f.modelled))
      out.push({ path: `${p}.modelled`, message: 'must say why the figure is modelled' });
    if (!Array.isArray(f.uses) || f.uses.length === 0) {
      out.push({ path: `${p}.uses`, message: 'must name at least one parameter it is used for' });
      return;
    }
    f.uses.forEach((u: unknown, j) => {
      if (typeof u !== 'string' || !exists(spec, u))
        out.push({
          path: `${p}.uses[${j}]`,
          message: `${JSON.stringify(u)} is not a parameter of this spec`,
        });
      else used.push(u);
    });
  });
  for (const figure of figurePaths(spec))
    if (!used.some((u) => covers(u, figure)))
      out.push({
        path: figure,
        message: 'a figure with neither a source nor a modelled label (no fact uses it)',
      });
  return out;
}
