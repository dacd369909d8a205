/**
 * The read side of the postgres store: coin and wallet views, lifecycle totals, and reconcile,
 * each from one consistent snapshot. Every lookup names its table's distribution column where
 * it has it (a coin by id alone and a wallet by wallet id read every shard on Citus: views only).
 */
import type { Account, Coin, Role, WalletKind, WalletTier } from '../../domain/index.js';
import type { CoinStatus, LifecycleCounts, Reconciliation, WalletHoldings } from '../port.js';
import type { SqlDriver } from './driver.js';

const ROLES: Readonly<Record<number, Role>> = { 1: 'central-bank', 2: 'bank', 3: 'wallet' };
const KINDS: Readonly<Record<number, WalletKind>> = { 1: 'personal', 2: 'merchant' };

const hex = (b: Buffer): string => b.toString('hex');
/** A bytea parameter: bytes, which every client sends as bytea. */
const bytea = (h: string): Buffer => Buffer.from(h, 'hex');

interface CoinRow {
  owner: Buffer;
  value: string;
  day: string;
  created_by: Buffer;
  spent_by: Buffer | null;
}

export async function readCoin(db: SqlDriver, id: string): Promise<CoinStatus | undefined> {
  const rows = await db.query<CoinRow>(
    'SELECT owner, value, day, created_by, spent_by FROM ecny.coins WHERE id = $1::bytea',
    [bytea(id)],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (row.spent_by) return { state: 'spent', spentBy: hex(row.spent_by) };
  return {
    state: 'unspent',
    coin: {
      id,
      value: Number(row.value),
      owner: hex(row.owner),
      createdBy: hex(row.created_by),
      day: Number(row.day),
    },
  };
}

interface AccountRow {
  key: Buffer;
  id: Buffer;
  role: number;
  tier: number | null;
  kind: number | null;
  kyc: string | null;
}

export function readHoldings(
  db: SqlDriver,
  keyOrId: string,
  maxCoins: number,
): Promise<WalletHoldings | undefined> {
  return db.snapshot(async (query) => {
    const byId = keyOrId.length === 40;
    const accounts = await query<AccountRow>(
      `SELECT key, id, role, tier, kind, kyc FROM ecny.accounts WHERE ${byId ? 'id' : 'key'} = $1::bytea`,
      [bytea(keyOrId)],
    );
    const a = accounts[0];
    if (!a) return undefined;
    const key = a.key;
    const [sum] = await query<{ n: string; balance: string }>(
      `SELECT count(*) AS n, coalesce(sum(value), 0) AS balance
       FROM ecny.coins WHERE owner = $1::bytea AND spent_by IS NULL`,
      [key],
    );
    const coins = await query<{ id: Buffer; value: string; day: string; created_by: Buffer }>(
      `SELECT id, value, day, created_by FROM ecny.coins
       WHERE owner = $1::bytea AND spent_by IS NULL ORDER BY id LIMIT $2`,
      [key, maxCoins],
    );
    const owner = hex(a.key);
    const account: Account = {
      key: owner,
      id: hex(a.id),
      role: ROLES[a.role]!,
      ...(a.tier === null ? {} : { tier: a.tier as WalletTier }),
      ...(a.kind === null ? {} : { kind: KINDS[a.kind]! }),
      ...(a.kyc === null ? {} : { kyc: a.kyc }),
    };
    return {
      account,
      balance: Number(sum!.balance),
      coinCount: Number(sum!.n),
      coins: coins.map(
        (c): Coin => ({
          id: hex(c.id),
          value: Number(c.value),
          owner,
          createdBy: hex(c.created_by),
          day: Number(c.day),
        }),
      ),
    };
  });
}

const TOTALS = `SELECT coalesce(sum(issued), 0) AS issued, coalesce(sum(destroyed), 0) AS destroyed,
  coalesce(sum(coins_created), 0) AS coins_created, coalesce(sum(coins_spent), 0) AS coins_spent,
  coalesce(sum(n_issue), 0) AS issue, coalesce(sum(n_allocate), 0) AS allocate,
  coalesce(sum(n_exchange), 0) AS exchange, coalesce(sum(n_transfer), 0) AS transfer,
  coalesce(sum(n_redeem), 0) AS redeem, coalesce(sum(n_return), 0) AS return,
  coalesce(sum(n_destroy), 0) AS destroy, coalesce(sum(n_enroll), 0) AS enroll,
  coalesce(sum(n_open), 0) AS open, coalesce(sum(n_offline_transfer), 0) AS offline_transfer
  FROM ecny.ledger_totals`;

type TotalsRow = Record<string, string>;

function lifecycleOf(t: TotalsRow): LifecycleCounts {
  const n = (k: string) => Number(t[k]);
  return {
    issued: n('issued'),
    destroyed: n('destroyed'),
    coinsCreated: n('coins_created'),
    coinsSpent: n('coins_spent'),
    byType: {
      issue: n('issue'),
      allocate: n('allocate'),
      exchange: n('exchange'),
      transfer: n('transfer'),
      redeem: n('redeem'),
      return: n('return'),
      destroy: n('destroy'),
      enroll: n('enroll'),
      open: n('open'),
      'offline-transfer': n('offline_transfer'),
    },
  };
}

export async function readLifecycle(db: SqlDriver): Promise<LifecycleCounts> {
  const [t] = await db.query<TotalsRow>(TOTALS);
  return lifecycleOf(t!);
}

/**
 * The memory registry's identities, in SQL, on one snapshot: issued - destroyed = unspent =
 * issuance vault + bank vaults + wallets; every unspent coin owned by a registered key; the coin
 * counts agree with the lifecycle totals; every tracked wallet balance equals its coins' sum.
 */
export function reconcileBooks(db: SqlDriver): Promise<Reconciliation> {
  return db.snapshot(async (query) => {
    const [t] = await query<TotalsRow>(TOTALS);
    const life = lifecycleOf(t!);
    const [u] = await query<Record<string, string>>(
      `SELECT coalesce(sum(u.v), 0) AS unspent, coalesce(sum(u.n), 0) AS unspent_coins,
         coalesce(sum(u.v) FILTER (WHERE a.role = 1), 0) AS issuance,
         coalesce(sum(u.v) FILTER (WHERE a.role = 2), 0) AS banks,
         coalesce(sum(u.v) FILTER (WHERE a.role = 3), 0) AS wallets,
         count(*) FILTER (WHERE a.role IS NULL) AS unregistered
       FROM (SELECT owner, sum(value) AS v, count(*) AS n FROM ecny.coins
             WHERE spent_by IS NULL GROUP BY owner) u
       LEFT JOIN ecny.accounts a ON a.key = u.owner`,
    );
    const [c] = await query<Record<string, string>>(
      `SELECT count(*) AS created, count(spent_by) AS spent FROM ecny.coins`,
    );
    const [b] = await query<Record<string, string>>(
      `SELECT count(*) AS wrong FROM ecny.wallet_state w
       JOIN ecny.accounts a ON a.key = w.key
       LEFT JOIN (SELECT owner, sum(value) AS v FROM ecny.coins
                  WHERE spent_by IS NULL GROUP BY owner) u ON u.owner = w.key
       WHERE a.cap IS NOT NULL AND w.balance <> coalesce(u.v, 0)`,
    );
    const unspent = Number(u!.unspent);
    const issuanceVault = Number(u!.issuance);
    const bankVaults = Number(u!.banks);
    const wallets = Number(u!.wallets);
    const unspentCoins = Number(u!.unspent_coins);
    const problems: string[] = [];
    if (Number(u!.unregistered) > 0)
      problems.push(`${u!.unregistered} owners of unspent coins are not registered`);
    if (Number(c!.created) !== life.coinsCreated)
      problems.push(
        `${c!.created} coins exist, but the totals say ${life.coinsCreated} were created`,
      );
    if (Number(c!.spent) !== life.coinsSpent)
      problems.push(`${c!.spent} coins are spent, but the totals say ${life.coinsSpent}`);
    if (Number(b!.wrong) > 0)
      problems.push(`${b!.wrong} wallet balances differ from the sum of their coins`);
    if (life.issued - life.destroyed !== unspent)
      problems.push(`issued ${life.issued} - destroyed ${life.destroyed} != unspent ${unspent}`);
    if (issuanceVault + bankVaults + wallets !== unspent)
      problems.push('vaults and wallets do not sum to the unspent total');
    return {
      ok: problems.length === 0,
      issued: life.issued,
      destroyed: life.destroyed,
      unspent,
      issuanceVault,
      bankVaults,
      wallets,
      unspentCoins,
      problems,
    };
  });
}
