// The interactive flows in a real browser: Debian's Chromium driven by playwright-core (no browser download), msal-node
// as the app. Authorization code with PKCE (Learn: identity-platform/v2-oauth2-auth-code-flow.md): getAuthCodeUrl →
// the sign-in page → redirect to a local listener → acquireTokenByCode; consent for a new scope, form_post, the
// browser session and prompt. Device code (v2-oauth2-device-code.md): acquireTokenByDeviceCode with the code entered
// on /devicelogin, and the polling errors.
import { CryptoProvider, PublicClientApplication } from '@azure/msal-node';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { ENGINES } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/server.js';

const UPN = 'adele.vance@example.com';
const CLIENT_ID = appClientId('Tenantbox Public Client');

function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

/** The app's redirect URI: records what the browser brings back (query or form_post body). */
async function redirectListener() {
  const received: { method: string; params: URLSearchParams }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      received.push({ method: req.method ?? 'GET', params: req.method === 'POST' ? new URLSearchParams(body) : url.searchParams });
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p id="done">Signed in</p>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { uri: `http://localhost:${port}/redirect`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(ENGINES)('sign-in pages in Chromium (%s)', (engine) => {
  let s: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let listener: Awaited<ReturnType<typeof redirectListener>>;
  let pca: PublicClientApplication;
  const crypto = new CryptoProvider();

  beforeAll(async () => {
    s = await startTestServer(engine);
    listener = await redirectListener();
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The server's certificate is the test one; the browser is told to accept it as a user would click through.
    context = await browser.newContext({ ignoreHTTPSErrors: true });
    pca = new PublicClientApplication({ auth: { clientId: CLIENT_ID, authority: `${s.httpsBase}/${DEMO_TENANT_ID}`, knownAuthorities: [new URL(s.httpsBase).host] } });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await listener?.close();
    await s?.close();
  });

  const signIn = async (page: Page, upn = UPN, password = DEMO_PASSWORD) => {
    await page.fill('#username', upn);
    await page.fill('#password', password);
    await Promise.all([page.waitForLoadState('load'), page.click('#signin')]);
  };

  it('auth code + PKCE end to end: msal-node URL, sign-in page, redirect, acquireTokenByCode, id_token nonce', async () => {
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const state = crypto.createNewGuid();
    const nonce = crypto.createNewGuid();
    const url = await pca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: listener.uri, codeChallenge: challenge, codeChallengeMethod: 'S256', state, nonce, loginHint: UPN });
    const page = await context.newPage();
    await page.goto(url);
    expect(await page.inputValue('#username')).toBe(UPN);
    // A wrong password stays on the page with Entra's message.
    await signIn(page, UPN, 'wrong-password');
    expect(await page.textContent('#error')).toContain('incorrect');
    const before = listener.received.length;
    await signIn(page);
    await page.waitForSelector('#done');
    const back = listener.received[before].params;
    expect(back.get('state')).toBe(state);
    const code = back.get('code')!;
    expect(code).toBeTruthy();
    // msal-node checks the id_token's nonce against the one the app sent, and the returned state.
    const result = await pca.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: listener.uri, codeVerifier: verifier, nonce, state }, { code, state });
    expect(result.account?.username).toBe(UPN);
    expect(result.idTokenClaims).toMatchObject({ nonce, preferred_username: UPN });
    expect(String(decodeJwt(result.accessToken).scp).split(' ')).toContain('User.Read');
    // The code is single use (AADSTS54005), and a wrong verifier fails PKCE (AADSTS501481).
    const again = await pca.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: listener.uri, codeVerifier: verifier, nonce }).catch((e: { errorMessage?: string }) => e);
    expect(String((again as { errorMessage?: string }).errorMessage)).toMatch(/AADSTS54005: /);
    await page.close();
  });

  it('a signed-in browser is not asked again; prompt=login asks; prompt=none without a session is login_required', async () => {
    const page = await context.newPage();
    const before = listener.received.length;
    const { challenge } = await crypto.generatePkceCodes();
    await page.goto(await pca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: listener.uri, state: 's2', codeChallenge: challenge, codeChallengeMethod: 'S256' }));
    await page.waitForSelector('#done');
    const code = listener.received[before].params.get('code')!;
    expect(code).toBeTruthy();
    // PKCE: a verifier that does not hash to the challenge is AADSTS501481.
    const wrong = await pca.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: listener.uri, codeVerifier: (await crypto.generatePkceCodes()).verifier }).catch((e: { errorMessage?: string }) => e);
    expect(String((wrong as { errorMessage?: string }).errorMessage)).toMatch(/AADSTS501481: /);
    await page.goto(await pca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: listener.uri, prompt: 'login' }));
    expect(await page.isVisible('#password')).toBe(true);
    const fresh = await browser.newContext({ ignoreHTTPSErrors: true });
    const other = await fresh.newPage();
    const n = listener.received.length;
    await other.goto(await pca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: listener.uri, prompt: 'none', state: 's3' }));
    await other.waitForSelector('#done');
    expect(listener.received[n].params.get('error')).toBe('login_required');
    expect(listener.received[n].params.get('state')).toBe('s3');
    await fresh.close();
    await page.close();
  });

  it('consent for a new scope, answered by form_post; the refresh token then covers it', async () => {
    const page = await context.newPage();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const url = await pca.getAuthCodeUrl({ scopes: ['Mail.Read'], redirectUri: listener.uri, codeChallenge: challenge, codeChallengeMethod: 'S256', responseMode: 'form_post' as never, prompt: 'login' });
    await page.goto(url);
    await signIn(page);
    expect(await page.textContent('#scopes')).toContain('Mail.Read');
    const before = listener.received.length;
    await Promise.all([page.waitForSelector('#done'), page.click('#accept')]);
    const back = listener.received[before];
    expect(back.method).toBe('POST');
    const result = await pca.acquireTokenByCode({ code: back.params.get('code')!, scopes: ['Mail.Read'], redirectUri: listener.uri, codeVerifier: verifier });
    expect(String(decodeJwt(result.accessToken).scp).split(' ')).toContain('Mail.Read');
    // Declining is access_denied at the redirect URI.
    await page.goto(await pca.getAuthCodeUrl({ scopes: ['Calendars.Read'], redirectUri: listener.uri, state: 'decline' }));
    const n = listener.received.length;
    await Promise.all([page.waitForSelector('#done'), page.click('#cancel')]);
    expect(listener.received[n].params.get('error')).toBe('access_denied');
    await page.close();
  });

  it('a scope that needs admin consent: a member is told to ask an admin (AADSTS90094), a Global Administrator may consent', async () => {
    const fresh = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await fresh.newPage();
    await page.goto(await pca.getAuthCodeUrl({ scopes: ['Group.ReadWrite.All'], redirectUri: listener.uri, loginHint: 'lee.gu@example.com' }));
    await signIn(page, 'lee.gu@example.com');
    expect(await page.textContent('#error')).toContain('AADSTS90094');
    expect(await page.isVisible('#accept')).toBe(false);
    await page.goto(await pca.getAuthCodeUrl({ scopes: ['Group.ReadWrite.All'], redirectUri: listener.uri, prompt: 'login' }));
    await signIn(page, UPN);
    expect(await page.textContent('#scopes')).toContain('Group.ReadWrite.All');
    await fresh.close();
  });

  it('a redirect URI that is not allowed is an error page, not a redirect (AADSTS50011)', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${s.httpsBase}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize?client_id=${CLIENT_ID}&response_type=code&scope=User.Read&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
    expect(res!.status()).toBe(400);
    expect(await page.textContent('#error')).toContain('AADSTS50011');
    await page.close();
  });

  it('device code: acquireTokenByDeviceCode completes once the code is entered and approved in the browser', async () => {
    const page = await context.newPage();
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (r) => {
        void (async () => {
          expect(r.message).toContain(r.userCode);
          await page.goto(r.verificationUri);
          await page.fill('#otc', r.userCode);
          await Promise.all([page.waitForSelector('#accept'), page.click('#next')]);
          await page.fill('#username', UPN);
          await page.fill('#password', DEMO_PASSWORD);
          await Promise.all([page.waitForSelector('#message'), page.click('#accept')]);
        })();
      },
    });
    expect(result!.account?.username).toBe(UPN);
    expect(String(decodeJwt(result!.accessToken).scp).split(' ')).toContain('User.Read');
    await page.close();
  }, 30_000);

  it('device code polling: authorization_pending, then authorization_declined; unknown codes are bad_verification_code', async () => {
    const post = async (path: string, form: Record<string, string>) => {
      const res = await fetch(`${s.base}/${DEMO_TENANT_ID}/oauth2/v2.0/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const dc = await post('devicecode', { client_id: CLIENT_ID, scope: 'User.Read openid' });
    expect(dc.status).toBe(200);
    expect(dc.body).toMatchObject({ expires_in: 900, interval: 5, verification_uri: `${s.base}/devicelogin` });
    const poll = () => post('token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT_ID, device_code: dc.body.device_code });
    expect((await poll()).body).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    const page = await context.newPage();
    await page.goto(dc.body.verification_uri);
    await page.fill('#otc', dc.body.user_code);
    await Promise.all([page.waitForSelector('#decline'), page.click('#next')]);
    await Promise.all([page.waitForSelector('#message'), page.click('#decline')]);
    expect((await poll()).body.error).toBe('authorization_declined');
    expect((await post('token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT_ID, device_code: 'A'.repeat(60) })).body.error).toBe('bad_verification_code');
    // Past expires_in the device code is expired_token (AADSTS70019).
    const late = await post('devicecode', { client_id: CLIENT_ID, scope: 'User.Read' });
    await s.tb.store.write((tx) => tx.updateTable('tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', 'deviceCode').execute());
    expect((await post('token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: CLIENT_ID, device_code: late.body.device_code })).body).toMatchObject({ error: 'expired_token', error_codes: [70019] });
    // A wrong user code stays on the entry page.
    await page.goto(dc.body.verification_uri);
    await page.fill('#otc', 'NOTACODE1');
    await page.click('#next');
    expect(await page.textContent('#error')).toContain("didn't work");
    await page.close();
  });

  it('discovery names exactly the endpoints that answer', async () => {
    const doc = (await (await fetch(`${s.base}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, any>;
    for (const key of Object.keys(doc).filter((k) => k.endsWith('_endpoint') || k === 'jwks_uri')) {
      const url = String(doc[key]);
      const method = key === 'token_endpoint' || key === 'device_authorization_endpoint' ? 'POST' : 'GET';
      const res = await fetch(url, { method, redirect: 'manual', headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}, body: method === 'POST' ? '' : undefined });
      expect(res.status, `${key} ${url}`).not.toBe(404);
    }
  });
});
