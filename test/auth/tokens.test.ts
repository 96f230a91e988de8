// Token verification refuses everything we did not issue, for this tenant and Graph, right now; and the signing
// key lives in the store, so tokens survive a restart.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, base64url, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { getHmacKey, getJwks, getSigningKey } from '../../src/auth/keys.js';
import { WWW_AUTHENTICATE, issueAppToken, issueUserToken } from '../../src/auth/tokens.js';
import { GraphError } from '../../src/graph/errors.js';
import { openStore, type Store } from '../../src/store/open.js';
import { ENGINES, freshStore } from '../support/stores.js';

const tenant = { id: randomUUID(), domain: 'contoso.onmicrosoft.com' };
const now = () => Math.floor(Date.now() / 1000);

function baseClaims() {
  const iat = now();
  return {
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${tenant.id}/`,
    iat,
    nbf: iat,
    exp: iat + 3599,
    appid: 'c0ffee00-0000-4000-8000-000000000001',
    azp: 'c0ffee00-0000-4000-8000-000000000001',
    appidacr: '1',
    idtyp: 'app',
    oid: 'c0ffee00-0000-4000-8000-000000000002',
    sub: 'c0ffee00-0000-4000-8000-000000000002',
    roles: ['Device.ReadWrite.All'],
    tid: tenant.id,
    uti: 'abc',
    ver: '1.0',
  };
}

async function expect401(promise: Promise<unknown>, message: string | RegExp) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GraphError);
  const g = err as GraphError;
  expect(g.status).toBe(401);
  expect(g.code).toBe('InvalidAuthenticationToken');
  if (typeof message === 'string') expect(g.message).toBe(message);
  else expect(g.message).toMatch(message);
  expect(g.headers['WWW-Authenticate']).toBe(WWW_AUTHENTICATE);
}

describe.each(ENGINES)('access token verification (%s)', (engine) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await freshStore(engine));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const auth = () => createAuthenticator({ store, tenant });
  const signOurs = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const key = await getSigningKey(store);
    return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...header }).sign(key.privateKey);
  };

  it('accepts a token it issued, with either Graph audience', async () => {
    const p = await auth().authenticate(`Bearer ${await signOurs(baseClaims())}`);
    expect(p).toMatchObject({ kind: 'app', roles: ['Device.ReadWrite.All'], tenantId: tenant.id });
    const alt = await auth().authenticate(`Bearer ${await signOurs({ ...baseClaims(), aud: '00000003-0000-0000-c000-000000000000' })}`);
    expect(alt.kind).toBe('app');
    const user = await issueUserToken(store, {
      tenantId: tenant.id,
      clientId: randomUUID(),
      appDisplayName: 'x',
      userId: randomUUID(),
      userPrincipalName: 'a@contoso.onmicrosoft.com',
      displayName: 'A',
      scopes: ['User.Read', 'Device.Read.All'],
    });
    expect(await auth().authenticate(`bearer ${user}`)).toMatchObject({ kind: 'delegated', scopes: ['User.Read', 'Device.Read.All'], roles: [] });
  });

  it('refuses a missing or empty token', async () => {
    await expect401(auth().authenticate(undefined), 'Access token is empty.');
    await expect401(auth().authenticate(''), 'Access token is empty.');
    await expect401(auth().authenticate('Bearer '), 'Access token is empty.');
    await expect401(auth().authenticate('Basic dXNlcjpwYXNz'), 'Access token is empty.');
  });

  it('refuses garbage', async () => {
    await expect401(auth().authenticate('Bearer not-a-jwt'), /CompactToken parsing failed/);
    await expect401(auth().authenticate('Bearer a.b.c'), /CompactToken parsing failed|Invalid signature/);
  });

  it('refuses alg none', async () => {
    const key = await getSigningKey(store);
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const token = `${enc({ alg: 'none', typ: 'JWT', kid: key.kid })}.${enc(baseClaims())}.`;
    await expect401(auth().authenticate(`Bearer ${token}`), 'Invalid signature.');
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const key = await getSigningKey(store);
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid }).sign(secret);
    await expect401(auth().authenticate(`Bearer ${token}`), 'Invalid signature.');
  });

  it('refuses a wrong kid', async () => {
    await expect401(auth().authenticate(`Bearer ${await signOurs(baseClaims(), { kid: 'someone-elses-key' })}`), 'Invalid signature.');
  });

  it('refuses a token signed by another key under our kid', async () => {
    const kid = (await getSigningKey(store)).kid;
    const other = await generateKeyPair('RS256');
    const token = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(other.privateKey);
    await expect401(auth().authenticate(`Bearer ${token}`), 'Invalid signature.');
  });

  it('refuses a tampered payload', async () => {
    const token = await signOurs(baseClaims());
    const [h, , s] = token.split('.');
    const forged = `${h}.${base64url.encode(JSON.stringify({ ...baseClaims(), roles: ['Directory.ReadWrite.All'] }))}.${s}`;
    await expect401(auth().authenticate(`Bearer ${forged}`), 'Invalid signature.');
  });

  it('refuses a wrong audience', async () => {
    await expect401(
      auth().authenticate(`Bearer ${await signOurs({ ...baseClaims(), aud: 'api://some-other-api' })}`),
      'Access token validation failure. Invalid audience.',
    );
  });

  it('refuses a wrong issuer or tenant', async () => {
    const other = randomUUID();
    await expect401(
      auth().authenticate(`Bearer ${await signOurs({ ...baseClaims(), iss: `https://sts.windows.net/${other}/` })}`),
      'Access token validation failure. Invalid issuer.',
    );
    await expect401(
      auth().authenticate(`Bearer ${await signOurs({ ...baseClaims(), iss: `https://login.microsoftonline.com/${tenant.id}/v2.0` })}`),
      'Access token validation failure. Invalid issuer.',
    );
    await expect401(auth().authenticate(`Bearer ${await signOurs({ ...baseClaims(), tid: other })}`), 'Access token validation failure. Invalid issuer.');
  });

  it('refuses expired and not-yet-valid tokens, allowing a little clock skew', async () => {
    const issue = (at: number) =>
      issueAppToken(store, { tenantId: tenant.id, clientId: randomUUID(), appDisplayName: 'x', servicePrincipalId: randomUUID(), roles: [], now: at });
    await expect401(auth().authenticate(`Bearer ${await issue(now() - 2 * 3600)}`), 'Access token has expired or is not yet valid.');
    await expect401(auth().authenticate(`Bearer ${await issue(now() + 3600)}`), 'Access token has expired or is not yet valid.');
    // Expired 60 s ago / valid from 60 s from now: inside the skew.
    await expect(auth().authenticate(`Bearer ${await issue(now() - 3599 - 60)}`)).resolves.toMatchObject({ kind: 'app' });
    await expect(auth().authenticate(`Bearer ${await issue(now() + 60)}`)).resolves.toMatchObject({ kind: 'app' });
    const noExp: Record<string, unknown> = baseClaims();
    delete noExp.exp;
    await expect401(auth().authenticate(`Bearer ${await signOurs(noExp)}`), 'Access token has expired or is not yet valid.');
  });

  it('a token accepted before is still refused once it expires, and its principal cannot be changed', async () => {
    const a = auth();
    const header = `Bearer ${await issueAppToken(store, { tenantId: tenant.id, clientId: randomUUID(), appDisplayName: 'x', servicePrincipalId: randomUUID(), roles: ['Device.Read.All'], now: now() })}`;
    const first = await a.authenticate(header);
    expect(await a.authenticate(header)).toEqual(first);
    expect(() => (first.roles as string[]).push('Directory.ReadWrite.All')).toThrow();
    vi.useFakeTimers({ now: Date.now() + 2 * 3600 * 1000, toFake: ['Date'] });
    try {
      await expect401(a.authenticate(header), 'Access token has expired or is not yet valid.');
    } finally {
      vi.useRealTimers();
    }
  });

  it('publishes the public key only', async () => {
    const jwks = await getJwks(store);
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});

describe('keys survive a restart', () => {
  it('reopening the SQLite file reloads the same signing and HMAC keys; old tokens still validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantbox-keys-'));
    const location = join(dir, 'tenantbox.sqlite');
    try {
      const first = await openStore({ location });
      const key1 = await getSigningKey(first);
      const hmac1 = await getHmacKey(first);
      const token = await issueAppToken(first, {
        tenantId: tenant.id,
        clientId: randomUUID(),
        appDisplayName: 'x',
        servicePrincipalId: randomUUID(),
        roles: ['Device.Read.All'],
      });
      await first.close();

      const second = await openStore({ location });
      try {
        const key2 = await getSigningKey(second);
        expect(key2.kid).toBe(key1.kid);
        expect((await getHmacKey(second)).equals(hmac1)).toBe(true);
        expect(hmac1.length).toBe(32);
        const principal = await createAuthenticator({ store: second, tenant }).authenticate(`Bearer ${token}`);
        expect(principal.roles).toEqual(['Device.Read.All']);
        const rows = await second.db.selectFrom('meta').select('key').execute();
        expect(rows.map((r) => r.key).sort()).toEqual(expect.arrayContaining(['hmac_key', 'signing_key']));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two nodes starting together on one PostgreSQL schema agree on one key', async () => {
    const { store: a, cleanup } = await freshStore('postgres');
    try {
      // A second Store object over the same database: the key cache is per Store, so this is a second "node".
      const b: Store = { ...a };
      const [ka, kb] = await Promise.all([getSigningKey(a), getSigningKey(b)]);
      expect(ka.kid).toBe(kb.kid);
      const [ha, hb] = await Promise.all([getHmacKey(a), getHmacKey(b)]);
      expect(ha.equals(hb)).toBe(true);
    } finally {
      await cleanup();
    }
  });
});
