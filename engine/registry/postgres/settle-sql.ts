/**
 * ecny.settle: one batch of verified transactions in one round trip, one outcome per transaction.
 *
 * The engine normalizes the batch before calling (batch.ts): every key, coin and payee is a slot
 * number into a per-batch array, and tx-local sums (outputs, paid, per-payee credit) come
 * precomputed, so the function does only what needs the database. In order:
 *  1. lock the input coins, sorted by (owner, id): concurrent batches from any number of nodes
 *     never deadlock on coins, and a coin two batches race for goes to the first to lock it;
 *  2. read the accounts of every key in the batch (immutable: no lock);
 *  3. lock the wallet_state rows that may change (payers' tallies, capped payees' balances),
 *     sorted by key;
 *  4. find which txids already settled (after the waits above: it sees every batch that won);
 *  5. decide each transaction in array order with the memory registry's rules and check order,
 *     on the batch's in-memory state (a coin created earlier in the batch can be spent later in
 *     it; a rejected transaction changes nothing). The engine's day (`today`, read once per call
 *     by the node) and the oldest day an offline payment may carry come as two scalars;
 *  6. write the settled ones with a few set-based statements.
 * A rejection never aborts the others. An error (serialization failure, deadlock, a racing
 * insert of the same txid or key) aborts the whole call, so nothing is half-applied: the engine
 * retries the batch a bounded number of times, then answers UNAVAILABLE.
 *
 * Codes returned (0 = settled; idx -1 and details '' where none); batch.ts turns them into the
 * shared REJECT messages:
 *  1 DUPLICATE_TX  2 UNKNOWN_SIGNER  3 UNAUTHORIZED (signer)  4 UNKNOWN_COIN  5 ALREADY_SPENT
 *  6 NOT_OWNER  7 UNKNOWN_PAYEE  8 UNAUTHORIZED (payee)  9 VALUE_MISMATCH (issue overflow)
 *  10 VALUE_MISMATCH (destroy)  11 VALUE_MISMATCH (unbalanced)  12 ALREADY_REGISTERED
 *  13 WEAK_KEY  14/15/16 TIER_LIMIT single/daily/annual  17 TIER_LIMIT (balance)
 *  18 BAD_DAY (online: not the engine's day)  19 BAD_DAY (offline: before its newest input, idx
 *  that input, details its day)  20 BAD_DAY (offline: after the engine's day)  21 BAD_DAY
 *  (offline: older than the sync bound)
 *
 * Operation types are 1..10 in the order of OP_TYPES (4 transfer, 10 offline-transfer: the two
 * payments, to which the payer's tier limits apply).
 */
export const SETTLE_FUNCTION = `
CREATE OR REPLACE FUNCTION ecny.settle(
  t_txid bytea[], t_type smallint[], t_signer int[], t_day bigint[], t_year int[],
  t_in_end int[], t_pay_end int[], t_out_end int[], t_total_out bigint[], t_paid bigint[],
  t_first int[],
  t_subj int[], t_subj_role smallint[], t_subj_tier smallint[], t_subj_kind smallint[],
  t_subj_kyc text[], t_subj_cap bigint[], t_subj_ok boolean[],
  i_slot int[],
  p_key int[], p_credit bigint[], p_index smallint[],
  o_owner int[], o_value bigint[], o_id bytea[], o_slot int[],
  c_id bytea[], l_key int[], l_slot int[],
  k_key bytea[], k_id bytea[], k_payer boolean[], k_payee boolean[],
  lim_single bigint[], lim_daily bigint[], lim_annual bigint[],
  today bigint, offline_oldest bigint,
  OUT codes smallint[], OUT idx smallint[], OUT details text[])
LANGUAGE plpgsql AS $fn$
DECLARE
  -- signer role and payee role each operation allows, by type 1..10 (issue .. offline-transfer);
  -- 0: none
  rule_signer CONSTANT smallint[] := '{1,1,2,3,3,2,1,1,2,3}';
  rule_payee CONSTANT smallint[] := '{0,2,3,3,2,1,0,0,0,3}';
  max_safe CONSTANT bigint := 9007199254740991;
  n int := coalesce(array_length(t_txid, 1), 0);
  nk int := coalesce(array_length(k_key, 1), 0);
  nc int := coalesce(array_length(c_id, 1), 0);
  -- per key slot
  k_role smallint[] := array_fill(NULL::smallint, ARRAY[nk]);
  k_tier smallint[] := array_fill(NULL::smallint, ARRAY[nk]);
  k_cap bigint[] := array_fill(NULL::bigint, ARRAY[nk]);
  k_locked boolean[] := array_fill(false, ARRAY[nk]);
  k_new boolean[] := array_fill(false, ARRAY[nk]);
  k_dirty boolean[] := array_fill(false, ARRAY[nk]);
  k_balance bigint[] := array_fill(0::bigint, ARRAY[nk]);
  k_tday bigint[] := array_fill(-1::bigint, ARRAY[nk]);
  k_tday_spent bigint[] := array_fill(0::bigint, ARRAY[nk]);
  k_tyear int[] := array_fill(-1, ARRAY[nk]);
  k_tyear_spent bigint[] := array_fill(0::bigint, ARRAY[nk]);
  -- per coin slot: exists, owner key slot (0: a key outside the batch), value, value day,
  -- spender, and where the coin sits among this batch's inserts (0: it was in the database)
  c_exists boolean[] := array_fill(false, ARRAY[nc]);
  c_owner int[] := array_fill(0, ARRAY[nc]);
  c_value bigint[] := array_fill(0::bigint, ARRAY[nc]);
  c_day bigint[] := array_fill(0::bigint, ARRAY[nc]);
  c_spent bytea[] := array_fill(NULL::bytea, ARRAY[nc]);
  c_ins int[] := array_fill(0, ARRAY[nc]);
  missing int[] := '{}'; nm int := 0;
  -- per transaction
  dup boolean[] := array_fill(false, ARRAY[n]);
  settled boolean[] := array_fill(false, ARRAY[n]);
  -- writes, accumulated
  w_owner bytea[] := '{}'; w_id bytea[] := '{}'; w_by bytea[] := '{}'; nw int := 0;
  x_owner bytea[] := '{}'; x_id bytea[] := '{}'; x_value bigint[] := '{}'; x_day bigint[] := '{}';
  x_created bytea[] := '{}'; x_spent bytea[] := '{}'; nx int := 0;
  s_signer bytea[] := '{}'; s_txid bytea[] := '{}'; s_type smallint[] := '{}'; ns int := 0;
  issued_total bigint := 0;
  d_issued bigint := 0; d_destroyed bigint := 0; d_created bigint := 0; d_spent bigint := 0;
  d_type bigint[] := '{0,0,0,0,0,0,0,0,0,0}';
  r record;
  t int; j int; s int; sg int; pk int; ty smallint; code smallint; ix smallint; det text;
  in_start int := 1; pay_start int := 1; out_start int := 1;
  total_in bigint; paid bigint; dspent bigint; yspent bigint; cap bigint;
  newest_day bigint; newest_at int;
BEGIN
  codes := array_fill(0::smallint, ARRAY[n]);
  -- no NULLs in the answer: every client library parses these arrays the same way
  idx := array_fill(-1::smallint, ARRAY[n]);
  details := array_fill(''::text, ARRAY[n]);
  IF n = 0 THEN RETURN; END IF;

  -- 1. input coins, locked in (owner, id) order; the owner is the spending signer's key
  FOR r IN
    SELECT q.slot, q.k, c.value, c.day, c.spent_by
    FROM unnest(l_key, l_slot) AS q(k, slot)
    JOIN ecny.coins c ON c.owner = k_key[q.k] AND c.id = c_id[q.slot]
    ORDER BY c.owner, c.id
    FOR UPDATE OF c
  LOOP
    c_exists[r.slot] := true; c_owner[r.slot] := r.k;
    c_value[r.slot] := r.value; c_day[r.slot] := r.day; c_spent[r.slot] := r.spent_by;
  END LOOP;
  -- coins not held by any signer that names them (rare: a wrong owner, an unknown coin, or one
  -- created earlier in this batch): NOT_OWNER or ALREADY_SPENT. No lock needed: the batch will
  -- not change them. Looked up by id alone, so only for these.
  FOR s IN 1..nc LOOP
    IF NOT c_exists[s] THEN nm := nm + 1; missing[nm] := s; END IF;
  END LOOP;
  IF nm > 0 THEN
    FOR r IN
      SELECT q.slot, c.value, c.day, c.spent_by
      FROM unnest(missing) AS q(slot)
      JOIN ecny.coins c ON c.id = c_id[q.slot]
    LOOP
      c_exists[r.slot] := true; c_owner[r.slot] := 0;
      c_value[r.slot] := r.value; c_day[r.slot] := r.day; c_spent[r.slot] := r.spent_by;
    END LOOP;
  END IF;

  -- 2. accounts (immutable)
  FOR r IN
    SELECT q.i, a.role, a.tier, a.cap
    FROM unnest(k_key) WITH ORDINALITY AS q(key, i)
    JOIN ecny.accounts a ON a.key = q.key
  LOOP
    k_role[r.i] := r.role; k_tier[r.i] := r.tier; k_cap[r.i] := r.cap;
  END LOOP;

  -- 3. wallet rows that may change, locked in key order: payers (tallies, balance) and payees
  -- with a balance cap
  FOR r IN
    SELECT q.i, w.balance, w.day, w.day_spent, w.year, w.year_spent
    FROM unnest(k_key) WITH ORDINALITY AS q(key, i)
    JOIN ecny.wallet_state w ON w.key = q.key
    WHERE k_role[q.i] = 3 AND (k_payer[q.i] OR (k_payee[q.i] AND k_cap[q.i] IS NOT NULL))
    ORDER BY w.key
    FOR UPDATE OF w
  LOOP
    k_locked[r.i] := true; k_balance[r.i] := r.balance;
    k_tday[r.i] := r.day; k_tday_spent[r.i] := r.day_spent;
    k_tyear[r.i] := r.year; k_tyear_spent[r.i] := r.year_spent;
  END LOOP;

  -- 4. already settled
  FOR r IN
    SELECT q.i
    FROM unnest(t_txid, t_signer) WITH ORDINALITY AS q(txid, sg, i)
    JOIN ecny.txs x ON x.signer = k_key[q.sg] AND x.txid = q.txid
  LOOP
    dup[r.i] := true;
  END LOOP;

  -- total issuance, exact: issues serialize on the configuration row
  IF 1::smallint = ANY (t_type) THEN
    PERFORM 1 FROM ecny.ledger_config WHERE singleton FOR UPDATE;
    SELECT coalesce(sum(issued), 0) INTO issued_total FROM ecny.ledger_totals;
  END IF;

  -- 5. decide, in order
  FOR t IN 1..n LOOP
    code := 0; ix := NULL; det := NULL;
    ty := t_type[t]; sg := t_signer[t];
    IF dup[t] OR (t_first[t] < t AND settled[t_first[t]]) THEN
      code := 1;
    ELSIF k_role[sg] IS NULL THEN
      code := 2;
    ELSIF k_role[sg] <> rule_signer[ty] THEN
      code := 3;
    ELSIF today IS NOT NULL AND ty <> 10 AND t_day[t] <> today THEN
      -- online, the engine's clock decides the value day
      code := 18;
    ELSE
      total_in := 0; newest_day := -1; newest_at := -1;
      FOR j IN in_start..t_in_end[t] LOOP
        s := i_slot[j];
        IF NOT c_exists[s] THEN code := 4;
        ELSIF c_spent[s] IS NOT NULL THEN code := 5; det := encode(c_spent[s], 'hex');
        ELSIF c_owner[s] <> sg THEN code := 6;
        END IF;
        IF code <> 0 THEN ix := j - in_start; EXIT; END IF;
        total_in := total_in + c_value[s];
        IF c_day[s] > newest_day THEN newest_day := c_day[s]; newest_at := j - in_start; END IF;
      END LOOP;
      IF code = 0 AND ty = 10 THEN
        -- an offline payment's device day: not before its newest input, not after the sync,
        -- not older than the sync bound
        IF t_day[t] < newest_day THEN
          code := 19; ix := newest_at; det := newest_day::text;
        ELSIF today IS NOT NULL AND t_day[t] > today THEN code := 20;
        ELSIF today IS NOT NULL AND t_day[t] < offline_oldest THEN code := 21;
        END IF;
      END IF;
      IF code = 0 THEN
        FOR j IN pay_start..t_pay_end[t] LOOP
          pk := p_key[j];
          IF k_role[pk] IS NULL THEN code := 7;
          ELSIF k_role[pk] <> rule_payee[ty] THEN code := 8; det := k_role[pk]::text;
          END IF;
          IF code <> 0 THEN ix := p_index[j]; EXIT; END IF;
        END LOOP;
      END IF;
      IF code = 0 THEN
        IF ty = 1 THEN
          IF issued_total + t_total_out[t] > max_safe THEN code := 9; END IF;
        ELSIF ty = 7 THEN
          IF t_total_out[t] >= total_in THEN code := 10; END IF;
        ELSIF ty <> 8 AND ty <> 9 AND total_in <> t_total_out[t] THEN
          code := 11; det := total_in::text;
        END IF;
      END IF;
      IF code = 0 AND t_subj[t] > 0 THEN
        IF k_role[t_subj[t]] IS NOT NULL THEN code := 12;
        ELSIF NOT t_subj_ok[t] THEN code := 13;
        END IF;
      ELSIF code = 0 THEN
        -- tier limits: the payer's single, daily and annual caps (the tally never moves back
        -- to an earlier value day), then each payee's balance cap
        IF (ty = 4 OR ty = 10) AND k_tier[sg] IS NOT NULL THEN
          paid := t_paid[t];
          IF t_day[t] <= k_tday[sg] THEN
            dspent := k_tday_spent[sg]; yspent := k_tyear_spent[sg];
          ELSIF k_tyear[sg] = t_year[t] THEN
            dspent := 0; yspent := k_tyear_spent[sg];
          ELSE
            dspent := 0; yspent := 0;
          END IF;
          IF lim_single[k_tier[sg]] IS NOT NULL AND paid > lim_single[k_tier[sg]] THEN
            code := 14; det := k_tier[sg]::text;
          ELSIF lim_daily[k_tier[sg]] IS NOT NULL AND dspent + paid > lim_daily[k_tier[sg]] THEN
            code := 15; det := k_tier[sg]::text;
          ELSIF lim_annual[k_tier[sg]] IS NOT NULL AND yspent + paid > lim_annual[k_tier[sg]] THEN
            code := 16; det := k_tier[sg]::text;
          END IF;
        END IF;
        IF code = 0 AND (ty = 3 OR ty = 4 OR ty = 10) THEN
          FOR j IN pay_start..t_pay_end[t] LOOP
            pk := p_key[j]; cap := k_cap[pk];
            IF k_role[pk] = 3 AND cap IS NOT NULL AND k_balance[pk] + p_credit[j] > cap THEN
              code := 17; ix := p_index[j]; det := k_tier[pk] || ':' || cap; EXIT;
            END IF;
          END LOOP;
        END IF;
      END IF;
    END IF;

    IF code <> 0 THEN
      codes[t] := code; idx[t] := coalesce(ix, -1); details[t] := coalesce(det, '');
    ELSE
      -- 5b. apply to the batch state and queue the writes
      settled[t] := true;
      ns := ns + 1; s_signer[ns] := k_key[sg]; s_txid[ns] := t_txid[t]; s_type[ns] := ty;
      total_in := 0;
      FOR j IN in_start..t_in_end[t] LOOP
        s := i_slot[j];
        c_spent[s] := t_txid[t];
        total_in := total_in + c_value[s];
        IF c_ins[s] > 0 THEN
          x_spent[c_ins[s]] := t_txid[t];
        ELSE
          nw := nw + 1; w_owner[nw] := k_key[sg]; w_id[nw] := c_id[s]; w_by[nw] := t_txid[t];
        END IF;
      END LOOP;
      IF (k_locked[sg] OR k_new[sg]) AND k_cap[sg] IS NOT NULL THEN
        k_balance[sg] := k_balance[sg] - total_in; k_dirty[sg] := true;
      END IF;
      FOR j IN out_start..t_out_end[t] LOOP
        pk := o_owner[j];
        nx := nx + 1;
        x_owner[nx] := k_key[pk]; x_id[nx] := o_id[j]; x_value[nx] := o_value[j];
        x_day[nx] := t_day[t]; x_created[nx] := t_txid[t]; x_spent[nx] := NULL;
        s := o_slot[j];
        IF s > 0 THEN
          c_exists[s] := true; c_owner[s] := pk; c_value[s] := o_value[j]; c_day[s] := t_day[t];
          c_spent[s] := NULL; c_ins[s] := nx;
        END IF;
        IF (k_locked[pk] OR k_new[pk]) AND k_cap[pk] IS NOT NULL THEN
          k_balance[pk] := k_balance[pk] + o_value[j]; k_dirty[pk] := true;
        END IF;
      END LOOP;
      IF (ty = 4 OR ty = 10) AND t_paid[t] > 0 THEN
        IF t_day[t] <= k_tday[sg] THEN
          k_tday_spent[sg] := k_tday_spent[sg] + t_paid[t];
          k_tyear_spent[sg] := k_tyear_spent[sg] + t_paid[t];
        ELSE
          IF k_tyear[sg] <> t_year[t] THEN k_tyear_spent[sg] := 0; END IF;
          k_tday[sg] := t_day[t]; k_tyear[sg] := t_year[t];
          k_tday_spent[sg] := t_paid[t];
          k_tyear_spent[sg] := k_tyear_spent[sg] + t_paid[t];
        END IF;
        k_dirty[sg] := true;
      END IF;
      IF t_subj[t] > 0 THEN
        pk := t_subj[t];
        k_role[pk] := t_subj_role[t]; k_tier[pk] := t_subj_tier[t];
        k_cap[pk] := t_subj_cap[t]; k_new[pk] := true; k_dirty[pk] := true;
      END IF;
      IF ty = 1 THEN
        d_issued := d_issued + t_total_out[t]; issued_total := issued_total + t_total_out[t];
      ELSIF ty = 7 THEN
        d_destroyed := d_destroyed + total_in - t_total_out[t];
      END IF;
      d_created := d_created + (t_out_end[t] - out_start + 1);
      d_spent := d_spent + (t_in_end[t] - in_start + 1);
      d_type[ty] := d_type[ty] + 1;
    END IF;
    in_start := t_in_end[t] + 1; pay_start := t_pay_end[t] + 1; out_start := t_out_end[t] + 1;
  END LOOP;

  IF ns = 0 THEN RETURN; END IF;

  -- 6. the writes: transaction ids first (a node racing on the same txid fails here, whole)
  INSERT INTO ecny.txs (signer, txid, type)
  SELECT * FROM unnest(s_signer, s_txid, s_type);

  INSERT INTO ecny.accounts (key, id, role, tier, kind, kyc, cap)
  SELECT k_key[t_subj[q.t]], k_id[t_subj[q.t]], t_subj_role[q.t], t_subj_tier[q.t],
         t_subj_kind[q.t], t_subj_kyc[q.t], t_subj_cap[q.t]
  FROM generate_series(1, n) AS q(t)
  WHERE settled[q.t] AND t_subj[q.t] > 0;

  IF nw > 0 THEN
    UPDATE ecny.coins c SET spent_by = u.by
    FROM unnest(w_owner, w_id, w_by) AS u(owner, id, by)
    WHERE c.owner = u.owner AND c.id = u.id;
  END IF;

  IF nx > 0 THEN
    INSERT INTO ecny.coins (owner, id, value, day, created_by, spent_by)
    SELECT * FROM unnest(x_owner, x_id, x_value, x_day, x_created, x_spent);
  END IF;

  INSERT INTO ecny.wallet_state (key, balance, day, day_spent, year, year_spent)
  SELECT k_key[i], k_balance[i], k_tday[i], k_tday_spent[i], k_tyear[i], k_tyear_spent[i]
  FROM generate_series(1, nk) AS i
  WHERE k_new[i] AND k_role[i] = 3;

  UPDATE ecny.wallet_state w
  SET balance = k_balance[q.i], day = k_tday[q.i], day_spent = k_tday_spent[q.i],
      year = k_tyear[q.i], year_spent = k_tyear_spent[q.i]
  FROM unnest(k_key) WITH ORDINALITY AS q(key, i)
  WHERE w.key = q.key AND k_dirty[q.i] AND k_locked[q.i];

  INSERT INTO ecny.ledger_totals AS g (slot, issued, destroyed, coins_created, coins_spent,
    n_issue, n_allocate, n_exchange, n_transfer, n_redeem, n_return, n_destroy, n_enroll, n_open,
    n_offline_transfer)
  VALUES (pg_backend_pid(), d_issued, d_destroyed, d_created, d_spent,
    d_type[1], d_type[2], d_type[3], d_type[4], d_type[5], d_type[6], d_type[7], d_type[8],
    d_type[9], d_type[10])
  ON CONFLICT (slot) DO UPDATE SET
    issued = g.issued + excluded.issued, destroyed = g.destroyed + excluded.destroyed,
    coins_created = g.coins_created + excluded.coins_created,
    coins_spent = g.coins_spent + excluded.coins_spent,
    n_issue = g.n_issue + excluded.n_issue, n_allocate = g.n_allocate + excluded.n_allocate,
    n_exchange = g.n_exchange + excluded.n_exchange,
    n_transfer = g.n_transfer + excluded.n_transfer, n_redeem = g.n_redeem + excluded.n_redeem,
    n_return = g.n_return + excluded.n_return, n_destroy = g.n_destroy + excluded.n_destroy,
    n_enroll = g.n_enroll + excluded.n_enroll, n_open = g.n_open + excluded.n_open,
    n_offline_transfer = g.n_offline_transfer + excluded.n_offline_transfer;
END
$fn$;
`;
