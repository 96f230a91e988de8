// The token endpoint's grants: client credentials, password (ROPC), refresh token, authorization code (with PKCE)
// and device code, and the client authentication they share (secret, basic, private_key_jwt, or none for public
// clients).
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { findApp, verifyAppSecret, type AppRegistration } from '../directory/apps.js';
import { consentedScopes } from '../directory/consents.js';
import { findUserById, findUserByUpn, verifyPassword, type UserSignInRecord } from '../directory/credentials.js';
import { DEFAULT_USER_ROLE_TEMPLATE, roleTemplatesOf } from '../directory/directory-roles.js';
import { createToken, findValidToken, redeemToken, tokenExists } from '../directory/tokens-store.js';
import type { Store } from '../store/open.js';
import { AssertionError, JWT_BEARER_ASSERTION, verifyClientAssertion } from './client-assertion.js';
import { E, OAuthError, origin } from './oauth-errors.js';
import { graphPermissions, graphScopeName, parseScopes, resolveScopes, resourceOf, responseScope, scpOf, type DelegatedScopes } from './scopes.js';
import { ACCESS_TOKEN_LIFETIME, issueAppToken, issueIdToken, issueUserToken } from './tokens.js';

export interface GrantDeps {
  store: Store;
  tenant: { id: string; domain: string; displayName?: string };
  /** Refresh token lifetime in seconds (Entra: 90 days). */
  refreshTokenLifetime?: number;
}

export type TenantRef = { kind: 'tenant'; segment: string } | { kind: 'multi'; segment: string };
export type Form = Map<string, string>;

export interface GrantContext {
  deps: GrantDeps;
  req: FastifyRequest;
  form: Form;
  tenant: TenantRef;
  tenantName: string;
  /** The URL this request was sent to, as clients spell it in a client assertion's `aud`. */
  endpoint: string;
}

const REFRESH_TOKEN_LIFETIME = 90 * 24 * 3600;
type Acr = '0' | '1' | '2';

/** client_secret_post or client_secret_basic. */
function clientSecretOf(req: FastifyRequest, form: Form): { clientId?: string; secret?: string } {
  let clientId = form.get('client_id') || undefined;
  let secret = form.get('client_secret') || undefined;
  const auth = req.headers.authorization;
  if (auth && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      clientId ??= decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' '));
      secret ??= decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' '));
    }
  }
  return { clientId, secret };
}

function assertionFailure(err: AssertionError, clientId: string, endpoint: string): OAuthError {
  const f = err.failure;
  switch (f.reason) {
    case 'malformed':
      return E.assertionMalformed(f.detail);
    case 'keyNotFound':
      return E.assertionKeyNotFound(f.thumbprint, clientId);
    case 'signature':
      return E.assertionSignature();
    case 'audience':
      return E.assertionAudience(f.audience, endpoint);
    case 'clientMismatch':
      return E.assertionClientMismatch();
    case 'subjectMismatch':
      return E.assertionSubjectMismatch();
    case 'time':
      return E.assertionTime(f.now, f.nbf, f.exp);
    case 'replayed':
      return E.assertionReplayed();
    case 'missingClaim':
      return E.assertionMissingClaim(f.claim);
  }
}

/** The token endpoint URLs a client assertion may name: this tenant by id or domain, v2 and v1. */
function assertionAudiences(ctx: GrantContext): string[] {
  const base = origin(ctx.req);
  const out = new Set<string>([ctx.endpoint]);
  for (const t of [ctx.deps.tenant.id, ctx.deps.tenant.domain, ctx.tenant.segment]) {
    out.add(`${base}/${t}/oauth2/v2.0/token`);
    out.add(`${base}/${t}/oauth2/token`);
  }
  return [...out];
}

/**
 * Who the client is. Confidential clients present a secret or a certificate-signed assertion; a public client
 * presents nothing (and a credential where none belongs is AADSTS700025 only if the app has none registered).
 */
export async function authenticateClient(ctx: GrantContext, requireCredential: boolean): Promise<{ app: AppRegistration; acr: Acr }> {
  const { clientId, secret } = clientSecretOf(ctx.req, ctx.form);
  const assertion = ctx.form.get('client_assertion') || undefined;
  if (!clientId) throw E.missingParameter('client_id');
  const app = await findApp(ctx.deps.store.db, clientId);
  if (!app) throw E.unknownApp(clientId, ctx.tenantName);
  if (assertion !== undefined) {
    if (ctx.form.get('client_assertion_type') !== JWT_BEARER_ASSERTION) throw E.assertionType();
    try {
      await verifyClientAssertion(ctx.deps.store, app.clientId, assertion, assertionAudiences(ctx));
    } catch (err) {
      if (err instanceof AssertionError) throw assertionFailure(err, app.clientId, ctx.endpoint);
      throw err;
    }
    return { app, acr: '2' };
  }
  if (secret === undefined) {
    if (requireCredential || !app.publicClient) throw E.missingSecret();
    return { app, acr: '0' };
  }
  const check = await verifyAppSecret(ctx.deps.store.db, clientId, secret);
  if (!check.ok) {
    if (check.reason === 'noSecret' && app.publicClient) throw E.publicClientWithCredential();
    throw E.badSecret(app.clientId);
  }
  return { app, acr: '1' };
}

export async function clientCredentialsGrant(ctx: GrantContext) {
  if (ctx.tenant.kind === 'multi') throw E.noTenant();
  const scope = (ctx.form.get('scope') ?? '').trim();
  if (!scope) throw E.missingParameter('scope');
  for (const s of scope.split(/\s+/)) {
    const name = graphScopeName(s);
    if (name === undefined || !s.includes('/')) {
      if (name !== undefined) throw E.clientCredentialsScope(s);
      throw E.unknownResource(resourceOf(s), ctx.tenantName);
    }
    if (name.toLowerCase() !== '.default') throw E.clientCredentialsScope(s);
  }
  const { app, acr } = await authenticateClient(ctx, true);
  const accessToken = await issueAppToken(ctx.deps.store, {
    tenantId: ctx.deps.tenant.id,
    clientId: app.clientId,
    appDisplayName: app.displayName,
    servicePrincipalId: app.servicePrincipalId,
    roles: app.appRoles,
    wids: await roleTemplatesOf(ctx.deps.store.db, app.servicePrincipalId),
    appidacr: acr,
  });
  return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME, ext_expires_in: ACCESS_TOKEN_LIFETIME, access_token: accessToken };
}

export interface RefreshData {
  /** Graph permissions granted with the token (their own spelling). */
  scopes: string[];
  oidc: string[];
}

/** Everything consented for this user and app: the administrator's grant (the app's list) and the user's own. */
export async function consentedFor(store: Store, app: AppRegistration, userId: string): Promise<string[]> {
  return graphPermissions([...app.scopes, ...(await consentedScopes(store.db, userId, app.clientId))]);
}

export async function delegatedResponse(ctx: GrantContext, app: AppRegistration, acr: Acr, user: UserSignInRecord, scopes: DelegatedScopes, extra: { nonce?: string } = {}) {
  const { store, tenant } = ctx.deps;
  const wids = [...(await roleTemplatesOf(store.db, user.id)), DEFAULT_USER_ROLE_TEMPLATE];
  const accessToken = await issueUserToken(store, {
    tenantId: tenant.id,
    clientId: app.clientId,
    appDisplayName: app.displayName,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    scopes: scpOf(scopes),
    wids,
    appidacr: acr,
  });
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: responseScope(scopes),
    expires_in: ACCESS_TOKEN_LIFETIME,
    ext_expires_in: ACCESS_TOKEN_LIFETIME,
    access_token: accessToken,
  };
  if (scopes.oidc.includes('offline_access')) {
    const { token } = await createToken<RefreshData>(store, {
      kind: 'refresh',
      userId: user.id,
      clientId: app.clientId,
      data: { scopes: scopes.graph.map((g) => g.name), oidc: scopes.oidc },
      ttlSeconds: ctx.deps.refreshTokenLifetime ?? REFRESH_TOKEN_LIFETIME,
    });
    body.refresh_token = token;
  }
  if (scopes.oidc.includes('openid')) {
    body.id_token = await issueIdToken(store, {
      issuerBase: origin(ctx.req),
      tenantId: tenant.id,
      clientId: app.clientId,
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      nonce: extra.nonce ?? ctx.form.get('nonce'),
    });
  }
  if (ctx.form.get('client_info') === '1') {
    body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
  }
  return body;
}

export async function passwordGrant(ctx: GrantContext) {
  const username = ctx.form.get('username');
  const password = ctx.form.get('password');
  if (!username) throw E.missingCredentialField('username');
  if (!password) throw E.missingCredentialField('password');
  const scope = (ctx.form.get('scope') ?? '').trim();
  if (!scope) throw E.missingParameter('scope');
  const { app, acr } = await authenticateClient(ctx, false);
  const requested = parseScopes(scope, ctx.tenantName);
  const user = await findUserByUpn(ctx.deps.store.db, username);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  const check = await verifyPassword(ctx.deps.store, user.id, password);
  if (!check.ok) throw check.reason === 'locked' ? E.locked() : E.badPassword();
  if (!user.accountEnabled) throw E.disabled();
  const scopes = resolveScopes(requested, await consentedFor(ctx.deps.store, app, user.id), app);
  return delegatedResponse(ctx, app, acr, user, scopes);
}

const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

export async function refreshTokenGrant(ctx: GrantContext) {
  const refreshToken = ctx.form.get('refresh_token');
  if (!refreshToken) throw E.missingParameter('refresh_token');
  const { app, acr } = await authenticateClient(ctx, false);
  if (!OPAQUE_TOKEN.test(refreshToken)) throw E.malformedGrant();
  const stored = await findValidToken<RefreshData>(ctx.deps.store, 'refresh', refreshToken);
  if (!stored) throw (await tokenExists(ctx.deps.store.db, 'refresh', refreshToken)) ? E.expiredRefreshToken() : E.invalidGrant();
  if (stored.clientId !== app.clientId) throw E.invalidGrant();
  const user = await findUserById(ctx.deps.store.db, stored.userId);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  if (!user.accountEnabled) throw E.disabled();
  const consented = await consentedFor(ctx.deps.store, app, user.id);
  const requested = (ctx.form.get('scope') ?? '').trim();
  let scopes: DelegatedScopes;
  // A refresh token is good for any scope the user has consented to (Learn: v2-oauth2-auth-code-flow, "Refresh the
  // access token"), not only the ones first granted with it.
  if (requested) scopes = resolveScopes(parseScopes(requested, ctx.tenantName), consented, app);
  else {
    const allowed = new Set(consented.map((s) => s.toLowerCase()));
    scopes = { graph: stored.data.scopes.filter((s) => allowed.has(s.toLowerCase())).map((s) => ({ name: s, asked: s })), oidc: [...stored.data.oidc] };
  }
  // Entra always hands back a new refresh token on this grant; the old one stays valid until it expires.
  if (!scopes.oidc.includes('offline_access')) scopes.oidc.push('offline_access');
  return delegatedResponse(ctx, app, acr, user, scopes);
}

// --- authorization code ------------------------------------------------------------------------------------------

export interface AuthCodeData {
  graph: { name: string; asked: string }[];
  oidc: string[];
  defaultAsked?: string;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  redeemed?: boolean;
}

export const AUTH_CODE_LIFETIME = 600;

const pkceMatches = (data: AuthCodeData, verifier: string) =>
  data.codeChallengeMethod === 'plain' ? verifier === data.codeChallenge : createHash('sha256').update(verifier).digest('base64url') === data.codeChallenge;

export async function authorizationCodeGrant(ctx: GrantContext) {
  const code = ctx.form.get('code');
  if (!code) throw E.missingParameter('code');
  const redirectUri = ctx.form.get('redirect_uri');
  if (!redirectUri) throw E.missingParameter('redirect_uri');
  const { app, acr } = await authenticateClient(ctx, false);
  const found = await redeemToken<AuthCodeData>(ctx.deps.store, 'authCode', code);
  if (!found || found.token.clientId !== app.clientId) throw E.invalidCode();
  if (found.redeemed) throw E.codeRedeemed();
  const data = found.token.data;
  if (found.token.expiresAt !== null && found.token.expiresAt <= new Date().toISOString()) throw E.codeExpired();
  if (data.redirectUri !== redirectUri) throw E.redirectMismatch();
  if (data.codeChallenge !== undefined) {
    const verifier = ctx.form.get('code_verifier');
    if (!verifier) throw E.missingParameter('code_verifier');
    if (!pkceMatches(data, verifier)) throw E.pkceMismatch();
  }
  const user = await findUserById(ctx.deps.store.db, found.token.userId);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  if (!user.accountEnabled) throw E.disabled();
  return delegatedResponse(ctx, app, acr, user, { graph: data.graph, oidc: data.oidc, defaultAsked: data.defaultAsked }, { nonce: data.nonce });
}

// --- device code -------------------------------------------------------------------------------------------------

export interface DeviceCodeData {
  userCode: string;
}

/** The user-code side of a device authorization: what was asked, and how the user answered. */
export interface UserCodeData {
  clientId: string;
  graph: { name: string; asked: string }[];
  oidc: string[];
  defaultAsked?: string;
  status: 'pending' | 'approved' | 'declined';
  redeemed?: boolean;
}

export const userCodeKey = (userCode: string) => `usercode|${userCode.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

export async function deviceCodeGrant(ctx: GrantContext) {
  const deviceCode = ctx.form.get('device_code') ?? ctx.form.get('code');
  if (!deviceCode) throw E.missingParameter('device_code');
  const { app, acr } = await authenticateClient(ctx, false);
  const device = await findValidToken<DeviceCodeData>(ctx.deps.store, 'deviceCode', deviceCode);
  if (!device) throw (await tokenExists(ctx.deps.store.db, 'deviceCode', deviceCode)) ? E.deviceCodeExpired() : E.badVerificationCode();
  if (device.clientId !== app.clientId) throw E.badVerificationCode();
  const pending = await findValidToken<UserCodeData>(ctx.deps.store, 'deviceCode', userCodeKey(device.data.userCode));
  if (!pending) throw E.deviceCodeExpired();
  if (pending.data.status === 'declined') throw E.authorizationDeclined();
  if (pending.data.status !== 'approved') throw E.authorizationPending();
  const taken = await redeemToken<UserCodeData>(ctx.deps.store, 'deviceCode', userCodeKey(device.data.userCode));
  if (!taken || taken.redeemed) throw E.codeRedeemed();
  const user = await findUserById(ctx.deps.store.db, taken.token.userId);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  if (!user.accountEnabled) throw E.disabled();
  const d = taken.token.data;
  return delegatedResponse(ctx, app, acr, user, { graph: d.graph, oidc: d.oidc, defaultAsked: d.defaultAsked });
}
