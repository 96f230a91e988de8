// Adaxes sign-in: logon names, authentication sessions and the security tokens issued from them. Every value
// handed out is 32 random bytes; only its sha256 is stored (tokens-store.ts).
import type { Directory } from './directory.js';
import { LOCKOUT_THRESHOLD, verifyPassword } from './credentials.js';
import { indexKey } from './index-keys.js';
import { encodeText } from '../odata/encode.js';
import type { DirObject } from './model.js';
import { isActiveDirectoryObject } from './on-prem-state.js';
import { createToken, extendToken, findValidToken, hashToken } from './tokens-store.js';

export type SignInFailure = 'invalidCredentials' | 'accountLockedOut' | 'accountIsDisabled';

export type SessionResult =
  | { ok: true; sessionId: string; expiresAt: string; userId: string }
  | { ok: false; reason: SignInFailure; attemptsLeft?: number };

/** The NetBIOS-style domain name users type before the backslash: EXAMPLE for example.com. */
export const netbiosName = (domain: string) => domain.split('.')[0].toUpperCase();

/**
 * Resolves `user@domain` (userPrincipalName) or `DOMAIN\\name` (the account's sAMAccountName, kept as
 * onPremisesSamAccountName) to an Active Directory account. "The account must be in a domain managed by Adaxes":
 * a cloud-only user is not one, whatever its name.
 */
export async function findUserByLogonName(dir: Directory, username: string): Promise<DirObject | undefined> {
  const name = username.trim();
  const slash = name.indexOf('\\');
  const ad = (u: DirObject | undefined) => (u && isActiveDirectoryObject(u) ? u : undefined);
  if (slash < 0) return name.includes('@') ? ad(await dir.byAltKey('user', name, { onPremisesOnly: true })) : undefined;
  const domain = name.slice(0, slash).toLowerCase();
  const sam = name.slice(slash + 1);
  const tenant = dir.tenant.domain.toLowerCase();
  if (!sam || (domain !== netbiosName(tenant).toLowerCase() && domain !== tenant)) return undefined;
  const hits = await dir.db
    .selectFrom('object_index as i')
    .innerJoin('objects as o', 'o.row_key', 'i.object_key')
    .select('o.id')
    .where('i.prop_key', '=', indexKey('user', 'onPremisesSamAccountName'))
    .where('i.value', '=', encodeText(sam))
    .limit(2)
    .execute();
  for (const hit of hits) {
    const u = ad(await dir.get(hit.id, ['user'], { onPremisesOnly: true }));
    if (u) return u;
  }
  return undefined;
}

export async function createAdaxesSession(dir: Directory, username: string, password: string, ttlMinutes: number): Promise<SessionResult> {
  const user = await findUserByLogonName(dir, username);
  if (!user) return { ok: false, reason: 'invalidCredentials', attemptsLeft: LOCKOUT_THRESHOLD };
  const check = await verifyPassword(dir.store, user.id, password);
  if (!check.ok) {
    if (check.reason === 'locked') return { ok: false, reason: 'accountLockedOut' };
    return { ok: false, reason: 'invalidCredentials', attemptsLeft: check.attemptsLeft };
  }
  // The password is checked before the account state so that a disabled account's existence is not revealed by a guess.
  if (user.props.accountEnabled === false) return { ok: false, reason: 'accountIsDisabled' };
  const { token, expiresAt } = await createToken(dir.store, { kind: 'adaxesSession', userId: user.id, ttlSeconds: ttlMinutes * 60 });
  return { ok: true, sessionId: token, expiresAt: expiresAt!, userId: user.id };
}

/** A security token for a live session; undefined when the session is unknown or expired. */
export async function issueAdaxesToken(dir: Directory, sessionId: string, ttlMinutes: number): Promise<{ token: string; expiresAt: string } | undefined> {
  const session = await findValidToken(dir.store, 'adaxesSession', sessionId);
  if (!session) return undefined;
  const { token, expiresAt } = await createToken(dir.store, {
    kind: 'adaxesToken',
    userId: session.userId,
    data: { session: session.tokenHash },
    ttlSeconds: ttlMinutes * 60,
  });
  return { token, expiresAt: expiresAt! };
}

export interface AdaxesCaller {
  userId: string;
  user: DirObject;
  kind: 'adaxesToken' | 'adaxesAccount';
  expiresAt: string | null;
}

/** Who a value of the Adm-Authorization header belongs to: a session-issued or an account token, live, of an enabled user. */
export async function authenticateAdaxes(dir: Directory, token: string | undefined): Promise<AdaxesCaller | undefined> {
  if (!token) return undefined;
  const found = (await findValidToken(dir.store, 'adaxesToken', token)) ?? (await findValidToken(dir.store, 'adaxesAccount', token));
  if (!found) return undefined;
  const user = await dir.get(found.userId, ['user'], { onPremisesOnly: true });
  if (!user || user.props.accountEnabled === false || !isActiveDirectoryObject(user)) return undefined;
  return { userId: found.userId, user, kind: found.kind as AdaxesCaller['kind'], expiresAt: found.expiresAt };
}

/** Renewal gives a session-issued token a full lifetime from now. Account tokens keep the expiry set at creation. */
export async function renewAdaxesToken(dir: Directory, token: string, ttlMinutes: number): Promise<string | undefined> {
  const found = await findValidToken(dir.store, 'adaxesToken', token);
  if (!found) return undefined;
  return extendToken(dir.store, token, ttlMinutes * 60);
}

export async function revokeAdaxesToken(dir: Directory, token: string): Promise<boolean> {
  return dir.store.write(async (tx) => {
    const res = await tx.deleteFrom('tokens').where('token_hash', '=', hashToken(token)).where('kind', '=', 'adaxesToken').executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  });
}

/** Ends a session and every token issued from it. */
export async function endAdaxesSession(dir: Directory, sessionId: string): Promise<boolean> {
  const hash = hashToken(sessionId);
  return dir.store.write(async (tx) => {
    const res = await tx.deleteFrom('tokens').where('token_hash', '=', hash).where('kind', '=', 'adaxesSession').executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    await tx.deleteFrom('tokens').where('kind', '=', 'adaxesToken').where('data', '=', JSON.stringify({ session: hash })).execute();
    return true;
  });
}
