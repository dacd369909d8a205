/**
 * Shared by the scenario tests: memoised small-scale workloads, and facts recomputed from a
 * workload's own bytes (never from the generator's internals), so the tests check the output.
 */
import {
  coinIdOf,
  decodeWire,
  type Tx,
  type WalletKind,
  type WalletTier,
} from '../../engine/domain/index.js';
import { scenarioVariants } from '../../scenarios/catalog/index.js';
import {
  generateWorkload,
  type ScenarioOptions,
  type Workload,
} from '../../scenarios/workload/index.js';

/** Short runs keep CI fast; the op count is the scale's, whatever the duration. */
export const TEST_OPTIONS: ScenarioOptions = { scale: 'small' };

export const VARIANTS = scenarioVariants();

const memo = new Map<string, Workload>();

/** The small-scale workload of a variant, generated once per process per seed. */
export function workloadOf(scenario: string, variant: string, seed = 'test-seed'): Workload {
  const id = `${scenario}\0${variant}\0${seed}`;
  let w = memo.get(id);
  if (!w) {
    w = generateWorkload(scenario, { ...TEST_OPTIONS, variant, seed });
    memo.set(id, w);
  }
  return w;
}

export function decode(body: string): Tx {
  const tx = decodeWire(JSON.parse(body));
  if (!('txid' in tx)) throw new Error(`not a transaction: ${tx.code} ${tx.message}`);
  return tx;
}

export interface WalletFacts {
  readonly tier: WalletTier;
  readonly kind: WalletKind;
  /** The `kyc` reference: "<group>/<member>". */
  readonly ref: string;
  genesisBalance: number;
}

/** What genesis sets up, read back from the genesis ops. */
export interface GenesisFacts {
  readonly wallets: Map<string, WalletFacts>;
  /** Every coin created in genesis (ids). */
  readonly coins: Set<string>;
}

export function genesisFacts(w: Workload): GenesisFacts {
  const wallets = new Map<string, WalletFacts>();
  const coins = new Set<string>();
  for (const body of w.genesis.bodies) {
    const tx = decode(body);
    if (tx.type === 'open') {
      const s = tx.subject!;
      wallets.set(s.key, { tier: s.tier!, kind: s.kind!, ref: s.kyc ?? '', genesisBalance: 0 });
    }
    tx.outputs.forEach((o, i) => {
      coins.add(coinIdOf(tx.txid, i));
      const wf = wallets.get(o.owner);
      if (wf && tx.type === 'exchange') wf.genesisBalance += o.value;
    });
  }
  return { wallets, coins };
}

/**
 * Every wallet of a workload: those genesis opens (with their genesis balance) and those the
 * measured phase opens (claims: balance 0 before their claim's exchange).
 */
export function walletFacts(w: Workload): GenesisFacts {
  const facts = genesisFacts(w);
  for (const tx of decodedOps(w)) {
    const s = tx.subject;
    if (tx.type === 'open' && s)
      facts.wallets.set(s.key, {
        tier: s.tier!,
        kind: s.kind!,
        ref: s.kyc ?? '',
        genesisBalance: 0,
      });
  }
  return facts;
}

/** Every measured op decoded, once per workload. */
const decoded = new WeakMap<Workload, Tx[]>();
export function decodedOps(w: Workload): Tx[] {
  let list = decoded.get(w);
  if (!list) {
    list = w.ops.bodies.map(decode);
    decoded.set(w, list);
  }
  return list;
}
