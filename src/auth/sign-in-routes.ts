// The authorization endpoint (Learn: identity-platform/v2-oauth2-auth-code-flow.md): GET and POST
// /{tenant}/oauth2/v2.0/authorize show a sign-in page, then a consent page for scopes the user has not granted yet,
// then send the browser back to the app's redirect URI with a single-use code (query, fragment or form_post), which
// the token endpoint exchanges, checking PKCE. A signed-in browser keeps a session (a cookie naming a stored
// session, so any node can read it) and is not asked again unless `prompt` says so. Logout ends the session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApp, type AppRegistration } from '../directory/apps.js';
import { allRedirectUris, matchesRegisteredUri } from '../directory/redirect-uris.js';
import { grantConsent } from '../directory/consents.js';
import { findUserById, findUserByUpn, signInCandidates, verifyPassword, type UserSignInRecord } from '../directory/credentials.js';
import { createToken, findValidToken, hashToken, newOpaqueToken } from '../directory/tokens-store.js';
import { AUTH_CODE_LIFETIME, consentedFor, type AuthCodeData, type GrantDeps } from './grants.js';
import type { TenantResolver } from './oauth-routes.js';
import { E, OAuthError, origin } from './oauth-errors.js';
import { isDelegatedPermission, requiresAdminConsent } from './permissions.js';
import { roleTemplatesOf } from '../directory/directory-roles.js';
import { rightsOf } from '../directory/role-rights.js';
import { parseScopes, resolveScopes, type DelegatedScopes, type RequestedScopes } from './scopes.js';
import { consentPage, errorPage, formPostPage, messagePage, signInPage } from './sign-in-page.js';

export const SESSION_COOKIE = 'tbx_session';
const SESSION_LIFETIME = 8 * 3600;
const RESPONSE_MODES = ['query', 'fragment', 'form_post'];
const PROMPTS = ['login', 'none', 'consent', 'select_account'];

/** A problem reported back to the app at its redirect URI (OAuth error, AADSTS text). */
class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

interface AuthorizeRequest {
  raw: string;
  app: AppRegistration;
  redirectUri: string;
  responseMode: string;
  state?: string;
  nonce?: string;
  prompt?: string;
  loginHint?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  scopes: RequestedScopes;
}

/**
 * The redirect URI of an authorization request. An app with registered redirect URIs (web, SPA or public client)
 * gets only those, as in Entra (Learn: identity-platform/reply-url.md); an app that registered none (the demo apps)
 * may use any loopback address, the native-client URI or this server's own origin.
 */
function redirectAllowedFor(app: AppRegistration, uri: string, own: string): boolean {
  const registered = allRedirectUris(app.redirectUris);
  if (registered.length) return matchesRegisteredUri(uri, registered);
  return isAllowedRedirect(uri, own);
}

function isAllowedRedirect(uri: string, own: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  if (u.hash) return false;
  // Public and confidential apps may use loopback addresses on any port (Learn: reply-url, "Localhost exceptions").
  if (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return true;
  if (uri === 'https://login.microsoftonline.com/common/oauth2/nativeclient') return true;
  return u.origin === own;
}

async function parseRequest(deps: GrantDeps, req: FastifyRequest, raw: string, tenantName: string): Promise<AuthorizeRequest> {
  const q = new URLSearchParams(raw);
  const clientId = q.get('client_id');
  if (!clientId) throw E.missingParameter('client_id');
  const app = await findApp(deps.store.db, clientId);
  if (!app) throw E.unknownApp(clientId, tenantName);
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) throw E.missingParameter('redirect_uri');
  if (!redirectAllowedFor(app, redirectUri, origin(req)))
    throw new OAuthError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`);
  const base = { raw, app, redirectUri, responseMode: 'query', state: q.get('state') ?? undefined };
  const responseMode = q.get('response_mode') ?? 'query';
  if (!RESPONSE_MODES.includes(responseMode)) throw Object.assign(new RedirectError('invalid_request', 70007, `The response_mode '${responseMode}' is not supported.`), { base });
  const out: AuthorizeRequest = { ...base, responseMode, nonce: q.get('nonce') ?? undefined, loginHint: q.get('login_hint') ?? undefined, scopes: { wanted: [], oidc: [] } };
  const fail = (e: RedirectError) => Object.assign(e, { base: out });
  const responseType = q.get('response_type');
  if (!responseType) throw fail(new RedirectError('invalid_request', 900144, "The request body must contain the following parameter: 'response_type'."));
  if (responseType !== 'code') throw fail(new RedirectError('unsupported_response_type', 70005, `The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'. Received value: '${responseType}'.`));
  const prompt = q.get('prompt') ?? undefined;
  if (prompt !== undefined && !PROMPTS.includes(prompt)) throw fail(new RedirectError('invalid_request', 90023, `Invalid prompt value '${prompt}'.`));
  out.prompt = prompt;
  const challenge = q.get('code_challenge') ?? undefined;
  if (challenge !== undefined) {
    const method = q.get('code_challenge_method') ?? 'plain';
    if (method !== 'S256' && method !== 'plain') throw fail(new RedirectError('invalid_request', 501491, 'Invalid code_challenge_method.'));
    if (challenge.length < 43 || challenge.length > 128) throw fail(new RedirectError('invalid_request', 501491, 'Invalid size of Code_Challenge parameter.'));
    out.codeChallenge = challenge;
    out.codeChallengeMethod = method;
  }
  const scope = (q.get('scope') ?? '').trim();
  if (!scope) throw fail(new RedirectError('invalid_request', 900144, "The request body must contain the following parameter: 'scope'."));
  try {
    out.scopes = parseScopes(scope, tenantName);
  } catch (err) {
    if (err instanceof OAuthError) throw fail(new RedirectError(err.error, err.code, err.description));
    throw err;
  }
  for (const w of out.scopes.wanted)
    if (!isDelegatedPermission(w.name))
      throw fail(new RedirectError('invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${w.asked} is not valid.`));
  return out;
}

function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

async function sessionUser(deps: GrantDeps, req: FastifyRequest): Promise<UserSignInRecord | undefined> {
  const token = cookieOf(req, SESSION_COOKIE);
  if (!token) return undefined;
  const session = await findValidToken(deps.store, 'signInSession', token);
  if (!session) return undefined;
  const user = await findUserById(deps.store.db, session.userId);
  return user?.accountEnabled ? user : undefined;
}

async function startSession(deps: GrantDeps, reply: FastifyReply, userId: string, secure: boolean) {
  const { token } = await createToken(deps.store, { kind: 'signInSession', userId, ttlSeconds: SESSION_LIFETIME });
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}; Max-Age=${SESSION_LIFETIME}`);
}

function respond(reply: FastifyReply, r: Pick<AuthorizeRequest, 'redirectUri' | 'responseMode' | 'state'>, params: Record<string, string>) {
  const all = { ...params, ...(r.state !== undefined ? { state: r.state } : {}) };
  if (r.responseMode === 'form_post') return reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(formPostPage(r.redirectUri, all));
  const qs = new URLSearchParams(all).toString();
  const target = r.responseMode === 'fragment' ? `${r.redirectUri}#${qs}` : `${r.redirectUri}${r.redirectUri.includes('?') ? '&' : '?'}${qs}`;
  return reply.code(302).header('location', target).header('cache-control', 'no-store').send();
}

function redirectError(reply: FastifyReply, r: Pick<AuthorizeRequest, 'redirectUri' | 'responseMode' | 'state'>, e: RedirectError) {
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ');
  return respond(reply, r, { error: e.error, error_description: `AADSTS${e.code}: ${e.description}\r\nTimestamp: ${stamp}Z`, error_codes: String(e.code) });
}

const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Scopes the user would still have to grant. */
function missingConsent(r: AuthorizeRequest, consented: string[]): string[] {
  const have = new Set(consented.map((s) => s.toLowerCase()));
  return r.scopes.wanted.filter((w) => !have.has(w.name.toLowerCase())).map((w) => w.name);
}

async function issueCode(deps: GrantDeps, reply: FastifyReply, r: AuthorizeRequest, user: UserSignInRecord) {
  const granted: DelegatedScopes = resolveScopes(r.scopes, await consentedFor(deps.store, r.app, user.id), r.app);
  const code = newOpaqueToken(48);
  const data: AuthCodeData = {
    graph: granted.graph,
    oidc: granted.oidc,
    defaultAsked: granted.defaultAsked,
    redirectUri: r.redirectUri,
    codeChallenge: r.codeChallenge,
    codeChallengeMethod: r.codeChallengeMethod,
    nonce: r.nonce,
  };
  await createToken<AuthCodeData>(deps.store, { kind: 'authCode', token: code, userId: user.id, clientId: r.app.clientId, data, ttlSeconds: AUTH_CODE_LIFETIME });
  return respond(reply, r, { code, session_state: hashToken(user.id).slice(0, 36) });
}

export function registerSignIn(scope: FastifyInstance<any, any, any, any, any>, resolveTenant: TenantResolver): void {
  const render = async (deps: GrantDeps, reply: FastifyReply, action: string, r: AuthorizeRequest, error?: string, status = 200) =>
    html(
      reply,
      signInPage({ action, appName: r.app.displayName, tenantName: deps.tenant.displayName ?? deps.tenant.domain, loginHint: r.loginHint, error, users: await signInCandidates(deps.store.db), fields: { request: r.raw } }),
      status,
    );

  const mayGrantAdminConsent = async (deps: GrantDeps, userId: string) => rightsOf(await roleTemplatesOf(deps.store.db, userId)).has('consent.grant');

  const consentOrCode = async (deps: GrantDeps, reply: FastifyReply, action: string, r: AuthorizeRequest, user: UserSignInRecord) => {
    const missing = missingConsent(r, await consentedFor(deps.store, r.app, user.id));
    if (missing.length > 0 || r.prompt === 'consent') {
      if (r.prompt === 'none') return redirectError(reply, r, new RedirectError('consent_required', 65001, E.consentRequired(r.app).description));
      const needsAdmin = missing.filter(requiresAdminConsent);
      if (needsAdmin.length > 0 && !(await mayGrantAdminConsent(deps, user.id)))
        return html(reply, errorPage(90094, `Need admin approval. ${r.app.displayName} needs permission to access resources in your organization that only an admin can grant (${needsAdmin.join(', ')}). Please ask an admin to grant permission to this app before you can use it.`), 403);
      const shown = missing.length > 0 ? missing : r.scopes.wanted.map((w) => w.name);
      return html(reply, consentPage({ action, appName: r.app.displayName, userName: user.userPrincipalName, scopes: shown, fields: { request: r.raw } }));
    }
    return issueCode(deps, reply, r, user);
  };

  const handle = async (req: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    let r: AuthorizeRequest | undefined;
    try {
      const { deps } = resolveTenant(req.params.tenant);
      const tenantName = deps.tenant.domain;
      const action = `${origin(req)}/${req.params.tenant}/oauth2/v2.0/authorize`;
      const form = req.method === 'POST' && typeof req.body === 'string' ? new URLSearchParams(req.body) : undefined;
      const step = form?.get('step');
      // A POST without a step is an authorization request sent as a form; the pages' own posts carry the request.
      const raw = step ? (form!.get('request') ?? '') : form ? form.toString() : req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      r = await parseRequest(deps, req, raw, tenantName);
      if (step === 'signin') {
        const upn = (form!.get('username') ?? '').trim();
        const password = form!.get('password') ?? '';
        const user = upn ? await findUserByUpn(deps.store.db, upn) : undefined;
        if (!user) return render(deps, reply, action, r, "We couldn't find an account with that username.", 400);
        const check = await verifyPassword(deps.store, user.id, password);
        if (!check.ok) return render(deps, reply, action, { ...r, loginHint: upn }, check.reason === 'locked' ? E.locked().message : 'Your account or password is incorrect.', 400);
        if (!user.accountEnabled) return render(deps, reply, action, { ...r, loginHint: upn }, E.disabled().message, 400);
        await startSession(deps, reply, user.id, req.protocol === 'https');
        return consentOrCode(deps, reply, action, r, user);
      }
      const user = await sessionUser(deps, req);
      if (step === 'consent') {
        if (!user) return render(deps, reply, action, r);
        if (form!.get('decision') !== 'accept')
          return redirectError(reply, r, new RedirectError('access_denied', 65004, 'User declined to consent to access the app.'));
        await grantConsent(deps.store, user.id, r.app.clientId, r.scopes.wanted.map((w) => w.name));
        return issueCode(deps, reply, r, user);
      }
      const hintMatches = !r.loginHint || (user && user.userPrincipalName.toLowerCase() === r.loginHint.toLowerCase());
      if (user && hintMatches && r.prompt !== 'login' && r.prompt !== 'select_account') return consentOrCode(deps, reply, action, r, user);
      if (r.prompt === 'none') return redirectError(reply, r, new RedirectError('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'));
      return render(deps, reply, action, r);
    } catch (err) {
      if (err instanceof RedirectError) return redirectError(reply, (err as RedirectError & { base: AuthorizeRequest }).base, err);
      if (err instanceof OAuthError) return html(reply, errorPage(err.code, err.description), 400);
      throw err;
    }
  };

  scope.get<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/authorize', handle);
  scope.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/authorize', handle);

  const logout = async (req: FastifyRequest<{ Params: { tenant: string }; Querystring: { post_logout_redirect_uri?: string } }>, reply: FastifyReply) => {
    let deps: GrantDeps;
    try {
      deps = resolveTenant(req.params.tenant).deps;
    } catch (err) {
      if (err instanceof OAuthError) return html(reply, errorPage(err.code, err.description), 400);
      throw err;
    }
    const token = cookieOf(req, SESSION_COOKIE);
    if (token) await deps.store.write((tx) => tx.deleteFrom('tokens').where('token_hash', '=', hashToken(token)).where('kind', '=', 'signInSession').execute());
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    const next = req.query.post_logout_redirect_uri;
    if (next && isAllowedRedirect(next, origin(req))) return reply.code(302).header('location', next).send();
    return html(reply, messagePage('You signed out of your account', "It's a good idea to close all browser windows."));
  };
  scope.get('/:tenant/oauth2/v2.0/logout', logout);
}
