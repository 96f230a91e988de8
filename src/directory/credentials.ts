// User passwords and the scrypt hashing shared with app secrets, plus failed sign-in counting with lockout.
// Users themselves are `objects` rows (type 'user', alt_key = lower-case userPrincipalName); this module only reads
// them.
import { createHmac, randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db, Store } from '../store/open.js';
import { withinReach } from './on-prem-state.js';

// --- hashing -------------------------------------------------------------------------------------------------

const SCRYPT_N = 16384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

function scrypt(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const format = (n: number, salt: Buffer, hash: Buffer) => `scrypt$${n}$${salt.toString('base64url')}$${hash.toString('base64url')}`;

/** `scrypt$N$salt$hash` (salt and hash base64url), the form stored in `apps.secret_hash` and `credentials.password_hash`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return format(SCRYPT_N, salt, await scrypt(secret, salt, KEY_LENGTH, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P }));
}

/** Synchronous variant for seeding, where one hash is computed and reused. */
export function hashSecretSync(secret: string): string {
  const salt = randomBytes(16);
  return format(SCRYPT_N, salt, scryptSync(secret.normalize('NFC'), salt, KEY_LENGTH, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P }));
}

// Hashes written by other tools may encode salt and hash as hex or base64; accept those too.
function decode(part: string): Buffer {
  if (/^[0-9a-f]+$/i.test(part) && part.length % 2 === 0 && part.length >= 32) return Buffer.from(part, 'hex');
  return Buffer.from(part.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
}

// scrypt is slow on purpose (tens of ms), which would cap token issuance at a few dozen per second. A secret that
// verified once against a stored hash is remembered as an HMAC under a key that lives only in this process, so
// the memo gives an attacker nothing to brute-force; failures are never remembered and always pay full price.
const memoKey = randomBytes(32);
const verified = new Set<string>();
const VERIFIED_MAX = 1000;
const memoOf = (secret: string, stored: string) => createHmac('sha256', memoKey).update(stored).update('\u0000').update(secret).digest('base64');

/** Constant-time comparison of `secret` against a stored `scrypt$N$salt$hash`. False for anything unparseable. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const memo = memoOf(secret, stored);
  if (verified.has(memo)) return true;
  const ok = await verifyScrypt(secret, stored);
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.add(memo);
  }
  return ok;
}

async function verifyScrypt(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') return false;
  const n = Number(parts[1]);
  if (!Number.isInteger(n) || n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0) return false;
  const salt = decode(parts[2]);
  const expected = decode(parts[3]);
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await scrypt(secret, salt, expected.length, { N: n, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * n * SCRYPT_R });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// --- users ---------------------------------------------------------------------------------------------------

export interface UserSignInRecord {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
}

/** The user whose userPrincipalName is `upn` (case-insensitive), or undefined. */
export async function findUserByUpn(db: Db, upn: string): Promise<UserSignInRecord | undefined> {
  const row = await db
    .selectFrom('objects')
    .select(['id', 'props'])
    .where('type', '=', 'user')
    .where('alt_key', '=', upn.trim().toLowerCase())
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

/** Entra signs in only users that have a Microsoft 365 account; an Active Directory-only user does not exist there. */
const inEntra = (props: Record<string, unknown>) => withinReach({ type: 'user', props });

export async function findUserById(db: Db, id: string): Promise<UserSignInRecord | undefined> {
  const row = await db.selectFrom('objects').select(['id', 'props']).where('type', '=', 'user').where('id', '=', id.toLowerCase()).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

function toUser(row: { id: string; props: string }): UserSignInRecord | undefined {
  const props = JSON.parse(row.props) as Record<string, unknown>;
  if (!inEntra(props)) return undefined;
  return {
    id: row.id,
    userPrincipalName: String(props.userPrincipalName ?? ''),
    displayName: String(props.displayName ?? props.userPrincipalName ?? ''),
    accountEnabled: props.accountEnabled !== false,
  };
}

// --- passwords and lockout -----------------------------------------------------------------------------------

/** Entra-like smart lockout, simplified: this many wrong passwords in a row lock the account for `lockoutMs`. */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MS = 15 * 60 * 1000;

export async function setPassword(store: Store, userId: string, password: string): Promise<void> {
  const passwordHash = await hashSecret(password);
  await store.write(async (tx) => {
    await tx
      .insertInto('credentials')
      .values({ user_id: userId, password_hash: passwordHash, failed_attempts: 0, locked_until: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: passwordHash, failed_attempts: 0, locked_until: null }))
      .execute();
  });
}

export interface CredentialState {
  failedAttempts: number;
  lockedUntil: string | null;
  locked: boolean;
  attemptsLeft: number;
}

function stateOf(row: { failed_attempts: number; locked_until: string | null } | undefined, now: Date): CredentialState {
  const lockedUntil = row?.locked_until ?? null;
  const locked = lockedUntil !== null && lockedUntil > now.toISOString();
  // A lock that has run out starts a fresh count.
  const failed = lockedUntil !== null && !locked ? 0 : Number(row?.failed_attempts ?? 0);
  return { failedAttempts: failed, lockedUntil: locked ? lockedUntil : null, locked, attemptsLeft: locked ? 0 : Math.max(0, LOCKOUT_THRESHOLD - failed) };
}

export async function credentialState(db: Db, userId: string, now = new Date()): Promise<CredentialState> {
  const row = await db.selectFrom('credentials').select(['failed_attempts', 'locked_until']).where('user_id', '=', userId).executeTakeFirst();
  return stateOf(row, now);
}

export type PasswordCheck =
  | { ok: true }
  | { ok: false; reason: 'wrongPassword' | 'noPassword'; attemptsLeft: number; lockedUntil: string | null }
  | { ok: false; reason: 'locked'; attemptsLeft: 0; lockedUntil: string };

/**
 * Checks `password` for `userId`, counting failures. A locked account is refused without looking at the password
 * (so guessing during a lock neither succeeds nor extends it); the failure that reaches the threshold locks it.
 */
export async function verifyPassword(store: Store, userId: string, password: string, now = new Date()): Promise<PasswordCheck> {
  const row = await store.db.selectFrom('credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return { ok: false, reason: 'noPassword', attemptsLeft: LOCKOUT_THRESHOLD, lockedUntil: null };
  const before = stateOf(row, now);
  if (before.locked) return { ok: false, reason: 'locked', attemptsLeft: 0, lockedUntil: before.lockedUntil! };
  // Hash outside the write transaction: scrypt is slow and writes are serialised.
  const good = await verifySecret(password, row.password_hash);
  return store.write(async (tx) => {
    const current = await tx.selectFrom('credentials').select(['failed_attempts', 'locked_until']).where('user_id', '=', userId).executeTakeFirst();
    const state = stateOf(current, now);
    if (state.locked) return { ok: false, reason: 'locked', attemptsLeft: 0, lockedUntil: state.lockedUntil! } as const;
    if (good) {
      if (state.failedAttempts !== 0 || current?.locked_until)
        await tx.updateTable('credentials').set({ failed_attempts: 0, locked_until: null }).where('user_id', '=', userId).execute();
      return { ok: true } as const;
    }
    const failed = state.failedAttempts + 1;
    const lockedUntil = failed >= LOCKOUT_THRESHOLD ? new Date(now.getTime() + LOCKOUT_MS).toISOString() : null;
    await tx
      .updateTable('credentials')
      .set({ failed_attempts: lockedUntil ? 0 : failed, locked_until: lockedUntil })
      .where('user_id', '=', userId)
      .execute();
    return { ok: false, reason: 'wrongPassword', attemptsLeft: lockedUntil ? 0 : LOCKOUT_THRESHOLD - failed, lockedUntil } as const;
  });
}

/** Users to offer on a sign-in page: enabled accounts with a password, by user principal name. */
export async function signInCandidates(db: Db, limit = 60): Promise<{ upn: string; displayName: string }[]> {
  const rows = await db
    .selectFrom('objects')
    .innerJoin('credentials', 'credentials.user_id', 'objects.id')
    .select(['objects.id', 'objects.props'])
    .where('objects.type', '=', 'user')
    .orderBy('objects.alt_key')
    .limit(limit)
    .execute();
  return rows
    .map(toUser)
    .filter((u): u is UserSignInRecord => !!u && u.accountEnabled)
    .map((u) => ({ upn: u.userPrincipalName, displayName: u.displayName }));
}
