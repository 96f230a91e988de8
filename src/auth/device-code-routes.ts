// The device authorization grant (Learn: identity-platform/v2-oauth2-device-code.md): POST
// /{tenant}/oauth2/v2.0/devicecode hands out a device_code for the client to poll with and a user_code for the user
// to enter at /devicelogin, where they sign in and approve or decline. Both codes are stored (hashed) for 15 minutes;
// the token endpoint answers authorization_pending until the user has answered.
import { randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApp } from '../directory/apps.js';
import { grantConsent } from '../directory/consents.js';
import { findUserByUpn, signInCandidates, verifyPassword } from '../directory/credentials.js';
import { createToken, findValidToken, newOpaqueToken, updateTokenData } from '../directory/tokens-store.js';
import { consentedFor, userCodeKey, type DeviceCodeData, type GrantDeps, type UserCodeData } from './grants.js';
import type { TenantResolver } from './oauth-routes.js';
import { E, OAuthError, origin, sendOAuthError } from './oauth-errors.js';
import { isDelegatedPermission, requiresAdminConsent } from './permissions.js';
import { roleTemplatesOf } from '../directory/directory-roles.js';
import { rightsOf } from '../directory/role-rights.js';
import { parseScopes, resolveScopes } from './scopes.js';
import { deviceCodeEntryPage, deviceSignInPage, messagePage } from './sign-in-page.js';

const DEVICE_CODE_LIFETIME = 900;
const POLL_INTERVAL = 5;
// No vowels or look-alikes, as in Entra's codes (e.g. "FGTKZ4QRB").
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ23456789';

const newUserCode = () => Array.from({ length: 9 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');

export function registerDeviceCode(scope: FastifyInstance<any, any, any, any, any>, resolveTenant: TenantResolver, allTenants: () => Iterable<GrantDeps>): void {
  scope.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/devicecode', async (req, reply) => {
    try {
      const { deps } = resolveTenant(req.params.tenant);
      const tenantName = deps.tenant.domain;
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      const form = type.startsWith('application/x-www-form-urlencoded') && typeof req.body === 'string' ? new URLSearchParams(req.body) : new URLSearchParams();
      const clientId = form.get('client_id');
      if (!clientId) throw E.missingParameter('client_id');
      const app = await findApp(deps.store.db, clientId);
      if (!app) throw E.unknownApp(clientId, tenantName);
      const scopeText = (form.get('scope') ?? '').trim();
      if (!scopeText) throw E.missingParameter('scope');
      const requested = parseScopes(scopeText, tenantName);
      for (const w of requested.wanted) if (!isDelegatedPermission(w.name)) throw E.invalidScope(w.asked);
      const userCode = newUserCode();
      const deviceCode = newOpaqueToken(48);
      const pending: UserCodeData = { clientId: app.clientId, graph: requested.wanted, oidc: requested.oidc, defaultAsked: requested.defaultAsked, status: 'pending' };
      await createToken<UserCodeData>(deps.store, { kind: 'deviceCode', userId: '', clientId: app.clientId, token: userCodeKey(userCode), data: pending, ttlSeconds: DEVICE_CODE_LIFETIME });
      await createToken<DeviceCodeData>(deps.store, { kind: 'deviceCode', userId: '', clientId: app.clientId, token: deviceCode, data: { userCode }, ttlSeconds: DEVICE_CODE_LIFETIME });
      const verificationUri = `${origin(req)}/devicelogin`;
      return reply
        .headers({ 'cache-control': 'no-store, no-cache', pragma: 'no-cache' })
        .type('application/json; charset=utf-8')
        .send({
          user_code: userCode,
          device_code: deviceCode,
          verification_uri: verificationUri,
          expires_in: DEVICE_CODE_LIFETIME,
          interval: POLL_INTERVAL,
          message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
        });
    } catch (err) {
      if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
      throw err;
    }
  });

  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  scope.get('/devicelogin', async (req, reply) => html(reply, deviceCodeEntryPage({ action: `${origin(req)}/devicelogin` })));

  scope.post('/devicelogin', async (req: FastifyRequest, reply: FastifyReply) => {
    const action = `${origin(req)}/devicelogin`;
    const form = typeof req.body === 'string' ? new URLSearchParams(req.body) : new URLSearchParams();
    const userCode = (form.get('otc') ?? '').trim();
    // The page is one for every tenant, as microsoft.com/devicelogin is: the code itself says whose it is.
    const found = userCode ? await pendingCode(allTenants(), userCodeKey(userCode)) : undefined;
    const pending = found?.pending;
    const deps = found?.deps;
    if (!pending || !deps || pending.data.status !== 'pending' || pending.userId !== '')
      return html(reply, deviceCodeEntryPage({ action, error: "That code didn't work. Check the code and try again." }), 400);
    const app = await findApp(deps.store.db, pending.data.clientId);
    if (!app) return html(reply, deviceCodeEntryPage({ action, error: "That code didn't work. Check the code and try again." }), 400);
    const scopes = pending.data.graph.map((g) => g.name);
    const view = async (error?: string) =>
      deviceSignInPage({ action, appName: app.displayName, userCode: userCode.toUpperCase(), scopes, error, users: await signInCandidates(deps.store.db) });
    if (form.get('step') !== 'signin') return html(reply, await view());
    const key = userCodeKey(userCode);
    if (form.get('decision') !== 'accept') {
      await updateTokenData(deps.store, 'deviceCode', key, { ...pending.data, status: 'declined' });
      return html(reply, messagePage('Sign-in cancelled', `You have declined to sign in to ${app.displayName} on your device.`));
    }
    const user = await findUserByUpn(deps.store.db, (form.get('username') ?? '').trim());
    if (!user) return html(reply, await view("We couldn't find an account with that username."), 400);
    const check = await verifyPassword(deps.store, user.id, form.get('password') ?? '');
    if (!check.ok) return html(reply, await view(check.reason === 'locked' ? E.locked().message : 'Your account or password is incorrect.'), 400);
    if (!user.accountEnabled) return html(reply, await view(E.disabled().message), 400);
    const consented = new Set((await consentedFor(deps.store, app, user.id)).map((x) => x.toLowerCase()));
    const needsAdmin = scopes.filter((x) => !consented.has(x.toLowerCase()) && requiresAdminConsent(x));
    if (needsAdmin.length > 0 && !rightsOf(await roleTemplatesOf(deps.store.db, user.id)).has('consent.grant'))
      return html(reply, await view(`AADSTS90094: Need admin approval. ${app.displayName} needs permissions only an admin can grant (${needsAdmin.join(', ')}).`), 403);
    // The user saw the requested permissions on this page and chose Continue: that is their consent.
    await grantConsent(deps.store, user.id, app.clientId, scopes);
    const granted = resolveScopes({ wanted: pending.data.graph, oidc: pending.data.oidc, defaultAsked: pending.data.defaultAsked }, await consentedFor(deps.store, app, user.id), app);
    await updateTokenData(deps.store, 'deviceCode', key, { ...pending.data, graph: granted.graph, status: 'approved' }, user.id);
    return html(reply, messagePage(app.displayName, `You have signed in to the ${app.displayName} application on your device. You may now close this window.`));
  });
}

async function pendingCode(tenants: Iterable<GrantDeps>, key: string) {
  for (const deps of tenants) {
    const pending = await findValidToken<UserCodeData>(deps.store, 'deviceCode', key);
    if (pending) return { deps, pending };
  }
  return undefined;
}
