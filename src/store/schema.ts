// Table shapes as Kysely sees them. Every column is portable between SQLite and PostgreSQL:
// ids and timestamps are text, flags are integers, JSON documents are text parsed in JS.
import type { Generated } from 'kysely';

export interface ObjectsTable {
  id: string; // lower-case GUID, the Graph id
  type: string; // Graph base type: user, group, device, administrativeUnit, orgContact, servicePrincipal
  facet: string | null; // educationUser, educationClass, educationSchool, or null
  dn: string | null; // on-premises distinguished name, as written
  dn_key: string | null; // normalised DN for lookups (lower case, no spaces around separators)
  object_guid: string | null;
  sid: string | null;
  alt_key: string | null; // lower-cased alternate key: userPrincipalName, deviceId, appId
  props: string; // JSON object of Graph properties
  version: number; // change-log sequence of the last write
  created_seq: number;
  row_key: number; // the object's integer key in object_index, assigned once at creation
}

// One row per (resource and property, value, object) for every filterable or sortable property:
// the single index structure behind $filter, $orderby, $search and keyset paging on both engines.
export interface ObjectIndexTable {
  prop_key: number; // src/directory/index-keys.ts
  value: string;
  object_key: number; // objects.row_key
}

export interface LinksTable {
  kind: string; // member, owner, registeredOwner, registeredUser, schoolClass
  source_id: string; // the container: group, administrative unit, device, school
  target_id: string; // the member / owner / user / class
  seq: number;
}

/** A link removed by the transaction `seq` (delta reports it as members@delta with @removed). */
export interface LinkRemovalsTable {
  seq: number;
  kind: string;
  source_id: string;
  target_id: string;
  target_type: string;
}

export interface ChangeLogTable {
  seq: number;
  object_id: string;
  type: string;
  facet: string | null;
  op: string; // created | updated | deleted
  at: string;
}

export interface SkusTable {
  sku_id: string;
  sku_part_number: string;
  display_name: string;
  applies_to: string;
  capability_status: string;
  prepaid_enabled: number;
  prepaid_suspended: number;
  prepaid_warning: number;
  prepaid_locked_out: number;
  account_id: string;
  account_name: string;
  subscription_ids: string; // JSON string[]
  service_plans: string; // JSON ServicePlan[]
  /** Count of this SKU's license_assignments rows, kept by triggers (migration 002). */
  consumed_units: Generated<number>;
}

export interface LicenseAssignmentsTable {
  user_id: string;
  sku_id: string;
  disabled_plans: string; // JSON string[] of servicePlanIds
  assigned_at: string;
}

export interface UsageRightsTable {
  id: string;
  device_id: string;
  catalog_id: string;
  service_identifier: string;
  state: string;
}

export interface AppsTable {
  client_id: string;
  display_name: string;
  service_principal_id: string;
  secret_hash: string; // scrypt$N$salt$hash
  app_roles: string; // JSON string[]: granted application permissions
  scopes: string; // JSON string[]: delegated permissions the app may request
  public_client: number;
  key_credentials: Generated<string>; // JSON StoredKeyCredential[] (src/directory/key-credentials.ts)
  password_credentials: Generated<string>; // JSON StoredPasswordCredential[]
  web_redirect_uris: Generated<string>; // JSON string[]: Graph's web.redirectUris
  spa_redirect_uris: Generated<string>; // JSON string[]: spa.redirectUris
  public_client_redirect_uris: Generated<string>; // JSON string[]: publicClient.redirectUris
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  scopes: string; // JSON string[]: delegated permissions the user granted the app
}

export interface DirectoryRolesTable {
  id: string; // the activated role's object id
  template_id: string; // the built-in role's template id
}

export interface DirectoryRoleMembersTable {
  role_id: string;
  member_id: string; // user or service principal
}

export interface CredentialsTable {
  user_id: string;
  password_hash: string;
  failed_attempts: number;
  locked_until: string | null;
}

export interface TokensTable {
  token_hash: string; // sha256 of the opaque token; the token itself is never stored
  kind: string; // refresh, adaxesSession, adaxesToken, adaxesAccount
  user_id: string;
  client_id: string | null;
  data: string; // JSON: scopes, session id, …
  expires_at: string | null;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface TenantsTable {
  id: string;
  domain: string;
  display_name: string;
  fixture: string; // JSON: the fixture the tenant was created from
  location: string; // SQLite file, PostgreSQL schema, or ':memory:'
  created_at: string;
}

export interface Database {
  objects: ObjectsTable;
  object_index: ObjectIndexTable;
  /** Present only during a large generated load: its index rows, appended unsorted and merged at the end. */
  object_index_load: ObjectIndexTable;
  links: LinksTable;
  change_log: ChangeLogTable;
  link_removals: LinkRemovalsTable;
  skus: SkusTable;
  license_assignments: LicenseAssignmentsTable;
  usage_rights: UsageRightsTable;
  apps: AppsTable;
  credentials: CredentialsTable;
  tokens: TokensTable;
  meta: MetaTable;
  consents: ConsentsTable;
  directory_roles: DirectoryRolesTable;
  directory_role_members: DirectoryRoleMembersTable;
  tenants: TenantsTable;
}

export type Engine = 'sqlite' | 'postgres';
export type Generatedless<T> = T extends Generated<infer U> ? U : T;
