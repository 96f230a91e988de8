// Delegated permissions a user granted an app on the consent page. Together with the app's own list (granted for
// everyone by an administrator) they are what a refresh token or a silent sign-in may ask for.
import type { Db, Store } from '../store/open.js';

export async function consentedScopes(db: Db, userId: string, clientId: string): Promise<string[]> {
  const row = await db.selectFrom('consents').select('scopes').where('user_id', '=', userId.toLowerCase()).where('client_id', '=', clientId.toLowerCase()).executeTakeFirst();
  return row ? (JSON.parse(row.scopes) as string[]) : [];
}

/** Adds `scopes` to what the user granted the app (case-insensitively unique, first spelling kept). */
export async function grantConsent(store: Store, userId: string, clientId: string, scopes: string[]): Promise<string[]> {
  return store.write(async (tx) => {
    const row = await tx.selectFrom('consents').select('scopes').where('user_id', '=', userId.toLowerCase()).where('client_id', '=', clientId.toLowerCase()).executeTakeFirst();
    const have = row ? (JSON.parse(row.scopes) as string[]) : [];
    const seen = new Set(have.map((s) => s.toLowerCase()));
    for (const s of scopes) if (!seen.has(s.toLowerCase())) {
      have.push(s);
      seen.add(s.toLowerCase());
    }
    const value = JSON.stringify(have);
    await tx
      .insertInto('consents')
      .values({ user_id: userId.toLowerCase(), client_id: clientId.toLowerCase(), scopes: value })
      .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes: value }))
      .execute();
    return have;
  });
}
