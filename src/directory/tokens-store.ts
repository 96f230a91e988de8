// Opaque bearer values (OAuth refresh tokens, Adaxes sessions and tokens): only their sha256 is stored, so a copy
// of the database does not hand out live credentials.
import { createHash, randomBytes } from 'node:crypto';
import type { Db, Store, Tx } from '../store/open.js';
import { runKept } from '../store/prepared.js';

export type OpaqueTokenKind = 'refresh' | 'adaxesSession' | 'adaxesToken' | 'adaxesAccount' | 'assertionJti' | 'authCode' | 'deviceCode' | 'signInSession';

export interface StoredToken<D = Record<string, unknown>> {
  tokenHash: string;
  kind: OpaqueTokenKind;
  userId: string;
  clientId: string | null;
  data: D;
  expiresAt: string | null;
  createdAt: string;
}

export interface CreateTokenInput<D> {
  kind: OpaqueTokenKind;
  userId: string;
  clientId?: string | null;
  data?: D;
  /** Lifetime in seconds; omit for a value that never expires. */
  ttlSeconds?: number;
  /** Use this value instead of a random one (e.g. a format the face must reproduce). */
  token?: string;
  now?: Date;
}

/** A fresh random value: 32 bytes, base64url. */
export function newOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Stores a new opaque token and returns the value to hand out. Pass `tx` to join an open write. */
export async function createToken<D = Record<string, unknown>>(
  store: Store,
  input: CreateTokenInput<D>,
  tx?: Tx,
): Promise<{ token: string; expiresAt: string | null }> {
  const token = input.token ?? newOpaqueToken();
  const now = input.now ?? new Date();
  const expiresAt = input.ttlSeconds === undefined ? null : new Date(now.getTime() + input.ttlSeconds * 1000).toISOString();
  const insert = (t: Tx) =>
    t
      .insertInto('tokens')
      .values({
        token_hash: hashToken(token),
        kind: input.kind,
        user_id: input.userId,
        client_id: input.clientId ?? null,
        data: JSON.stringify(input.data ?? {}),
        expires_at: expiresAt,
        created_at: now.toISOString(),
      })
      .execute();
  if (tx) await insert(tx);
  else await store.write(insert);
  return { token, expiresAt };
}

/**
 * The stored token of `kind` for `token` if it exists and has not expired. Its row is kept until the store next
 * changes (a client sends the same token on every request); expiry is checked on every call.
 */
export async function findValidToken<D = Record<string, unknown>>(
  store: Store,
  kind: OpaqueTokenKind,
  token: string,
  now = new Date(),
): Promise<StoredToken<D> | undefined> {
  if (!token) return undefined;
  const hash = hashToken(token);
  const [row] = await runKept(store, 'findValidToken', [hash, kind], (db) => db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).where('kind', '=', kind), { keyed: true });
  if (!row) return undefined;
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) return undefined;
  return {
    tokenHash: row.token_hash,
    kind: row.kind as OpaqueTokenKind,
    userId: row.user_id,
    clientId: row.client_id,
    data: JSON.parse(row.data) as D,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

/** Whether a token with this value exists at all, expired or not (to tell "expired" from "never issued"). */
export async function tokenExists(db: Db, kind: OpaqueTokenKind, token: string): Promise<boolean> {
  const row = await db.selectFrom('tokens').select('token_hash').where('token_hash', '=', hashToken(token)).where('kind', '=', kind).executeTakeFirst();
  return !!row;
}

/** Moves a token's expiry (sliding sessions). */
export async function extendToken(store: Store, token: string, ttlSeconds: number, now = new Date()): Promise<string> {
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await store.write((tx) => tx.updateTable('tokens').set({ expires_at: expiresAt }).where('token_hash', '=', hashToken(token)).execute());
  return expiresAt;
}

/**
 * Takes a single-use token (authorization codes): returns it and marks it redeemed in the same write, so two
 * concurrent redemptions cannot both succeed. A second attempt sees `redeemed: true`.
 */
export async function redeemToken<D = Record<string, unknown>>(
  store: Store,
  kind: OpaqueTokenKind,
  token: string,
  now = new Date(),
): Promise<{ token: StoredToken<D>; redeemed: boolean } | undefined> {
  return store.write(async (tx) => {
    const row = await tx.selectFrom('tokens').selectAll().where('token_hash', '=', hashToken(token)).where('kind', '=', kind).executeTakeFirst();
    if (!row) return undefined;
    const data = JSON.parse(row.data) as D & { redeemed?: boolean };
    const stored: StoredToken<D> = { tokenHash: row.token_hash, kind, userId: row.user_id, clientId: row.client_id, data, expiresAt: row.expires_at, createdAt: row.created_at };
    if (data.redeemed) return { token: stored, redeemed: true };
    if (row.expires_at !== null && row.expires_at <= now.toISOString()) return { token: stored, redeemed: false };
    await tx.updateTable('tokens').set({ data: JSON.stringify({ ...data, redeemed: true }) }).where('token_hash', '=', row.token_hash).execute();
    return { token: stored, redeemed: false };
  });
}

/** Replaces a token's data (a device code once its user signed in) and, when given, its user. */
export async function updateTokenData(store: Store, kind: OpaqueTokenKind, token: string, data: Record<string, unknown>, userId?: string): Promise<boolean> {
  return store.write(async (tx) => {
    const set: { data: string; user_id?: string } = { data: JSON.stringify(data) };
    if (userId !== undefined) set.user_id = userId;
    const r = await tx.updateTable('tokens').set(set).where('token_hash', '=', hashToken(token)).where('kind', '=', kind).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  });
}
