/**
 * Validation of scenario data and run options. Every check runs and every problem is reported
 * with its path (`flows.spend.amount.sigma: must be > 0`), so a bad config is fixed in one go.
 * Inputs are `unknown`: scenario data may come from JSON or overrides, not only from the catalog.
 */
import {
  balanceLimit,
  DEFAULT_TIERS,
  parseTierTable,
  type TierTable,
  tierTableYuan,
  type WalletTier,
} from '../../engine/domain/index.js';
import { type ArrivalCurve, curvePieces, totalArea } from '../../rates/index.js';
import { type ConfigIssue, INVALID_CODES, SCALES, type ScenarioDefinition } from './types.js';
import { validateFacts } from './validate-facts.js';

type Obj = Record<string, unknown>;

class Issues {
  readonly list: ConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

const FEN = 100;
const TIER_KEYS = ['1', '2', '3', '4'];
const START = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function checkKeys(out: Issues, path: string, o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      out.add(join(path, k), `unknown field (allowed: ${allowed.join(', ')})`);
}

interface NumRule {
  readonly min?: number;
  readonly max?: number;
  /** Strict lower bound. */
  readonly above?: number;
  readonly int?: boolean;
  readonly optional?: boolean;
}

/** Checks a number; returns it when usable for further checks, else undefined. */
function num(out: Issues, path: string, v: unknown, rule: NumRule = {}): number | undefined {
  if (v === undefined && rule.optional) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    out.add(path, 'must be a finite number');
    return undefined;
  }
  let ok = true;
  if (rule.int && !Number.isSafeInteger(v)) {
    out.add(path, 'must be an integer');
    ok = false;
  }
  if (rule.min !== undefined && v < rule.min) {
    out.add(path, `must be >= ${rule.min}`);
    ok = false;
  }
  if (rule.above !== undefined && v <= rule.above) {
    out.add(path, `must be > ${rule.above}`);
    ok = false;
  }
  if (rule.max !== undefined && v > rule.max) {
    out.add(path, `must be <= ${rule.max}`);
    ok = false;
  }
  return ok ? v : undefined;
}

function str(out: Issues, path: string, v: unknown, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0) {
    out.add(path, 'must be a non-empty string');
    return undefined;
  }
  return v;
}

/** Yuan amounts must be whole fen. */
function yuan(out: Issues, path: string, v: unknown, optional = false): number | undefined {
  const n = num(out, path, v, { above: 0, optional });
  if (n !== undefined && !Number.isSafeInteger(Math.round(n * FEN))) {
    out.add(path, 'is too large');
    return undefined;
  }
  if (n !== undefined && Math.abs(n * FEN - Math.round(n * FEN)) > 1e-6) {
    out.add(path, 'must be a whole number of fen (0.01 yuan)');
    return undefined;
  }
  return n;
}

/** Weights: non-negative numbers with a positive sum; keys checked by `known`. */
function weights(
  out: Issues,
  path: string,
  v: unknown,
  known?: (key: string) => string | null,
): Record<string, number> | undefined {
  if (!isObj(v)) {
    out.add(path, 'must be an object of weights');
    return undefined;
  }
  let sum = 0;
  const result: Record<string, number> = {};
  for (const [k, w] of Object.entries(v)) {
    const problem = known?.(k);
    if (problem) out.add(join(path, k), problem);
    const n = num(out, join(path, k), w, { min: 0 });
    if (n !== undefined) {
      sum += n;
      result[k] = n;
    }
  }
  if (Object.keys(v).length > 0 && sum <= 0) out.add(path, 'weights must sum to more than 0');
  if (Object.keys(v).length === 0) out.add(path, 'must name at least one entry');
  return result;
}

function perScale(
  out: Issues,
  path: string,
  v: unknown,
  rule: NumRule,
): Record<string, number> | undefined {
  if (typeof v === 'number') {
    const n = num(out, path, v, rule);
    return n === undefined ? undefined : Object.fromEntries(SCALES.map((s) => [s, n]));
  }
  if (!isObj(v)) {
    out.add(path, `must be a number or an object with ${SCALES.join(', ')}`);
    return undefined;
  }
  checkKeys(out, path, v, SCALES);
  const r: Record<string, number> = {};
  let ok = true;
  for (const s of SCALES) {
    const n = num(out, join(path, s), v[s], rule);
    if (n === undefined) ok = false;
    else r[s] = n;
  }
  return ok ? r : undefined;
}

function checkCurve(out: Issues, path: string, v: unknown): void {
  if (!isObj(v)) {
    out.add(path, 'must be an arrival curve object');
    return;
  }
  let ok = true;
  switch (v.kind) {
    case 'constant':
      checkKeys(out, path, v, ['kind']);
      break;
    case 'ramp':
      checkKeys(out, path, v, ['kind', 'from', 'to']);
      if (num(out, join(path, 'from'), v.from, { min: 0 }) === undefined) ok = false;
      if (num(out, join(path, 'to'), v.to, { min: 0 }) === undefined) ok = false;
      break;
    case 'steps': {
      checkKeys(out, path, v, ['kind', 'steps']);
      if (!Array.isArray(v.steps) || v.steps.length === 0) {
        out.add(join(path, 'steps'), 'must be a non-empty array');
        ok = false;
        break;
      }
      let prev = 0;
      v.steps.forEach((s: unknown, i) => {
        const p = join(join(path, 'steps'), i);
        if (!isObj(s)) {
          out.add(p, 'must be {until, rate}');
          ok = false;
          return;
        }
        const until = num(out, join(p, 'until'), s.until, { above: 0, max: 1 });
        if (num(out, join(p, 'rate'), s.rate, { min: 0 }) === undefined) ok = false;
        if (until === undefined) ok = false;
        else if (until <= prev) {
          out.add(join(p, 'until'), 'must increase from step to step');
          ok = false;
        } else prev = until;
      });
      const last = v.steps[v.steps.length - 1] as Obj | undefined;
      if (isObj(last) && last.until !== 1) {
        out.add(join(join(path, 'steps'), v.steps.length - 1), 'the last step must run until 1');
        ok = false;
      }
      break;
    }
    case 'curve': {
      checkKeys(out, path, v, ['kind', 'points']);
      if (!Array.isArray(v.points) || v.points.length < 2) {
        out.add(join(path, 'points'), 'must have at least two points');
        ok = false;
        break;
      }
      let prev = 0;
      v.points.forEach((pt: unknown, i) => {
        const p = join(join(path, 'points'), i);
        if (!isObj(pt)) {
          out.add(p, 'must be {t, rate}');
          ok = false;
          return;
        }
        const t = num(out, join(p, 't'), pt.t, { min: 0, max: 1 });
        if (num(out, join(p, 'rate'), pt.rate, { min: 0 }) === undefined) ok = false;
        if (t === undefined) ok = false;
        else if (t < prev) {
          out.add(join(p, 't'), 'must not decrease');
          ok = false;
        } else prev = t;
        if (i === 0 && t !== 0) out.add(join(p, 't'), 'the first point must be at t = 0');
        if (i === (v.points as unknown[]).length - 1 && t !== 1)
          out.add(join(p, 't'), 'the last point must be at t = 1');
      });
      break;
    }
    default:
      out.add(join(path, 'kind'), 'must be one of constant, ramp, steps, curve');
      ok = false;
  }
  if (ok && totalArea(curvePieces(v as ArrivalCurve)) <= 0)
    out.add(path, 'must have a positive rate somewhere');
}

function checkAmount(out: Issues, path: string, v: unknown): void {
  if (!isObj(v)) {
    out.add(path, 'must be an amount model object');
    return;
  }
  switch (v.kind) {
    case 'fixed':
      checkKeys(out, path, v, ['kind', 'yuan']);
      yuan(out, join(path, 'yuan'), v.yuan);
      break;
    case 'choice':
      checkKeys(out, path, v, ['kind', 'yuan', 'weights']);
      if (!Array.isArray(v.yuan) || v.yuan.length === 0)
        out.add(join(path, 'yuan'), 'must be a non-empty array');
      else
        v.yuan.forEach((y: unknown, i) => {
          yuan(out, join(join(path, 'yuan'), i), y);
        });
      if (v.weights !== undefined) {
        if (
          !Array.isArray(v.weights) ||
          !Array.isArray(v.yuan) ||
          v.weights.length !== v.yuan.length
        )
          out.add(join(path, 'weights'), 'must be an array as long as yuan');
        else
          v.weights.forEach((w: unknown, i) => {
            num(out, join(join(path, 'weights'), i), w, { min: 0 });
          });
      }
      break;
    case 'uniform': {
      checkKeys(out, path, v, ['kind', 'minYuan', 'maxYuan']);
      const lo = yuan(out, join(path, 'minYuan'), v.minYuan);
      const hi = yuan(out, join(path, 'maxYuan'), v.maxYuan);
      if (lo !== undefined && hi !== undefined && hi < lo)
        out.add(join(path, 'maxYuan'), 'must be >= minYuan');
      break;
    }
    case 'lognormal': {
      checkKeys(out, path, v, ['kind', 'medianYuan', 'sigma', 'minYuan', 'maxYuan']);
      yuan(out, join(path, 'medianYuan'), v.medianYuan);
      num(out, join(path, 'sigma'), v.sigma, { above: 0, max: 5 });
      const lo = yuan(out, join(path, 'minYuan'), v.minYuan);
      const hi = yuan(out, join(path, 'maxYuan'), v.maxYuan);
      if (lo !== undefined && hi !== undefined && hi < lo)
        out.add(join(path, 'maxYuan'), 'must be >= minYuan');
      break;
    }
    default:
      out.add(join(path, 'kind'), 'must be one of fixed, choice, uniform, lognormal');
  }
}

function checkSplit(out: Issues, path: string, v: unknown): void {
  weights(out, path, v, (k) =>
    (INVALID_CODES as readonly string[]).includes(k)
      ? null
      : `is not an injectable code (${INVALID_CODES.join(', ')})`,
  );
}

interface GroupFacts {
  readonly kind: unknown;
  readonly tiers: WalletTier[];
  readonly funded: boolean;
  readonly claimed: boolean;
}

function checkGroup(
  out: Issues,
  path: string,
  v: unknown,
  tiersTable: TierTable,
): GroupFacts | undefined {
  if (!isObj(v)) {
    out.add(path, 'must be a group object');
    return undefined;
  }
  checkKeys(out, path, v, ['kind', 'tiers', 'count', 'funding', 'popularity', 'claim']);
  if (v.kind !== 'personal' && v.kind !== 'merchant')
    out.add(join(path, 'kind'), 'must be "personal" or "merchant"');
  const tw = weights(out, join(path, 'tiers'), v.tiers, (k) =>
    TIER_KEYS.includes(k) ? null : 'must be a tier 1, 2, 3 or 4',
  );
  const tiers = Object.entries(tw ?? {})
    .filter(([k, w]) => TIER_KEYS.includes(k) && w > 0)
    .map(([k]) => Number(k) as WalletTier);
  perScale(out, join(path, 'count'), v.count, { int: true, min: 1 });
  let funded = false;
  if (v.funding !== undefined) {
    const fp = join(path, 'funding');
    if (!Array.isArray(v.funding)) out.add(fp, 'must be an array');
    else {
      // The most one wallet can be given, per scale: every funding entry may land on it.
      const most: Record<string, number> = { small: 0, city: 0, national: 0 };
      v.funding.forEach((f: unknown, i) => {
        const p = join(fp, i);
        if (!isObj(f)) {
          out.add(p, 'must be {share, coins, yuan}');
          return;
        }
        checkKeys(out, p, f, ['share', 'coins', 'yuan']);
        num(out, join(p, 'share'), f.share, { above: 0, max: 1 });
        const coins = perScale(out, join(p, 'coins'), f.coins, { int: true, min: 0, max: 100_000 });
        const y = yuan(out, join(p, 'yuan'), f.yuan);
        if (coins && y !== undefined) {
          for (const s of SCALES) most[s]! += coins[s]! * y;
          if (Object.values(coins).some((c) => c > 0)) funded = true;
        }
      });
      if (v.kind === 'personal') {
        for (const tier of tiers) {
          const cap = balanceLimit(tiersTable, tier, 'personal');
          for (const s of SCALES) {
            if (cap !== null && most[s]! * FEN > cap) {
              out.add(
                fp,
                `${most[s]} yuan at scale ${s} exceeds the tier ${tier} balance limit of ${cap / FEN} yuan`,
              );
            }
          }
        }
      }
    }
  }
  if (v.popularity !== undefined) {
    const pp = join(path, 'popularity');
    const pop = v.popularity;
    if (!isObj(pop) || !['uniform', 'zipf', 'each'].includes(pop.kind as string))
      out.add(pp, 'must be {kind: uniform | zipf | each}');
    else if (pop.kind === 'zipf') {
      checkKeys(out, pp, pop, ['kind', 's']);
      num(out, join(pp, 's'), pop.s, { above: 0, max: 10 });
    } else checkKeys(out, pp, pop, ['kind']);
  }
  if (v.claim !== undefined) {
    const cp = join(path, 'claim');
    if (!isObj(v.claim)) out.add(cp, 'must be {from, to, arrival}');
    else {
      checkKeys(out, cp, v.claim, ['from', 'to', 'arrival']);
      checkWindow(out, cp, v.claim);
      checkCurve(out, join(cp, 'arrival'), v.claim.arrival);
      if (!funded) out.add(cp, 'a claimed group needs funding to claim');
    }
  }
  return { kind: v.kind, tiers, funded, claimed: v.claim !== undefined };
}

/** `from` < `to`, both in [0, 1]. */
function checkWindow(out: Issues, path: string, v: Obj): void {
  const f = num(out, join(path, 'from'), v.from, { min: 0, max: 1 });
  const t = num(out, join(path, 'to'), v.to, { min: 0, max: 1 });
  if (f !== undefined && t !== undefined && t <= f) out.add(join(path, 'to'), 'must be > from');
}

/** A group reference of a two-tier entry: it must exist (and be funded or a merchant, as asked). */
function checkGroupRef(
  out: Issues,
  path: string,
  name: unknown,
  groups: Map<string, GroupFacts>,
  need: 'personal' | 'merchant' | 'funded',
): void {
  const g = typeof name === 'string' ? groups.get(name) : undefined;
  if (!g) out.add(path, 'is not a group of this scenario');
  else if (need === 'funded' && !g.funded) out.add(path, 'must be a funded group');
  else if (need !== 'funded' && g.kind !== need) out.add(path, `must be a ${need} group`);
}

function checkTwoTier(
  out: Issues,
  v: unknown,
  groups: Map<string, GroupFacts>,
  payees: Set<string>,
  payers: Set<string>,
): void {
  const p = 'twoTier';
  if (!isObj(v)) {
    out.add(p, 'must be {topUps?, redemptions?, sweeps?, expiry?, replenish?}');
    return;
  }
  checkKeys(out, p, v, ['topUps', 'redemptions', 'sweeps', 'expiry', 'replenish']);
  for (const kind of ['topUps', 'redemptions'] as const) {
    const list = v[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.add(join(p, kind), 'must be an array');
      continue;
    }
    list.forEach((e: unknown, i) => {
      const ep = join(join(p, kind), i);
      if (!isObj(e)) {
        out.add(ep, 'must be {group, share, amount, from, to}');
        return;
      }
      checkKeys(out, ep, e, ['group', 'share', 'amount', 'from', 'to']);
      checkGroupRef(out, join(ep, 'group'), e.group, groups, 'personal');
      if (typeof e.group === 'string' && groups.has(e.group) && !payers.has(e.group))
        out.add(join(ep, 'group'), "must pay in some flow (its ops run in its wallets' lanes)");
      num(out, join(ep, 'share'), e.share, { above: 0, max: 1 });
      checkAmount(out, join(ep, 'amount'), e.amount);
      checkWindow(out, ep, e);
    });
  }
  if (v.sweeps !== undefined) {
    if (!Array.isArray(v.sweeps)) out.add(join(p, 'sweeps'), 'must be an array');
    else
      v.sweeps.forEach((e: unknown, i) => {
        const ep = join(join(p, 'sweeps'), i);
        if (!isObj(e)) {
          out.add(ep, 'must be {group, share, hour, spreadMinutes}');
          return;
        }
        checkKeys(out, ep, e, ['group', 'share', 'hour', 'spreadMinutes']);
        checkGroupRef(out, join(ep, 'group'), e.group, groups, 'merchant');
        if (typeof e.group === 'string' && groups.has(e.group) && !payees.has(e.group))
          out.add(join(ep, 'group'), 'is paid by no flow: nothing to sweep');
        num(out, join(ep, 'share'), e.share, { above: 0, max: 1 });
        num(out, join(ep, 'hour'), e.hour, { min: 0, max: 23.99 });
        num(out, join(ep, 'spreadMinutes'), e.spreadMinutes, { above: 0, max: 600 });
      });
  }
  if (v.expiry !== undefined) {
    const ep = join(p, 'expiry');
    const e = v.expiry;
    if (!isObj(e)) out.add(ep, 'must be {groups, at, spread, returnToIssuer}');
    else {
      checkKeys(out, ep, e, ['groups', 'at', 'spread', 'returnToIssuer']);
      if (!Array.isArray(e.groups) || e.groups.length === 0)
        out.add(join(ep, 'groups'), 'must name at least one group');
      else
        e.groups.forEach((g: unknown, i) => {
          checkGroupRef(out, join(join(ep, 'groups'), i), g, groups, 'funded');
          if (typeof g === 'string' && groups.has(g) && !payers.has(g))
            out.add(
              join(join(ep, 'groups'), i),
              'must pay in some flow (its packets are spent first)',
            );
        });
      const at = num(out, join(ep, 'at'), e.at, { min: 0, max: 1 });
      const spread = num(out, join(ep, 'spread'), e.spread, { above: 0, max: 1 });
      if (at !== undefined && spread !== undefined && at + spread > 1 + 1e-9)
        out.add(join(ep, 'spread'), 'must end by the end of the run (at + spread <= 1)');
      if (typeof e.returnToIssuer !== 'boolean')
        out.add(join(ep, 'returnToIssuer'), 'must be a boolean');
    }
  }
  if (v.replenish !== undefined) {
    const rp = join(p, 'replenish');
    const r = v.replenish;
    if (!isObj(r)) out.add(rp, 'must be {floatYuan, lowWaterYuan, amountYuan}');
    else {
      checkKeys(out, rp, r, ['floatYuan', 'lowWaterYuan', 'amountYuan']);
      const f = yuan(out, join(rp, 'floatYuan'), r.floatYuan);
      const low = yuan(out, join(rp, 'lowWaterYuan'), r.lowWaterYuan);
      yuan(out, join(rp, 'amountYuan'), r.amountYuan);
      if (f !== undefined && low !== undefined && low >= f)
        out.add(join(rp, 'lowWaterYuan'), 'must be below floatYuan');
    }
  }
}

function checkMix(out: Issues, path: string, v: unknown, flows: Obj, from: number | null): void {
  const mix = weights(out, path, v, (k) => (k in flows ? null : 'is not a flow of this scenario'));
  for (const [k, w] of Object.entries(mix ?? {})) {
    const flow = flows[k];
    if (w <= 0 || !isObj(flow) || !isObj(flow.offline)) continue;
    const to = flow.offline.to;
    if (from === null)
      out.add(join(path, k), 'an offline flow may only be weighted in a phase after it reconnects');
    else if (typeof to === 'number' && from < to)
      out.add(join(path, k), `offline payments are sent after they are made (phase from >= ${to})`);
  }
}

function checkFlow(out: Issues, path: string, v: unknown, groups: Map<string, GroupFacts>): void {
  if (!isObj(v)) {
    out.add(path, 'must be a flow object');
    return;
  }
  checkKeys(out, path, v, [
    'payer',
    'payee',
    'amount',
    'coins',
    'capToAvailable',
    'channels',
    'offline',
    'invalidSplit',
  ]);
  const payer = str(out, join(path, 'payer'), v.payer);
  const payee = str(out, join(path, 'payee'), v.payee);
  if (payer !== undefined) {
    const g = groups.get(payer);
    if (!g) out.add(join(path, 'payer'), `is not a group of this scenario`);
    else if (!g.funded) out.add(join(path, 'payer'), 'a payer group needs genesis funding');
  }
  if (payee !== undefined && !groups.has(payee))
    out.add(join(path, 'payee'), `is not a group of this scenario`);
  checkAmount(out, join(path, 'amount'), v.amount);
  if (v.coins !== 'chain' && v.coins !== 'fresh')
    out.add(join(path, 'coins'), 'must be "chain" or "fresh"');
  if (v.capToAvailable !== undefined && typeof v.capToAvailable !== 'boolean')
    out.add(join(path, 'capToAvailable'), 'must be a boolean');
  if (v.channels !== undefined) weights(out, join(path, 'channels'), v.channels);
  if (v.offline !== undefined) {
    const op = join(path, 'offline');
    if (!isObj(v.offline)) out.add(op, 'must be {from, to}');
    else {
      checkKeys(out, op, v.offline, ['from', 'to']);
      const f = num(out, join(op, 'from'), v.offline.from, { min: 0, max: 1 });
      const t = num(out, join(op, 'to'), v.offline.to, { min: 0, max: 1 });
      if (f !== undefined && t !== undefined && t <= f) out.add(join(op, 'to'), 'must be > from');
    }
  }
  if (v.invalidSplit !== undefined) checkSplit(out, join(path, 'invalidSplit'), v.invalidSplit);
}

/**
 * Every problem with one scenario variant's data, with paths. Empty means valid. Funding is
 * checked against `tiers` (default: the 2020 operator-bank table).
 */
export function validateSpec(input: unknown, tiers: TierTable = DEFAULT_TIERS): ConfigIssue[] {
  const out = new Issues();
  if (!isObj(input)) {
    out.add('', 'a scenario spec must be an object');
    return out.list;
  }
  const v = input;
  checkKeys(out, '', v, [
    'name',
    'variant',
    'description',
    'start',
    'windowS',
    'banks',
    'groups',
    'flows',
    'arrival',
    'mix',
    'phases',
    'scales',
    'invalid',
    'twoTier',
    'facts',
  ]);
  str(out, 'name', v.name);
  str(out, 'variant', v.variant);
  if (typeof v.description !== 'string') out.add('description', 'must be a string');
  const m = typeof v.start === 'string' ? START.exec(v.start) : null;
  if (!m || Number.isNaN(Date.parse(`${v.start}:00Z`)))
    out.add('start', 'must be a Beijing wall-clock time YYYY-MM-DDTHH:MM');
  num(out, 'windowS', v.windowS, { above: 0 });
  if (!Array.isArray(v.banks) || v.banks.length === 0)
    out.add('banks', 'must name at least one bank');
  else {
    const seen = new Set<string>();
    v.banks.forEach((b: unknown, i) => {
      if (typeof b !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(b))
        out.add(join('banks', i), 'must be 1-64 printable ASCII characters');
      else if (seen.has(b)) out.add(join('banks', i), 'is listed twice');
      else seen.add(b);
    });
  }

  const groups = new Map<string, GroupFacts>();
  if (!isObj(v.groups) || Object.keys(v.groups).length === 0)
    out.add('groups', 'must define at least one group');
  else
    for (const [name, g] of Object.entries(v.groups)) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(name))
        out.add(join('groups', name), 'a group name is 1-32 letters, digits, - or _');
      const facts = checkGroup(out, join('groups', name), g, tiers);
      if (facts) groups.set(name, facts);
    }

  const flows = isObj(v.flows) ? v.flows : {};
  if (!isObj(v.flows) || Object.keys(v.flows).length === 0)
    out.add('flows', 'must define at least one flow');
  else
    for (const [name, f] of Object.entries(v.flows)) checkFlow(out, join('flows', name), f, groups);

  checkCurve(out, 'arrival', v.arrival);
  checkMix(out, 'mix', v.mix, flows, null);
  const payees = new Set<string>();
  const payers = new Set<string>();
  for (const f of Object.values(flows))
    if (isObj(f)) {
      if (typeof f.payee === 'string') payees.add(f.payee);
      if (typeof f.payer === 'string') payers.add(f.payer);
    }
  for (const [name, g] of groups) {
    const cp = join(join('groups', name), 'claim');
    if (g.claimed && payees.has(name))
      out.add(cp, 'a claimed group cannot be a payee (its wallets open during the run)');
    if (g.claimed && !payers.has(name)) out.add(cp, 'a claimed group must pay in some flow');
  }
  if (v.twoTier !== undefined) checkTwoTier(out, v.twoTier, groups, payees, payers);
  if (v.phases !== undefined) {
    if (!Array.isArray(v.phases)) out.add('phases', 'must be an array');
    else {
      let prevTo = 0;
      v.phases.forEach((ph: unknown, i) => {
        const p = join('phases', i);
        if (!isObj(ph)) {
          out.add(p, 'must be {name, from, to, mix}');
          return;
        }
        checkKeys(out, p, ph, ['name', 'from', 'to', 'mix']);
        str(out, join(p, 'name'), ph.name);
        const from = num(out, join(p, 'from'), ph.from, { min: 0, max: 1 });
        const to = num(out, join(p, 'to'), ph.to, { min: 0, max: 1 });
        if (from !== undefined && to !== undefined) {
          if (to <= from) out.add(join(p, 'to'), 'must be > from');
          if (from < prevTo) out.add(join(p, 'from'), 'phases must be in order and not overlap');
          prevTo = to;
        }
        checkMix(out, join(p, 'mix'), ph.mix, flows, from ?? 0);
      });
    }
  }

  if (!isObj(v.scales)) out.add('scales', `must define ${SCALES.join(', ')}`);
  else {
    checkKeys(out, 'scales', v.scales, SCALES);
    for (const s of SCALES) {
      const p = join('scales', s);
      const sc = v.scales[s];
      if (!isObj(sc)) {
        out.add(p, 'must be {payments, durationS, note}');
        continue;
      }
      checkKeys(out, p, sc, ['payments', 'durationS', 'note']);
      num(out, join(p, 'payments'), sc.payments, { int: true, min: 1, max: 50_000_000 });
      num(out, join(p, 'durationS'), sc.durationS, { above: 0, max: 86_400 });
      if (typeof sc.note !== 'string') out.add(join(p, 'note'), 'must be a string');
    }
  }
  if (v.invalid !== undefined) {
    if (!isObj(v.invalid)) out.add('invalid', 'must be {share?, split?}');
    else {
      checkKeys(out, 'invalid', v.invalid, ['share', 'split']);
      num(out, 'invalid.share', v.invalid.share, { min: 0, max: 0.5, optional: true });
      if (v.invalid.split !== undefined) checkSplit(out, 'invalid.split', v.invalid.split);
    }
  }
  for (const issue of validateFacts(v)) out.add(issue.path, issue.message);
  return out.list;
}

/** Every problem with a scenario definition: its own fields and each variant. */
export function validateDefinition(
  input: unknown,
  tiers: TierTable = DEFAULT_TIERS,
): ConfigIssue[] {
  const out = new Issues();
  if (!isObj(input)) {
    out.add('', 'a scenario definition must be an object');
    return out.list;
  }
  checkKeys(out, '', input, ['name', 'summary', 'defaultVariant', 'variants', 'thresholds']);
  const name = str(out, 'name', input.name);
  if (typeof input.summary !== 'string') out.add('summary', 'must be a string');
  // The expressions themselves are parsed by thresholds/ when a run starts.
  if (
    input.thresholds !== undefined &&
    !(Array.isArray(input.thresholds) && input.thresholds.every((t) => typeof t === 'string'))
  )
    out.add('thresholds', 'must be a list of threshold expressions such as "p99<1s"');
  if (!isObj(input.variants) || Object.keys(input.variants).length === 0)
    out.add('variants', 'must define at least one variant');
  else {
    if (typeof input.defaultVariant !== 'string' || !(input.defaultVariant in input.variants))
      out.add('defaultVariant', 'must name one of the variants');
    for (const [vn, spec] of Object.entries(input.variants)) {
      const p = join('variants', vn);
      for (const issue of validateSpec(spec, tiers))
        out.add(issue.path === '' ? p : join(p, issue.path), issue.message);
      if (isObj(spec) && spec.name !== name)
        out.add(join(p, 'name'), 'must equal the scenario name');
      if (isObj(spec) && spec.variant !== vn) out.add(join(p, 'variant'), 'must equal its key');
    }
  }
  return out.list;
}

/** Every problem with run options against a scenario definition. */
export function validateOptions(input: unknown, def?: ScenarioDefinition): ConfigIssue[] {
  const out = new Issues();
  if (input === undefined) return out.list;
  if (!isObj(input)) {
    out.add('', 'options must be an object');
    return out.list;
  }
  checkKeys(out, '', input, [
    'variant',
    'scale',
    'durationS',
    'timeCompression',
    'seed',
    'suite',
    'invalidShare',
    'invalidSplit',
    'tiers',
  ]);
  if (input.variant !== undefined) {
    if (typeof input.variant !== 'string') out.add('variant', 'must be a string');
    else if (def && !(input.variant in def.variants))
      out.add('variant', `must be one of ${Object.keys(def.variants).join(', ')}`);
  }
  if (input.scale !== undefined && !(SCALES as readonly unknown[]).includes(input.scale))
    out.add('scale', `must be one of ${SCALES.join(', ')}`);
  num(out, 'durationS', input.durationS, { above: 0, max: 86_400, optional: true });
  num(out, 'timeCompression', input.timeCompression, { above: 0, max: 1e9, optional: true });
  if (
    input.seed !== undefined &&
    (typeof input.seed !== 'string' || input.seed.length === 0 || input.seed.length > 200)
  )
    out.add('seed', 'must be a string of 1-200 characters');
  if (input.suite !== undefined && input.suite !== 'ed25519' && input.suite !== 'sm2')
    out.add('suite', 'must be "ed25519" or "sm2"');
  num(out, 'invalidShare', input.invalidShare, { min: 0, max: 0.5, optional: true });
  if (input.invalidSplit !== undefined) checkSplit(out, 'invalidSplit', input.invalidSplit);
  if (input.tiers !== undefined) {
    const t = input.tiers;
    if (!isObj(t) || typeof t.name !== 'string' || !isObj(t.table))
      out.add('tiers', 'must be {name, table}');
    else
      try {
        parseTierTable(tierTableYuan(t.table as unknown as TierTable));
      } catch (error) {
        out.add('tiers', (error as Error).message);
      }
  }
  return out.list;
}
