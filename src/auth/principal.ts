// Who is calling, as established from a verified access token.
export interface Principal {
  kind: 'app' | 'delegated';
  tenantId: string;
  clientId: string;
  /** Object id of the calling app's service principal. */
  servicePrincipalId: string;
  /** Application permissions (app-only tokens). */
  roles: string[];
  /** Delegated permissions (user tokens). */
  scopes: string[];
  /** Directory role template ids (`wids`): the signed-in user's roles, or the service principal's for app-only tokens. */
  directoryRoles?: readonly string[];
  /** Signed-in user (delegated tokens only). */
  userId?: string;
}
