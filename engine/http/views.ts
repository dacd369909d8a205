/** Read-only views of the store for GET endpoints. Identity data only for the regulator. */
import type { LedgerStore } from '../registry/index.js';
import { type Answer, errorAnswer } from './answers.js';

const HEX32 = /^[0-9a-f]{64}$/;
const HEX20 = /^[0-9a-f]{40}$/;
/** A public key: Ed25519 (64 hex) or a compressed SM2 point (66 hex). */
const KEY_HEX = /^(?:0[23])?[0-9a-f]{64}$/;
/** A wallet view lists at most this many coins: the balance is always exact. */
const MAX_COINS_LISTED = 1000;

export async function coinView(store: LedgerStore, id: string): Promise<Answer> {
  if (!HEX32.test(id)) return errorAnswer(400, 'MALFORMED', 'a coin id is 64 lowercase hex digits');
  const status = await store.coin(id);
  if (!status) return errorAnswer(404, 'UNKNOWN_COIN', `coin ${id} is not registered`);
  if (status.state === 'spent')
    return { status: 200, body: { id, state: 'spent', spentBy: status.spentBy } };
  const { value, owner, createdBy, day } = status.coin;
  return { status: 200, body: { id, state: 'unspent', value, owner, createdBy, day } };
}

/** `:id` is a wallet id (40 hex) or a public key (64 hex, or 66 for a compressed SM2 key). */
export async function walletView(
  store: LedgerStore,
  id: string,
  regulator: boolean,
): Promise<Answer> {
  if (!HEX20.test(id) && !KEY_HEX.test(id))
    return errorAnswer(
      400,
      'MALFORMED',
      'a wallet id is 40 hex digits, or a public key of 64 (or, SM2, 66) hex digits',
    );
  const held = await store.holdings(id, MAX_COINS_LISTED);
  if (!held) return errorAnswer(404, 'UNKNOWN_WALLET', `no wallet ${id}`);
  const { account } = held;
  const body: Record<string, unknown> = {
    id: account.id,
    key: account.key,
    role: account.role,
    balance: held.balance,
    coinCount: held.coinCount,
    coins: held.coins.map((c) => ({ id: c.id, value: c.value })),
  };
  if (account.tier !== undefined) body.tier = account.tier;
  if (account.kind !== undefined) body.kind = account.kind;
  // Controllable anonymity: anonymous at the front, not at the back.
  if (regulator && account.kyc !== undefined) body.kyc = account.kyc;
  return { status: 200, body };
}
