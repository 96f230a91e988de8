// One tenant as the faces see it: its store, its directory core, and what each face keeps per tenant (the Graph
// kit with the tenant's HMAC key, the token checker with the tenant's signing key, the grants' dependencies).
import { Directory, type TenantInfo } from '../directory/directory.js';
import { authorizationLookups } from '../directory/authorization-facts.js';
import type { AuthorizationLookups } from '../auth/role-authorization.js';
import { createAuthenticator, type Authenticator } from '../auth/authenticate.js';
import type { GrantDeps } from '../auth/grants.js';
import { hmacKey } from '../auth/keys.js';
import { GraphKit } from '../graph/kit.js';
import type { Store } from '../store/open.js';
import type { RequestTenant } from './request-tenant.js';

export interface ServedTenant extends RequestTenant {
  info: TenantInfo;
  store: Store;
  dir: Directory;
  kit: GraphKit;
  authenticator: Authenticator;
  lookups: AuthorizationLookups;
  grant: GrantDeps;
}

export async function serveTenant(store: Store, info: TenantInfo): Promise<ServedTenant> {
  const dir = new Directory(store, info);
  const kit = new GraphKit(dir, await hmacKey(store));
  return {
    info,
    store,
    dir,
    kit,
    authenticator: createAuthenticator({ store, tenant: info }),
    lookups: authorizationLookups(dir),
    grant: { store, tenant: info },
  };
}
