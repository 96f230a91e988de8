// Access tokens as Entra issues them for Microsoft Graph (v1.0-format JWTs, RS256), and their verification with
// Graph's 401 answers.
import { createHash, randomBytes } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { GraphError } from '../graph/errors.js';
import type { Store } from '../store/open.js';
import { getSigningKey } from './keys.js';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const GRAPH_AUDIENCES: readonly string[] = [GRAPH_AUDIENCE, `${GRAPH_AUDIENCE}/`, GRAPH_APP_ID];
export const ACCESS_TOKEN_LIFETIME = 3599;
/** Allowed difference between our clock and the one that stamped the token, as Microsoft.IdentityModel allows. */
export const CLOCK_SKEW_SECONDS = 300;

export const v1Issuer = (tenantId: string) => `https://sts.windows.net/${tenantId}/`;

export interface AccessTokenClaims extends JWTPayload {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  oid: string;
  sub: string;
  appid: string;
  azp: string;
  appidacr: '0' | '1' | '2';
  idtyp: 'app' | 'user';
  ver: '1.0';
  uti: string;
  app_displayname?: string;
  idp?: string;
  roles?: string[];
  scp?: string;
  upn?: string;
  unique_name?: string;
  name?: string;
  amr?: string[];
  acr?: string;
  /** Template ids of the caller's directory roles, as Entra stamps them (the default user role included for users). */
  wids?: string[];
}

export interface AppTokenRequest {
  tenantId: string;
  clientId: string;
  appDisplayName: string;
  servicePrincipalId: string;
  roles: string[];
  /** Directory role template ids held by the service principal. */
  wids?: string[];
  /** How the client authenticated: 0 public client, 1 secret, 2 certificate. */
  appidacr?: '0' | '1' | '2';
  /** For tests and tools: stamp the token as if issued at this time (seconds since the epoch). */
  now?: number;
  lifetime?: number;
}

export interface UserTokenRequest {
  tenantId: string;
  clientId: string;
  appDisplayName: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  scopes: string[];
  wids?: string[];
  appidacr?: '0' | '1' | '2';
  /** Authentication methods: `pwd` for a password, `mfa`… */
  amr?: string[];
  now?: number;
  lifetime?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Entra's `uti`: a per-token id, 22 base64url characters. */
const newUti = () => randomBytes(16).toString('base64url').slice(0, 22);

/** v1 user tokens carry a pairwise `sub`: stable per user and app, unlike `oid`. */
export function pairwiseSubject(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId.toLowerCase()}|${clientId.toLowerCase()}`).digest('base64url');
}

async function sign(store: Store, claims: Record<string, unknown>): Promise<string> {
  const key = await getSigningKey(store);
  return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid }).sign(key.privateKey);
}

/** An app-only (client credentials) Graph token: `roles`, `idtyp: app`, `oid` = `sub` = the service principal. */
export async function issueAppToken(store: Store, req: AppTokenRequest): Promise<string> {
  const iat = req.now ?? nowSeconds();
  const issuer = v1Issuer(req.tenantId);
  return sign(store, {
    aud: GRAPH_AUDIENCE,
    iss: issuer,
    iat,
    nbf: iat,
    exp: iat + (req.lifetime ?? ACCESS_TOKEN_LIFETIME),
    app_displayname: req.appDisplayName,
    appid: req.clientId,
    azp: req.clientId,
    appidacr: req.appidacr ?? '1',
    idp: issuer,
    idtyp: 'app',
    oid: req.servicePrincipalId,
    ...(req.roles.length > 0 ? { roles: req.roles } : {}),
    sub: req.servicePrincipalId,
    tid: req.tenantId,
    uti: newUti(),
    ver: '1.0',
    ...(req.wids && req.wids.length > 0 ? { wids: req.wids } : {}),
  });
}

/** A delegated Graph token for a signed-in user: space-separated `scp`, `upn`, `name`, `oid` = the user. */
export async function issueUserToken(store: Store, req: UserTokenRequest): Promise<string> {
  const iat = req.now ?? nowSeconds();
  return sign(store, {
    aud: GRAPH_AUDIENCE,
    iss: v1Issuer(req.tenantId),
    iat,
    nbf: iat,
    exp: iat + (req.lifetime ?? ACCESS_TOKEN_LIFETIME),
    acr: '1',
    amr: req.amr ?? ['pwd'],
    app_displayname: req.appDisplayName,
    appid: req.clientId,
    azp: req.clientId,
    appidacr: req.appidacr ?? '0',
    idtyp: 'user',
    name: req.displayName,
    oid: req.userId,
    scp: req.scopes.join(' '),
    sub: pairwiseSubject(req.userId, req.clientId),
    tid: req.tenantId,
    unique_name: req.userPrincipalName,
    upn: req.userPrincipalName,
    uti: newUti(),
    ver: '1.0',
    ...(req.wids && req.wids.length > 0 ? { wids: req.wids } : {}),
  });
}

export interface IdTokenRequest {
  /** Issuer base, e.g. `https://localhost:5443` — the v2 issuer is `<base>/<tid>/v2.0`. */
  issuerBase: string;
  tenantId: string;
  clientId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  nonce?: string;
  now?: number;
}

/** A v2.0 id_token (audience = the client) as returned next to delegated tokens when `openid` is requested. */
export async function issueIdToken(store: Store, req: IdTokenRequest): Promise<string> {
  const iat = req.now ?? nowSeconds();
  return sign(store, {
    aud: req.clientId,
    iss: `${req.issuerBase}/${req.tenantId}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + ACCESS_TOKEN_LIFETIME,
    name: req.displayName,
    ...(req.nonce ? { nonce: req.nonce } : {}),
    oid: req.userId,
    preferred_username: req.userPrincipalName,
    sub: pairwiseSubject(req.userId, req.clientId),
    tid: req.tenantId,
    uti: newUti(),
    ver: '2.0',
  });
}

// --- verification --------------------------------------------------------------------------------------------

/** Graph sends this challenge with every 401. */
export const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export const TOKEN_MESSAGES = {
  empty: 'Access token is empty.',
  malformed: 'CompactToken parsing failed with error code: 80049217',
  expired: 'Access token has expired or is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
  issuer: 'Access token validation failure. Invalid issuer.',
  signature: 'Invalid signature.',
  invalid: 'Access token validation failure.',
} as const;

export function invalidToken(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

export interface VerifyOptions {
  tenantId: string;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
}

/**
 * Verifies a Graph access token we issued. Only RS256 with our own `kid` is accepted: `alg: none`, HMAC algorithms
 * and foreign keys never reach signature checking. Throws 401 InvalidAuthenticationToken otherwise.
 */
// An RSA verification costs more than the rest of a keyed GET; clients reuse a token for an hour. The signature of a
// given token string under a given key never changes, so it is checked once, and the header and payload it vouches
// for are decoded once; the claims (expiry…) are checked on every call.
const VERIFIED_MAX = 10_000;
const verifiedClaims = new Map<string, AccessTokenClaims>();
let verifiedKid: string | undefined;

function rememberVerified(token: string, kid: string, claims: AccessTokenClaims) {
  if (verifiedKid !== kid || verifiedClaims.size >= VERIFIED_MAX) verifiedClaims.clear();
  verifiedKid = kid;
  verifiedClaims.set(token, claims);
}

export async function verifyAccessToken(store: Store, token: string, opts: VerifyOptions): Promise<AccessTokenClaims> {
  const key = await getSigningKey(store);
  let claims = verifiedKid === key.kid ? verifiedClaims.get(token) : undefined;
  if (!claims) claims = await verifySignedToken(token, key);
  checkClaims(claims, opts);
  return claims;
}

/** Everything about a token that depends only on its text and the key: shape, header, signature, payload. */
async function verifySignedToken(token: string, key: Awaited<ReturnType<typeof getSigningKey>>): Promise<AccessTokenClaims> {
  if (!token || token.trim() === '') throw invalidToken(TOKEN_MESSAGES.empty);
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === '' || parts[1] === '') throw invalidToken(TOKEN_MESSAGES.malformed);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidToken(TOKEN_MESSAGES.malformed);
  }
  if (header.alg !== 'RS256' || header.kid !== key.kid) throw invalidToken(TOKEN_MESSAGES.signature);
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, key.publicKey, { algorithms: ['RS256'] }));
  } catch {
    throw invalidToken(TOKEN_MESSAGES.signature);
  }
  let claims: AccessTokenClaims;
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes)) as AccessTokenClaims;
  } catch {
    throw invalidToken(TOKEN_MESSAGES.malformed);
  }
  if (typeof claims !== 'object' || claims === null) throw invalidToken(TOKEN_MESSAGES.malformed);
  // Shared between requests that present the same token: nobody may change it.
  deepFreeze(claims);
  rememberVerified(token, key.kid, claims);
  return claims;
}

function deepFreeze(v: unknown) {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** Is `now` (seconds) inside the token's nbf..exp window, widened by the allowed clock skew? */
export function withinValidity(claims: { nbf: number; exp: number }, now = nowSeconds()): boolean {
  return now - CLOCK_SKEW_SECONDS < claims.exp && now + CLOCK_SKEW_SECONDS >= claims.nbf;
}

function checkClaims(claims: AccessTokenClaims, opts: VerifyOptions) {
  const now = opts.now ?? nowSeconds();
  if (typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') throw invalidToken(TOKEN_MESSAGES.expired);
  if (!withinValidity(claims, now)) throw invalidToken(TOKEN_MESSAGES.expired);
  if (typeof claims.aud !== 'string' || !GRAPH_AUDIENCES.includes(claims.aud)) throw invalidToken(TOKEN_MESSAGES.audience);
  if (claims.iss !== v1Issuer(opts.tenantId) || claims.tid !== opts.tenantId) throw invalidToken(TOKEN_MESSAGES.issuer);
  if (typeof claims.appid !== 'string' || typeof claims.oid !== 'string') throw invalidToken(TOKEN_MESSAGES.invalid);
}
