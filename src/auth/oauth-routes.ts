// The Microsoft identity platform endpoints Graph clients use: the v2.0 (and v1) token endpoint, the OpenID
// Connect discovery documents and the signing keys, answering with Entra's shapes and AADSTS error codes.
//
// Every URL in the discovery documents is built from the request's own scheme and host: MSAL fetches the document
// from the authority it was given and rejects an issuer on another host.
import { randomUUID } from 'node:crypto';
import { E, OAuthError, origin, sendOAuthError } from './oauth-errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getJwks } from './keys.js';
import { ACCESS_TOKEN_LIFETIME, GRAPH_AUDIENCE, v1Issuer } from './tokens.js';
import {
  authorizationCodeGrant,
  clientCredentialsGrant,
  deviceCodeGrant,
  passwordGrant,
  refreshTokenGrant,
  type Form,
  type GrantContext,
  type GrantDeps,
  type TenantRef,
} from './grants.js';
import { registerSignIn } from './sign-in-routes.js';
import { registerDeviceCode } from './device-code-routes.js';

/** The tenants the identity endpoints serve, each with what its grants need. */
export interface OAuthTenants {
  /** A tenant by id or by a domain no other tenant has. */
  find(segment: string): GrantDeps | undefined;
  /** The tenant `common` and `organizations` stand for: the one the server was started with. */
  primary(): GrantDeps;
  all(): Iterable<GrantDeps>;
}

/** The identity endpoints of a server with one tenant. */
export function oneTenant(deps: GrantDeps): OAuthTenants {
  const id = deps.tenant.id.toLowerCase();
  const domain = deps.tenant.domain.toLowerCase();
  return { find: (t) => (t.toLowerCase() === id || t.toLowerCase() === domain ? deps : undefined), primary: () => deps, all: () => [deps] };
}

const MULTI_TENANT = new Set(['common', 'organizations']);

export interface ResolvedTenant {
  ref: TenantRef;
  deps: GrantDeps;
}

export type TenantResolver = (raw: string) => ResolvedTenant;

// --- tenants ---------------------------------------------------------------------------------------------------

export function resolveTenant(tenants: OAuthTenants, raw: string): ResolvedTenant {
  const t = raw.toLowerCase();
  if (MULTI_TENANT.has(t)) return { ref: { kind: 'multi', segment: t }, deps: tenants.primary() };
  const deps = tenants.find(t);
  if (deps) return { ref: { kind: 'tenant', segment: deps.tenant.id }, deps };
  throw E.tenantNotFound(raw);
}

// --- form parsing ----------------------------------------------------------------------------------------------

export function formOf(req: FastifyRequest): Form {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const form: Form = new Map();
  if (!type.startsWith('application/x-www-form-urlencoded') || typeof req.body !== 'string') return form;
  for (const [k, v] of new URLSearchParams(req.body)) if (!form.has(k)) form.set(k, v);
  return form;
}

// --- discovery documents ---------------------------------------------------------------------------------------

function v2Configuration(base: string, tenant: TenantRef) {
  const t = tenant.segment;
  const issuerTenant = tenant.kind === 'tenant' ? tenant.segment : '{tenantid}';
  // Only endpoints and modes this server answers are listed.
  return {
    token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
    code_challenge_methods_supported: ['S256', 'plain'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid'],
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
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid'],
    issuer: tenant.kind === 'tenant' ? v1Issuer(tenant.segment) : 'https://sts.windows.net/{tenantid}/',
    microsoft_multi_refresh_token: true,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'name', 'tid', 'ver', 'oid', 'upn', 'unique_name'],
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
export async function registerOAuth(app: FastifyInstance<any, any, any, any, any>, tenants: OAuthTenants): Promise<void> {
  const resolve: TenantResolver = (raw) => resolveTenant(tenants, raw);
  await app.register(async (scope) => {
    // Entra reads only form bodies; anything else is answered as a request without parameters.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const token = (version: 'v1' | 'v2') => async (req: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) => {
      try {
        const { ref: tenant, deps } = resolve(req.params.tenant);
        const tenantName = deps.tenant.domain;
        const form = formOf(req);
        if (version === 'v1' && !form.has('scope') && form.has('resource')) {
          const resource = form.get('resource')!.replace(/\/+$/, '');
          const grant = form.get('grant_type');
          form.set('scope', grant === 'client_credentials' ? `${resource}/.default` : `${resource}/.default openid offline_access`);
        }
        const grantType = form.get('grant_type');
        if (!grantType) throw E.missingParameter('grant_type');
        const ctx: GrantContext = { deps, req, form, tenant, tenantName, endpoint: `${origin(req)}${req.url.split('?')[0]}` };
        let body: Record<string, unknown>;
        if (grantType === 'client_credentials') body = await clientCredentialsGrant(ctx);
        else if (grantType === 'password') body = await passwordGrant(ctx);
        else if (grantType === 'refresh_token') body = await refreshTokenGrant(ctx);
        else if (grantType === 'authorization_code') body = await authorizationCodeGrant(ctx);
        else if (grantType === 'urn:ietf:params:oauth:grant-type:device_code' || grantType === 'device_code') body = await deviceCodeGrant(ctx);
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
        const { ref: tenant } = resolve(req.params.tenant);
        return reply.type('application/json; charset=utf-8').header('cache-control', 'max-age=86400, private').send(build(origin(req), tenant));
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
        throw err;
      }
    };

    const keys = async (req: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply) => {
      try {
        const { deps } = resolve(req.params.tenant);
        return reply.type('application/json; charset=utf-8').header('cache-control', 'max-age=86400, private').send(await getJwks(deps.store));
      } catch (err) {
        if (err instanceof OAuthError) return sendOAuthError(req, reply, err);
        throw err;
      }
    };

    registerSignIn(scope, resolve);
    registerDeviceCode(scope, resolve, () => tenants.all());
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
