// Adaxes 2026.1 account access tokens: minted by an administrator for a user, shown once, optionally without expiry.
// They carry the account's rights and stop working while the account is disabled (checked at each use).
import type { Directory } from './directory.js';
import { DirectoryError } from './model.js';
import { createToken } from './tokens-store.js';

export interface AccountToken {
  token: string;
  name: string;
  userId: string;
  expiresAt: string | null;
}

export async function createAccountToken(dir: Directory, userId: string, opts: { name?: string; expiresAt?: string | Date } = {}): Promise<AccountToken> {
  const user = await dir.get(userId, ['user'], { onPremisesOnly: true });
  if (!user) throw new DirectoryError('notFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
  let ttlSeconds: number | undefined;
  if (opts.expiresAt !== undefined) {
    const at = opts.expiresAt instanceof Date ? opts.expiresAt.getTime() : Date.parse(opts.expiresAt);
    if (Number.isNaN(at)) throw new DirectoryError('invalid', `'${String(opts.expiresAt)}' is not a date and time.`);
    if (at <= Date.now()) throw new DirectoryError('invalid', 'The expiry date of an account token must lie in the future.');
    ttlSeconds = (at - Date.now()) / 1000;
  }
  const name = opts.name?.trim() || 'REST API';
  const { token, expiresAt } = await createToken(dir.store, { kind: 'adaxesAccount', userId: user.id, data: { name }, ttlSeconds });
  return { token, name, userId: user.id, expiresAt };
}
