/**
 * The PostgreSQL schema, as versioned migrations that `serve --store postgres` applies at start
 * (idempotent: each runs once, under an advisory lock, so nodes starting together apply it once).
 *
 * Every table is keyed by a distribution column, and every statement of the settle function
 * names it in its WHERE or join (docs/postgres.md gives the Citus calls):
 *  - accounts, wallet_state: by key; coins: by owner; txs: by signer (the same tx always has the
 *    same signer, so DUPLICATE_TX is decided on one shard); ledger_totals: by slot.
 *  - no foreign keys (none may cross shards); integrity is the settle function's, and
 *    `reconcile` proves it.
 */
import { SETTLE_FUNCTION } from './settle-sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SCHEMA = 'ecny';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger tables',
    sql: `
CREATE SCHEMA IF NOT EXISTS ecny;

-- What this database was created for: one central bank, one tier table. Nodes with another
-- configuration refuse to start (their answers would differ).
CREATE TABLE ecny.ledger_config (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  central_bank bytea NOT NULL,
  tiers jsonb NOT NULL
);

-- Certification centre: institutions and wallets. Immutable once registered. role: 1 central
-- bank, 2 bank, 3 wallet; kind: 1 personal, 2 merchant; cap: the balance limit (null: none).
CREATE TABLE ecny.accounts (
  key bytea PRIMARY KEY,
  id bytea NOT NULL,
  role smallint NOT NULL,
  tier smallint,
  kind smallint,
  kyc text,
  cap bigint
);
CREATE INDEX accounts_id ON ecny.accounts (id);

-- Per wallet, the mutable part: the balance (kept only for wallets with a cap, the one check
-- that needs it: merchants without a cap never become a hot row) and the spend tallies.
CREATE TABLE ecny.wallet_state (
  key bytea PRIMARY KEY,
  balance bigint NOT NULL DEFAULT 0,
  day bigint NOT NULL DEFAULT -1,
  day_spent bigint NOT NULL DEFAULT 0,
  year integer NOT NULL DEFAULT -1,
  year_spent bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 70);

-- Registration centre: every coin ever created; spent_by set once, by the spending tx. Room on
-- each page (fillfactor) keeps that one update a heap-only update (no index writes). day: the
-- value day of the transaction that created it (no offline payment of it may be dated earlier).
CREATE TABLE ecny.coins (
  owner bytea NOT NULL,
  id bytea NOT NULL,
  value bigint NOT NULL CHECK (value > 0),
  day bigint NOT NULL,
  created_by bytea NOT NULL,
  spent_by bytea,
  PRIMARY KEY (owner, id)
) WITH (fillfactor = 70);
CREATE INDEX coins_id ON ecny.coins (id);

-- Settled transaction ids (DUPLICATE_TX). type: 1..10 in the order of OP_TYPES.
CREATE TABLE ecny.txs (
  signer bytea NOT NULL,
  txid bytea NOT NULL,
  type smallint NOT NULL,
  PRIMARY KEY (signer, txid)
);

-- Lifecycle totals, one row per database session that settled (slot = its backend pid): no
-- row is shared by two concurrent batches, so counting never serializes the nodes. Sum the
-- rows for the totals.
CREATE TABLE ecny.ledger_totals (
  slot integer PRIMARY KEY,
  issued bigint NOT NULL DEFAULT 0,
  destroyed bigint NOT NULL DEFAULT 0,
  coins_created bigint NOT NULL DEFAULT 0,
  coins_spent bigint NOT NULL DEFAULT 0,
  n_issue bigint NOT NULL DEFAULT 0,
  n_allocate bigint NOT NULL DEFAULT 0,
  n_exchange bigint NOT NULL DEFAULT 0,
  n_transfer bigint NOT NULL DEFAULT 0,
  n_redeem bigint NOT NULL DEFAULT 0,
  n_return bigint NOT NULL DEFAULT 0,
  n_destroy bigint NOT NULL DEFAULT 0,
  n_enroll bigint NOT NULL DEFAULT 0,
  n_open bigint NOT NULL DEFAULT 0,
  n_offline_transfer bigint NOT NULL DEFAULT 0
);
`,
  },
  { version: 2, name: 'settle function', sql: SETTLE_FUNCTION },
];
