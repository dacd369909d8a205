/**
 * Genesis: the two-tier set-up before measurement, in phases
 *   enroll banks -> open wallets -> issue -> allocate -> exchange.
 * The central bank issues into the issuance vault, allocates to each bank's vault, and each bank
 * exchanges to its wallets. Every coin is sized exactly to what the next step hands out, so no
 * change is left anywhere and nothing in genesis waits on a chain: each allocate spends one
 * issued coin, each exchange one allocated coin, both in their bank's lane.
 *
 * For the two-tier flows of the run (scenarios/workload/two-tier-plan.ts), genesis also leaves
 * coins in each bank's vault (one per planned claim or top-up, allocated with the exchange
 * money) and in the issuance vault (for replenishing), and skips the wallets that open and are
 * funded during the run (claims).
 */
import {
  coinIdOf,
  type KeyPair,
  MAX_OUTPUTS,
  type Output,
  type TxFields,
} from '../../engine/domain/index.js';
import type { OpList } from './op-list.js';
import type { Population } from './population.js';
import { signOp } from './signer.js';

/** A genesis coin as the generator's model holds it. */
export interface GenesisCoin {
  readonly id: string;
  readonly value: number;
}

/** What genesis keeps back for the run: vault and issuance-vault coin values (fen) per bank. */
export interface GenesisHoldings {
  readonly vault: readonly (readonly number[])[];
  readonly issuance: readonly (readonly number[])[];
}

/** What the measured phase needs from genesis: who holds which coins. */
export interface GenesisResult {
  /** Per bank: the vault coins asked for in `GenesisHoldings.vault`, in that order. */
  readonly vault: GenesisCoin[][];
  /** Per bank: the issuance-vault coins asked for in `GenesisHoldings.issuance`, in order. */
  readonly issuance: GenesisCoin[][];
  /** Fen allocated to bank vaults and exchanged to wallets (for the expected books). */
  readonly allocated: number;
  readonly exchanged: number;
  /** Per wallet: its spendable genesis coins (ascending value). */
  readonly coins: GenesisCoin[][];
  /** Per wallet: its reserve coin, if any. */
  readonly reserves: (GenesisCoin | null)[];
  /** Next unused nonce. */
  readonly nonce: number;
  readonly issued: number;
}

interface Credit {
  readonly wallet: number;
  readonly value: number;
  readonly reserve: boolean;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Appends the genesis ops to `out`. `day` is the value day of every genesis op. */
export function buildGenesis(
  pop: Population,
  centralBank: KeyPair,
  day: number,
  out: OpList,
  holdings: GenesisHoldings,
  progress?: (done: number, total: number) => void,
): GenesisResult {
  const cb = centralBank.publicKey;
  let nonce = 0;
  const total = pop.banks.length + pop.wallets.length;
  const tick = (): void => {
    if (progress && (out.length & 1023) === 0) progress(out.length, total);
  };
  const push = (fields: TxFields, pair: KeyPair, dependsOn: number, lane: number) => {
    const s = signOp(fields, pair);
    const index = out.push(s.body, 'SETTLED', 0, dependsOn, lane, fields.type);
    tick();
    return { index, txid: s.txid };
  };

  pop.banks.forEach((bank, b) => {
    push(
      {
        type: 'enroll',
        signer: cb,
        day,
        nonce: nonce++,
        inputs: [],
        outputs: [],
        subject: { key: bank.pair.publicKey, role: 'bank', kyc: bank.name },
      },
      centralBank,
      -1,
      b,
    );
  });

  const groupNames = pop.groups.map((g) => g.name);
  /** Opened and funded in genesis (not a claimed wallet, which opens during the run). */
  const inGenesis = (w: (typeof pop.wallets)[number]) => w.opens && Number.isNaN(w.claimAt);
  for (const w of pop.wallets) {
    if (!inGenesis(w)) continue;
    const bank = pop.banks[w.bank]!;
    push(
      {
        type: 'open',
        signer: bank.pair.publicKey,
        day,
        nonce: nonce++,
        inputs: [],
        outputs: [],
        subject: {
          key: w.pair.publicKey,
          role: 'wallet',
          tier: w.tier,
          kind: w.kind,
          kyc: `${groupNames[w.group]}/${w.member}`,
        },
      },
      bank.pair,
      -1,
      w.bank,
    );
  }

  // Per bank: the credits it hands out, grouped into exchanges, allocations and issues.
  const plans = pop.banks.map((_, b) => {
    const credits: Credit[] = [];
    for (const w of pop.wallets) {
      if (w.bank !== b || !inGenesis(w)) continue;
      for (const value of w.funding) credits.push({ wallet: w.index, value, reserve: false });
      if (w.reserve > 0) credits.push({ wallet: w.index, value: w.reserve, reserve: true });
    }
    const exchanges = chunks(credits, MAX_OUTPUTS);
    // Allocation outputs: one per exchange, then the vault coins kept for the run.
    const allocations = chunks(
      [...exchanges.map((e) => sum(e.map((c) => c.value))), ...(holdings.vault[b] ?? [])],
      MAX_OUTPUTS,
    );
    // Issue outputs: one per allocation, then the issuance-vault coins kept for the run.
    const issues = chunks(
      [...allocations.map((a) => sum(a)), ...(holdings.issuance[b] ?? [])],
      MAX_OUTPUTS,
    );
    return { exchanges, allocations, issues };
  });

  let issued = 0;
  // Issue: outputs to the central bank itself (the issuance vault).
  const issueRefs = plans.map((plan, b) =>
    plan.issues.map((values) => {
      issued += sum(values);
      return push(
        {
          type: 'issue',
          signer: cb,
          day,
          nonce: nonce++,
          inputs: [],
          outputs: values.map((value) => ({ owner: cb, value })),
        },
        centralBank,
        -1,
        b,
      );
    }),
  );

  // Allocate k spends issued coin k (issue floor(k/32), output k mod 32).
  const allocRefs = plans.map((plan, b) =>
    plan.allocations.map((values, k) => {
      const issue = issueRefs[b]![Math.floor(k / MAX_OUTPUTS)]!;
      const bankKey = pop.banks[b]!.pair.publicKey;
      return push(
        {
          type: 'allocate',
          signer: cb,
          day,
          nonce: nonce++,
          inputs: [coinIdOf(issue.txid, k % MAX_OUTPUTS)],
          outputs: values.map((value) => ({ owner: bankKey, value })),
        },
        centralBank,
        issue.index,
        b,
      );
    }),
  );

  // The coins kept for the run: output positions after the ones the next step spends.
  const kept = (refs: { txid: Buffer }[], skip: number, values: readonly number[]) =>
    values.map((value, k) => {
      const pos = skip + k;
      return { id: coinIdOf(refs[Math.floor(pos / MAX_OUTPUTS)]!.txid, pos % MAX_OUTPUTS), value };
    });
  const vault = plans.map((plan, b) =>
    kept(allocRefs[b]!, plan.exchanges.length, holdings.vault[b] ?? []),
  );
  const issuance = plans.map((plan, b) =>
    kept(issueRefs[b]!, plan.allocations.length, holdings.issuance[b] ?? []),
  );
  let allocated = 0;
  let exchanged = 0;
  for (const plan of plans) {
    for (const a of plan.allocations) allocated += sum(a);
    for (const e of plan.exchanges) exchanged += sum(e.map((c) => c.value));
  }

  const coins: GenesisCoin[][] = pop.wallets.map(() => []);
  const reserves: (GenesisCoin | null)[] = pop.wallets.map(() => null);
  plans.forEach((plan, b) => {
    const bank = pop.banks[b]!;
    plan.exchanges.forEach((credits, j) => {
      const alloc = allocRefs[b]![Math.floor(j / MAX_OUTPUTS)]!;
      const outputs: Output[] = credits.map((c) => ({
        owner: pop.wallets[c.wallet]!.pair.publicKey,
        value: c.value,
      }));
      const ref = push(
        {
          type: 'exchange',
          signer: bank.pair.publicKey,
          day,
          nonce: nonce++,
          inputs: [coinIdOf(alloc.txid, j % MAX_OUTPUTS)],
          outputs,
        },
        bank.pair,
        alloc.index,
        b,
      );
      credits.forEach((c, i) => {
        const coin = { id: coinIdOf(ref.txid, i), value: c.value };
        if (c.reserve) reserves[c.wallet] = coin;
        else coins[c.wallet]!.push(coin);
      });
    });
  });
  for (const list of coins) list.sort((a, b) => a.value - b.value || (a.id < b.id ? -1 : 1));
  progress?.(total, total);
  return { coins, reserves, nonce, issued, vault, issuance, allocated, exchanged };
}
