// Legacy authentication (session → token), renewal, expiry, revocation, lockout, disabled accounts, account tokens,
// and the error shapes around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';
import { hashToken } from '../../src/directory/tokens-store.js';
import { JOHN_DN, call, properties, q, signIn } from './client.js';

const UNAUTHENTICATED = { message: 'The provided authentication token is either expired or invalid.', code: 'unauthenticated' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(ENGINES)('Adaxes authentication (%s)', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine);
  });
  afterAll(async () => s?.close());

  it('creates a session and issues a token usable in Adm-Authorization', async () => {
    const session = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'john.smith@example.com', password: DEMO_PASSWORD } });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ totpState: null, changePasswordReason: 0 });
    expect(session.body.expiresAtUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    const lifetime = Date.parse(session.body.expiresAtUtc) - Date.now();
    expect(lifetime).toBeGreaterThan(9 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
    expect(Buffer.from(session.body.sessionId, 'base64url')).toHaveLength(32);

    // The session id itself is not a token (Adaxes Q&A 13151).
    expect((await properties(s.base, session.body.sessionId, JOHN_DN)).body).toEqual(UNAUTHENTICATED);

    const token = await call(s.base, 'POST', '/api/auth', { body: { sessionId: session.body.sessionId } });
    expect(token.status).toBe(200);
    expect(Buffer.from(token.body.token, 'base64url')).toHaveLength(32);
    const tokenLife = Date.parse(token.body.expiresAtUtc) - Date.now();
    expect(tokenLife).toBeGreaterThan(29 * 60_000);
    expect(tokenLife).toBeLessThanOrEqual(30 * 60_000);
    expect((await properties(s.base, token.body.token, JOHN_DN)).status).toBe(200);

    // Only hashes are stored.
    const stored = await s.tb.dir.db.selectFrom('tokens').select('token_hash').where('kind', 'in', ['adaxesSession', 'adaxesToken']).execute();
    const hashes = stored.map((r) => r.token_hash);
    expect(hashes).toContain(hashToken(token.body.token));
    expect(hashes).not.toContain(token.body.token);
  });

  it('only Active Directory accounts sign in: a cloud-only user is unknown to Adaxes ("the account must be in a domain managed by Adaxes", REST_Authentication)', async () => {
    const cloud = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'megan.bowen@example.com', password: DEMO_PASSWORD } });
    expect(cloud.status).toBe(403);
    expect(cloud.body.innerError.code).toBe('invalidCredentials');
    const minted = await call(s.base, 'POST', '/admin/adaxes/accountTokens', { body: { user: 'megan.bowen@example.com' } });
    expect(minted.status).toBe(400);
    expect(minted.body.error.message).toMatch(/cloud-only/);
  });

  it('accepts DOMAIN\\samAccountName logon names', async () => {
    const ok = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'EXAMPLE\\avance', password: DEMO_PASSWORD } });
    expect(ok.status).toBe(200);
    const wrongDomain = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'CONTOSO\\avance', password: DEMO_PASSWORD } });
    expect(wrongDomain.status).toBe(403);
    expect(wrongDomain.body.innerError.code).toBe('invalidCredentials');
  });

  it('every other /api call needs a valid token: missing or forged → 401 in Adaxes shape', async () => {
    for (const token of [undefined, 'forged', 'x'.repeat(43)]) {
      const r = await call(s.base, 'GET', `/api/directoryObjects${q({ directoryObject: JOHN_DN })}`, { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(UNAUTHENTICATED);
    }
  });

  it('wrong password → 403 with invalidCredentials and a falling attemptsLeft; then lockout', async () => {
    const user = 'miriam.graham@example.com';
    const attempt = (password: string) => call(s.base, 'POST', '/api/authSessions/create', { body: { username: user, password } });
    const first = await attempt('wrong');
    expect(first.status).toBe(403);
    expect(first.body).toMatchObject({ code: 'forbidden', innerError: { code: 'invalidCredentials', attemptsLeft: 9 } });
    expect(typeof first.body.message).toBe('string');
    const second = await attempt('wrong');
    expect(second.body.innerError.attemptsLeft).toBe(8);
    for (let i = 0; i < 8; i++) await attempt('wrong');
    const locked = await attempt(DEMO_PASSWORD);
    expect(locked.status).toBe(403);
    expect(locked.body.innerError.code).toBe('accountLockedOut');
    expect(locked.body.innerError).not.toHaveProperty('attemptsLeft');

    // An administrator unlocks the account through the API; then the right password works again.
    const admin = await signIn(s.base);
    const megan = (await s.tb.dir.user(user))!;
    const unlock = await call(s.base, 'POST', '/api/directoryObjects/account/unlock', { token: admin.token, body: { directoryObject: megan.dn } });
    expect(unlock.body.resultType).toBe(0);
    expect((await attempt(DEMO_PASSWORD)).status).toBe(200);
  });

  it('a disabled account is refused with accountIsDisabled, only once the password is right', async () => {
    const user = 'pradeep.gupta@example.com';
    const right = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: user, password: DEMO_PASSWORD } });
    expect(right.status).toBe(403);
    expect(right.body.innerError.code).toBe('accountIsDisabled');
    const wrong = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: user, password: 'nope' } });
    expect(wrong.body.innerError.code).toBe('invalidCredentials');
  });

  it('malformed bodies → 400 with ModelState', async () => {
    const missing = await call(s.base, 'POST', '/api/authSessions/create', { body: { username: 'john.smith@example.com' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ message: 'The request is invalid.', modelState: { password: ['The password field is required.'] } });
    const broken = await call(s.base, 'POST', '/api/authSessions/create', { rawBody: '{"username": ' });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toBe('The request is invalid.');
    expect(Object.keys(broken.body.modelState)).toEqual(['request']);
    const noSession = await call(s.base, 'POST', '/api/auth', { body: {} });
    expect(noSession.status).toBe(400);
    expect(noSession.body.modelState).toHaveProperty('sessionId');
  });

  it('unknown /api routes → 404 in Adaxes shape', async () => {
    const { token } = await signIn(s.base);
    const r = await call(s.base, 'GET', '/api/noSuchThing', { token });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: "No HTTP resource was found that matches the request URI '/api/noSuchThing'.", code: 'notFound' });
  });

  it('renews a token (PATCH /api/auth), revokes it (DELETE /api/auth) and ends sessions with their tokens', async () => {
    const a = await signIn(s.base);
    const renewed = await call(s.base, 'PATCH', '/api/auth', { token: a.token });
    expect(renewed.status).toBe(200);
    expect(renewed.body.token).toBe(a.token);
    expect(Date.parse(renewed.body.expiresAtUtc)).toBeGreaterThan(Date.now() + 29 * 60_000);

    const del = await call(s.base, 'DELETE', `/api/auth${q({ token: a.token })}`, { token: a.token });
    expect(del.status).toBe(204);
    expect((await properties(s.base, a.token, JOHN_DN)).body).toEqual(UNAUTHENTICATED);
    // The session outlives its token and can issue another.
    const again = await call(s.base, 'POST', '/api/auth', { body: { sessionId: a.sessionId } });
    expect(again.status).toBe(200);

    const endSession = await call(s.base, 'DELETE', `/api/authSessions${q({ id: a.sessionId })}`);
    expect(endSession.status).toBe(204);
    expect((await properties(s.base, again.body.token, JOHN_DN)).status).toBe(401);
    expect((await call(s.base, 'POST', '/api/auth', { body: { sessionId: a.sessionId } })).status).toBe(401);
    expect((await call(s.base, 'DELETE', `/api/authSessions${q({ id: a.sessionId })}`)).status).toBe(404);
  });

  it('account tokens from the admin route work without a session, and stop with a disabled account', async () => {
    const minted = await call(s.base, 'POST', '/admin/adaxes/accountTokens', { body: { user: 'adele.vance@example.com', name: 'ci' } });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ name: 'ci', expiresAt: null, userPrincipalName: 'adele.vance@example.com' });
    expect((await properties(s.base, minted.body.token, JOHN_DN)).status).toBe(200);
    // PATCH renewal is for session tokens; account tokens keep the lifetime set at creation.
    expect((await call(s.base, 'PATCH', '/api/auth', { token: minted.body.token })).status).toBe(401);

    const admin = await signIn(s.base);
    const adele = (await s.tb.dir.user('adele.vance@example.com'))!;
    const disable = await call(s.base, 'POST', '/api/directoryObjects/account/disable', { token: admin.token, body: { directoryObject: adele.dn } });
    expect(disable.body.resultType).toBe(0);
    expect((await properties(s.base, minted.body.token, JOHN_DN)).status).toBe(401);
    await call(s.base, 'POST', '/api/directoryObjects/account/enable', { token: admin.token, body: { directoryObject: adele.dn } });
    expect((await properties(s.base, minted.body.token, JOHN_DN)).status).toBe(200);

    const past = await call(s.base, 'POST', '/admin/adaxes/accountTokens', { body: { user: 'adele.vance@example.com', name: 'old', expiresAt: '2001-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    const unknown = await call(s.base, 'POST', '/admin/adaxes/accountTokens', { body: { user: 'nobody@example.com' } });
    expect(unknown.status).toBe(404);
  });
});

describe.each(ENGINES)('Adaxes lifetimes from configuration (%s)', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    // 1.8 s sessions and tokens, so expiry can be watched.
    s = await startTestServer(engine, { adaxesSessionMinutes: 0.03, adaxesTokenMinutes: 0.03 });
  });
  afterAll(async () => s?.close());

  it('tokens and sessions expire after the configured lifetime; renewal keeps a token alive', async () => {
    const a = await signIn(s.base);
    const b = await signIn(s.base);
    const life = Date.parse((await call(s.base, 'PATCH', '/api/auth', { token: b.token })).body.expiresAtUtc) - Date.now();
    expect(life).toBeLessThanOrEqual(1800);
    expect(life).toBeGreaterThan(1000);
    expect((await properties(s.base, a.token, JOHN_DN)).status).toBe(200);
    await sleep(1200);
    expect((await call(s.base, 'PATCH', '/api/auth', { token: b.token })).status).toBe(200);
    await sleep(1000);
    expect((await properties(s.base, a.token, JOHN_DN)).body).toEqual(UNAUTHENTICATED);
    expect((await properties(s.base, b.token, JOHN_DN)).status).toBe(200);
    const late = await call(s.base, 'POST', '/api/auth', { body: { sessionId: a.sessionId } });
    expect(late.status).toBe(401);
  });
});
