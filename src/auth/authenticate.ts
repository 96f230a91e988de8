// Turns an Authorization header into a Principal, or Graph's 401.
import { findApp } from '../directory/apps.js';
import type { Store } from '../store/open.js';
import type { Principal } from './principal.js';
import { TOKEN_MESSAGES, invalidToken, verifyAccessToken, withinValidity, type AccessTokenClaims } from './tokens.js';

export interface AuthenticatorDeps {
  store: Store;
  tenant: { id: string; domain: string };
}

export interface Authenticator {
  /** Throws GraphError 401 InvalidAuthenticationToken (with Graph's WWW-Authenticate challenge). */
  authenticate(authorizationHeader?: string): Promise<Principal>;
}

/** A principal shared by every request that presents the same header, so nobody may change it. */
function frozen(p: Principal): Principal {
  Object.freeze(p.roles);
  Object.freeze(p.scopes);
  if (p.directoryRoles) Object.freeze(p.directoryRoles);
  return Object.freeze(p);
}

// Clients send one token for an hour. Everything derived from it except its validity window is fixed once the
// signature and claims have been checked (the signing key and tenant are fixed per store), so the principal is kept
// per header text and only the window is checked again; an expired entry goes down the full path and its 401.
const PRINCIPALS_MAX = 10_000;

interface Known {
  header: string;
  principal: Principal;
  nbf: number;
  exp: number;
}

// Hashing a whole header (a kilobyte or more) for every lookup costs more than the rest of the check: entries are
// found by the header's tail, the end of the signature, and a hit must then equal the whole header.
const TAIL = 32;
const tailOf = (header: string) => (header.length > TAIL ? header.slice(-TAIL) : header);

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const principals = new Map<string, Known>();
  const remember = (header: string, claims: AccessTokenClaims, principal: Principal) => {
    if (principals.size >= PRINCIPALS_MAX) principals.clear();
    principals.set(tailOf(header), { header, principal: frozen(principal), nbf: claims.nbf, exp: claims.exp });
    return principal;
  };

  // Delegated tokens name the app but not its service principal; the mapping never changes for a client id.
  const servicePrincipals = new Map<string, string>();
  const servicePrincipalOf = async (clientId: string): Promise<string> => {
    const known = servicePrincipals.get(clientId);
    if (known !== undefined) return known;
    const app = await findApp(deps.store.db, clientId);
    if (!app) return '';
    servicePrincipals.set(clientId, app.servicePrincipalId);
    return app.servicePrincipalId;
  };

  return {
    async authenticate(authorizationHeader) {
      const raw = authorizationHeader ?? '';
      const hit = principals.get(tailOf(raw));
      if (hit && hit.header === raw) {
        if (withinValidity(hit)) return hit.principal;
        principals.delete(tailOf(raw));
      }
      const header = raw.trim();
      const match = /^Bearer\s+(.*)$/i.exec(header);
      const token = match ? match[1].trim() : '';
      if (!token) throw invalidToken(TOKEN_MESSAGES.empty);
      const claims = await verifyAccessToken(deps.store, token, { tenantId: deps.tenant.id });
      const isApp = claims.idtyp === 'app' || claims.scp === undefined;
      if (isApp) {
        return remember(raw, claims, {
          kind: 'app',
          tenantId: claims.tid,
          clientId: claims.appid,
          servicePrincipalId: claims.oid,
          roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
          scopes: [],
          directoryRoles: Array.isArray(claims.wids) ? claims.wids.map(String) : [],
        });
      }
      const servicePrincipalId = await servicePrincipalOf(claims.appid);
      const principal: Principal = {
        kind: 'delegated',
        tenantId: claims.tid,
        clientId: claims.appid,
        servicePrincipalId,
        roles: [],
        scopes: String(claims.scp ?? '')
          .split(' ')
          .filter((s) => s !== ''),
        userId: claims.oid,
        directoryRoles: Array.isArray(claims.wids) ? claims.wids.map(String) : [],
      };
      // An app not found yet may be registered later: only a resolved service principal is final.
      return servicePrincipalId === '' ? principal : remember(raw, claims, principal);
    },
  };
}
