// Turns an Authorization header into a Principal, or Graph's 401.
import { findApp } from '../directory/apps.js';
import type { Store } from '../store/open.js';
import type { Principal } from './principal.js';
import { TOKEN_MESSAGES, invalidToken, verifyAccessToken } from './tokens.js';

export interface AuthenticatorDeps {
  store: Store;
  tenant: { id: string; domain: string };
}

export interface Authenticator {
  /** Throws GraphError 401 InvalidAuthenticationToken (with Graph's WWW-Authenticate challenge). */
  authenticate(authorizationHeader?: string): Promise<Principal>;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
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
      const header = (authorizationHeader ?? '').trim();
      const match = /^Bearer\s+(.*)$/i.exec(header);
      const token = match ? match[1].trim() : '';
      if (!token) throw invalidToken(TOKEN_MESSAGES.empty);
      const claims = await verifyAccessToken(deps.store, token, { tenantId: deps.tenant.id });
      const isApp = claims.idtyp === 'app' || claims.scp === undefined;
      if (isApp) {
        return {
          kind: 'app',
          tenantId: claims.tid,
          clientId: claims.appid,
          servicePrincipalId: claims.oid,
          roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
          scopes: [],
        };
      }
      return {
        kind: 'delegated',
        tenantId: claims.tid,
        clientId: claims.appid,
        servicePrincipalId: await servicePrincipalOf(claims.appid),
        roles: [],
        scopes: String(claims.scp ?? '')
          .split(' ')
          .filter((s) => s !== ''),
        userId: claims.oid,
      };
    },
  };
}
