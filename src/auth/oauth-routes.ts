// The Microsoft identity platform endpoints Graph clients use: the v2.0 (and v1) token endpoint, the OpenID
// Connect discovery documents and the signing keys, answering with Entra's shapes and AADSTS error codes.
//
// Every URL in the discovery documents is built from the request's own scheme and host: MSAL fetches the document
// from the authority it was given and rejects an issuer on another host.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApp, verifyAppSecret, type AppRegistration } from '../directory/apps.js';
import { findUserById, findUserByUpn, verifyPassword, type UserSignInRecord } from '../directory/credentials.js';
import { createToken, findValidToken, tokenExists } from '../directory/tokens-store.js';
import type { Store } from '../store/open.js';
import { getJwks } from './keys.js';
import { ACCESS_TOKEN_LIFETIME, GRAPH_APP_ID, GRAPH_AUDIENCE, issueAppToken, issueIdToken, issueUserToken, v1Issuer } from './tokens.js';

export interface OAuthDeps {
  store: Store;
  tenant: { id: string; domain: string; displayName?: string };
  /** Refresh token lifetime in seconds (Entra: 90 days). */
  refreshTokenLifetime?: number;
}

const REFRESH_TOKEN_LIFETIME = 90 * 24 * 3600;
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const GRAPH_RESOURCE_PREFIXES = [`${GRAPH_AUDIENCE}/`, `${GRAPH_APP_ID}/`];
const MULTI_TENANT = new Set(['common', 'organizations']);

// --- errors ----------------------------------------------------------------------------------------------------

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

const E = {
  tenantNotFound: (t: string) =>
    new OAuthError(400, 'invalid_request', 90002, `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`),
  missingParameter: (p: string) => new OAuthError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`),
  missingCredentialField: (f: string) =>
    new OAuthError(400, 'invalid_request', 90014, `The required field '${f}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.`),
  noTenant: () => new OAuthError(400, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.'),
  unsupportedGrant: (g: string) => new OAuthError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${g}'.`),
  unknownApp: (clientId: string, tenant: string) =>
    new OAuthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  missingSecret: () => new OAuthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  badSecret: (clientId: string) =>
    new OAuthError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  unknownResource: (resource: string, tenant: string) =>
    new OAuthError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  clientCredentialsScope: (scope: string) =>
    new OAuthError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  invalidScope: (scope: string) => new OAuthError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  consentRequired: (app: AppRegistration) =>
    new OAuthError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`),
  unknownUser: (tenant: string) =>
    new OAuthError(400, 'invalid_grant', 50034, `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`),
  badPassword: () => new OAuthError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  locked: () => new OAuthError(400, 'invalid_grant', 50053, "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password."),
  disabled: () => new OAuthError(400, 'invalid_grant', 50057, 'The user account is disabled.'),
  malformedGrant: () => new OAuthError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  invalidGrant: () => new OAuthError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  expiredRefreshToken: () =>
    new OAuthError(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued too long ago and was inactive for longer than its lifetime allows.'),
};

const entraTimestamp = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

function sendOAuthError(req: FastifyRequest, reply: FastifyReply, err: OAuthError) {
  const now = new Date();
  const traceId = randomUUID();
  const headerCorrelation = req.headers['client-request-id'];
  const correlationId = typeof headerCorrelation === 'string' && headerCorrelation ? headerCorrelation : randomUUID();
  const timestamp = entraTimestamp(now);
  return reply
    .code(err.status)
    .headers({ 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': traceId, 'client-request-id': correlationId })
    .type('application/json; charset=utf-8')
    .send({
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin(req)}/error?code=${err.code}`,
    });
}

// --- tenants ---------------------------------------------------------------------------------------------------

type TenantRef = { kind: 'tenant'; segment: string } | { kind: 'multi'; segment: string };

function resolveTenant(deps: OAuthDeps, raw: string): TenantRef {
  const t = raw.toLowerCase();
  if (t === deps.tenant.id.toLowerCase() || t === deps.tenant.domain.toLowerCase()) return { kind: 'tenant', segment: deps.tenant.id };
  if (MULTI_TENANT.has(t)) return { kind: 'multi', segment: t };
  throw E.tenantNotFound(raw);
}

// --- form parsing ----------------------------------------------------------------------------------------------

type Form = Map<string, string>;

function formOf(req: FastifyRequest): Form {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const form: Form = new Map();
  if (!type.startsWith('application/x-www-form-urlencoded') || typeof req.body !== 'string') return form;
  for (const [k, v] of new URLSearchParams(req.body)) if (!form.has(k)) form.set(k, v);
  return form;
}

/** client_secret_post or client_secret_basic. */
function clientCredentials(req: FastifyRequest, form: Form): { clientId?: string; secret?: string } {
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

// --- scopes ----------------------------------------------------------------------------------------------------

interface DelegatedScopes {
  /** Graph permissions granted, in the app's spelling. */
  graph: string[];
  /** OpenID Connect scopes requested (openid, profile, email, offline_access). */
  oidc: string[];
}

/** Splits a Graph scope (`https://graph.microsoft.com/User.Read`, `User.Read`) from its resource; undefined if not Graph. */
function graphScopeName(scope: string): string | undefined {
  for (const prefix of GRAPH_RESOURCE_PREFIXES) if (scope.toLowerCase().startsWith(prefix)) return scope.slice(prefix.length).replace(/^\/+/, '');
  if (scope.includes('/') || scope.includes(':')) return undefined;
  return scope;
}

function resourceOf(scope: string): string {
  const i = scope.lastIndexOf('/');
  return i > 0 ? scope.slice(0, i) : scope;
}

function delegatedScopes(raw: string, app: AppRegistration, tenantName: string): DelegatedScopes {
  const requested = raw.split(/\s+/).filter((s) => s !== '');
  const oidc: string[] = [];
  const wanted: string[] = [];
  let all = false;
  for (const s of requested) {
    const lower = s.toLowerCase();
    if (OIDC_SCOPES.includes(lower)) {
      if (!oidc.includes(lower)) oidc.push(lower);
      continue;
    }
    const name = graphScopeName(s);
    if (name === undefined) throw E.unknownResource(resourceOf(s), tenantName);
    if (name === '') throw E.invalidScope(s);
    if (name.toLowerCase() === '.default') all = true;
    else wanted.push(name.toLowerCase());
  }
  const graph = app.scopes.filter((p) => all || wanted.includes(p.toLowerCase()));
  if (wanted.length > 0 && graph.length === 0 && !all) throw E.consentRequired(app);
  return { graph, oidc };
}

function scpOf(s: DelegatedScopes): string[] {
  // Entra puts the OIDC scopes other than offline_access into a Graph token's scp.
  return [...s.graph, ...s.oidc.filter((o) => o !== 'offline_access')];
}

function responseScope(s: DelegatedScopes): string {
  return [...s.graph.map((g) => `${GRAPH_AUDIENCE}/${g}`), ...s.oidc].join(' ');
}

// --- grants ----------------------------------------------------------------------------------------------------

interface GrantContext {
  deps: OAuthDeps;
  req: FastifyRequest;
  form: Form;
  tenant: TenantRef;
  tenantName: string;
}

async function authenticateClient(ctx: GrantContext, requireSecret: boolean): Promise<{ app: AppRegistration; acr: '0' | '1' }> {
  const { clientId, secret } = clientCredentials(ctx.req, ctx.form);
  if (!clientId) throw E.missingParameter('client_id');
  const app = await findApp(ctx.deps.store.db, clientId);
  if (!app) throw E.unknownApp(clientId, ctx.tenantName);
  if (secret === undefined) {
    if (requireSecret || !app.publicClient) throw E.missingSecret();
    return { app, acr: '0' };
  }
  const check = await verifyAppSecret(ctx.deps.store.db, clientId, secret);
  if (!check.ok) throw E.badSecret(app.clientId);
  return { app, acr: '1' };
}

async function clientCredentialsGrant(ctx: GrantContext) {
  if (ctx.tenant.kind === 'multi') throw E.noTenant();
  const scope = (ctx.form.get('scope') ?? '').trim();
  if (!scope) throw E.missingParameter('scope');
  const scopes = scope.split(/\s+/);
  for (const s of scopes) {
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
    appidacr: acr,
  });
  return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME, ext_expires_in: ACCESS_TOKEN_LIFETIME, access_token: accessToken };
}

interface RefreshData {
  scopes: string[];
  oidc: string[];
}

async function delegatedResponse(ctx: GrantContext, app: AppRegistration, acr: '0' | '1', user: UserSignInRecord, scopes: DelegatedScopes) {
  const { store, tenant } = ctx.deps;
  const accessToken = await issueUserToken(store, {
    tenantId: tenant.id,
    clientId: app.clientId,
    appDisplayName: app.displayName,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    scopes: scpOf(scopes),
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
      data: { scopes: scopes.graph, oidc: scopes.oidc },
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
      nonce: ctx.form.get('nonce'),
    });
  }
  if (ctx.form.get('client_info') === '1') {
    body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
  }
  return body;
}

async function passwordGrant(ctx: GrantContext) {
  const username = ctx.form.get('username');
  const password = ctx.form.get('password');
  if (!username) throw E.missingCredentialField('username');
  if (!password) throw E.missingCredentialField('password');
  const scope = (ctx.form.get('scope') ?? '').trim();
  if (!scope) throw E.missingParameter('scope');
  const { app, acr } = await authenticateClient(ctx, false);
  const scopes = delegatedScopes(scope, app, ctx.tenantName);
  const user = await findUserByUpn(ctx.deps.store.db, username);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  const check = await verifyPassword(ctx.deps.store, user.id, password);
  if (!check.ok) throw check.reason === 'locked' ? E.locked() : E.badPassword();
  if (!user.accountEnabled) throw E.disabled();
  return delegatedResponse(ctx, app, acr, user, scopes);
}

const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

async function refreshTokenGrant(ctx: GrantContext) {
  const refreshToken = ctx.form.get('refresh_token');
  if (!refreshToken) throw E.missingParameter('refresh_token');
  const { app, acr } = await authenticateClient(ctx, false);
  if (!OPAQUE_TOKEN.test(refreshToken)) throw E.malformedGrant();
  const stored = await findValidToken<RefreshData>(ctx.deps.store.db, 'refresh', refreshToken);
  if (!stored) throw (await tokenExists(ctx.deps.store.db, 'refresh', refreshToken)) ? E.expiredRefreshToken() : E.invalidGrant();
  if (stored.clientId !== app.clientId) throw E.invalidGrant();
  const user = await findUserById(ctx.deps.store.db, stored.userId);
  if (!user) throw E.unknownUser(ctx.deps.tenant.id);
  if (!user.accountEnabled) throw E.disabled();
  const requested = (ctx.form.get('scope') ?? '').trim();
  let scopes: DelegatedScopes;
  if (requested) {
    scopes = delegatedScopes(requested, app, ctx.tenantName);
    // A refresh token only yields what was granted with it.
    const original = new Set(stored.data.scopes.map((s) => s.toLowerCase()));
    scopes.graph = scopes.graph.filter((s) => original.has(s.toLowerCase()));
  } else {
    const allowed = new Set(app.scopes.map((s) => s.toLowerCase()));
    scopes = { graph: stored.data.scopes.filter((s) => allowed.has(s.toLowerCase())), oidc: stored.data.oidc };
  }
  // Entra always hands back a new refresh token on this grant; the old one stays valid until it expires.
  if (!scopes.oidc.includes('offline_access')) scopes.oidc.push('offline_access');
  return delegatedResponse(ctx, app, acr, user, scopes);
}

// --- discovery documents ---------------------------------------------------------------------------------------

function v2Configuration(base: string, tenant: TenantRef) {
  const t = tenant.segment;
  const issuerTenant = tenant.kind === 'tenant' ? tenant.segment : '{tenantid}';
  return {
    token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${base}/${t}/kerberos`,
    tenant_region_scope: tenant.kind === 'tenant' ? 'EU' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** The v1 document names the issuer our access tokens carry (`https://sts.windows.net/{tid}/`), for token validators. */
function v1Configuration(base: string, tenant: TenantRef) {
  const t = tenant.segment;
  return {
    token_endpoint: `${base}/${t}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/common/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: tenant.kind === 'tenant' ? v1Issuer(tenant.segment) : 'https://sts.windows.net/{tenantid}/',
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/${t}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/${t}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${t}/oauth2/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'given_name', 'family_name', 'nickname'],
    check_session_iframe: `${base}/${t}/oauth2/checksession`,
    userinfo_endpoint: `${base}/${t}/openid/userinfo`,
    kerberos_endpoint: `${base}/${t}/kerberos`,
    tenant_region_scope: tenant.kind === 'tenant' ? 'EU' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

// --- plugin ----------------------------------------------------------------------------------------------------

type TenantParams = { tenant: string };

/**
 * Serves, for `{tenant}` = the tenant id, its domain, `common` or `organizations`:
 * POST /{tenant}/oauth2/v2.0/token (and the v1 /{tenant}/oauth2/token, which takes `resource` instead of `scope`),
 * GET /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/.well-known/openid-configuration,
 * GET /{tenant}/discovery/v2.0/keys and /{tenant}/discovery/keys.
 */
// `any` server types: the HTTP and HTTPS listeners are differently typed fastify instances.
export async function registerOAuth(app: FastifyInstance<any, any, any, any, any>, deps: OAuthDeps): Promise<void> {
  await app.register(async (scope) => {
    // Entra reads only form bodies; anything else is answered as a request without parameters.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const tenantName = deps.tenant.domain;

    const token = (version: 'v1' | 'v2') => async (req: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) => {
      try {
        const tenant = resolveTenant(deps, req.params.tenant);
        const form = formOf(req);
        if (version === 'v1' && !form.has('scope') && form.has('resource')) {
          const resource = form.get('resource')!.replace(/\/+$/, '');
          const grant = form.get('grant_type');
          form.set('scope', grant === 'client_credentials' ? `${resource}/.default` : `${resource}/.default openid offline_access`);
        }
        const grantType = form.get('grant_type');
        if (!grantType) throw E.missingParameter('grant_type');
        const ctx: GrantContext = { deps, req, form, tenant, tenantName };
        let body: Record<string, unknown>;
        if (grantType === 'client_credentials') body = await clientCredentialsGrant(ctx);
        else if (grantType === 'password') body = await passwordGrant(ctx);
        else if (grantType === 'refresh_token') body = await refreshTokenGrant(ctx);
        else throw E.unsupportedGrant(grantType);
        if (version === 'v1') body = toV1Response(body, form.get('resource') ?? GRAPH_AUDIENCE);
        return reply
          .headers({ 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': randomUUID() })
          .type('application/json; charset=utf-8')
          .send(body);
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
        throw err;
      }
    };

    const document = (build: (base: string, t: TenantRef) => object) => async (req: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) => {
      try {
        const tenant = resolveTenant(deps, req.params.tenant);
        return reply.type('application/json; charset=utf-8').header('cache-control', 'max-age=86400, private').send(build(origin(req), tenant));
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
        throw err;
      }
    };

    const keys = async (req: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) => {
      try {
        resolveTenant(deps, req.params.tenant);
        return reply.type('application/json; charset=utf-8').header('cache-control', 'max-age=86400, private').send(await getJwks(deps.store));
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
        throw err;
      }
    };

    scope.post<{ Params: TenantParams }>('/:tenant/oauth2/v2.0/token', token('v2'));
    scope.post<{ Params: TenantParams }>('/:tenant/oauth2/token', token('v1'));
    scope.get<{ Params: TenantParams }>('/:tenant/v2.0/.well-known/openid-configuration', document(v2Configuration));
    scope.get<{ Params: TenantParams }>('/:tenant/.well-known/openid-configuration', document(v1Configuration));
    scope.get<{ Params: TenantParams }>('/:tenant/discovery/v2.0/keys', keys);
    scope.get<{ Params: TenantParams }>('/:tenant/discovery/keys', keys);
  });
}

/** v1 responses: numbers as strings, absolute expiry, the resource echoed. */
function toV1Response(body: Record<string, unknown>, resource: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const out: Record<string, unknown> = {
    token_type: 'Bearer',
    expires_in: String(ACCESS_TOKEN_LIFETIME),
    ext_expires_in: String(ACCESS_TOKEN_LIFETIME),
    expires_on: String(now + ACCESS_TOKEN_LIFETIME),
    not_before: String(now),
    resource,
    access_token: body.access_token,
  };
  if (body.refresh_token) out.refresh_token = body.refresh_token;
  if (body.id_token) out.id_token = body.id_token;
  if (typeof body.scope === 'string') out.scope = body.scope.split(' ').filter((s) => s.startsWith(`${GRAPH_AUDIENCE}/`)).map((s) => s.slice(GRAPH_AUDIENCE.length + 1)).join(' ');
  return out;
}
