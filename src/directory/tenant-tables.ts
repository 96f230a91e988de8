// A tenant's rows beyond its objects and links, read and written whole: subscriptions, licence assignments,
// passwords, app registrations, usage rights. Loading and exporting tenants (src/tenants) go through these and the
// Writer only, so the store's layout is known here and nowhere else.
import type { Db, Tx } from '../store/open.js';
import type { AppsTable, ConsentsTable, DirectoryRoleMembersTable, DirectoryRolesTable, LicenseAssignmentsTable, SkusTable, UsageRightsTable } from '../store/schema.js';
import type { Generatedless } from '../store/schema.js';
import type { DirObject, LinkKind } from './model.js';
import { toObject } from './rows.js';
import { ADAXES_CONFIG_KEY } from './adaxes-config.js';
import { RID_KEY } from './identity.js';
import type { Writer } from './writer.js';

const CHUNK = 200;

export type SkuRow = { [K in keyof SkusTable]: Generatedless<SkusTable[K]> };
export type NewSkuRow = Omit<SkuRow, 'consumed_units'>;
export type AppRow = { [K in keyof AppsTable]: Generatedless<AppsTable[K]> };
export interface CredentialRow {
  user_id: string;
  password_hash: string;
}

async function insertAll<T extends 'skus' | 'license_assignments' | 'usage_rights' | 'apps' | 'credentials' | 'consents'>(tx: Tx, table: T, rows: readonly object[]) {
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto(table).values(rows.slice(i, i + CHUNK) as never).execute();
}

/**
 * Writes a tenant's rows in the caller's transaction. Assignments go in before their users are created, so that
 * Writer.createMany indexes the users with the licences their documents derive from them.
 */
export const tenantRows = {
  skus: (w: Writer, rows: readonly NewSkuRow[]) => insertAll(w.tx, 'skus', rows),
  licenseAssignments: (w: Writer, rows: readonly LicenseAssignmentsTable[]) => insertAll(w.tx, 'license_assignments', rows),
  usageRights: (w: Writer, rows: readonly UsageRightsTable[]) => insertAll(w.tx, 'usage_rights', rows),
  apps: (w: Writer, rows: readonly AppRow[]) => insertAll(w.tx, 'apps', rows),
  consents: (w: Writer, rows: readonly ConsentsTable[]) => insertAll(w.tx, 'consents', rows),
  credentials: (w: Writer, rows: readonly CredentialRow[]) =>
    insertAll(w.tx, 'credentials', rows.map((r) => ({ ...r, failed_attempts: 0, locked_until: null }))),
};

/** Everything a tenant holds that an export writes (not tokens, keys or the change log). */
export interface TenantState {
  objects: DirObject[];
  links: { kind: LinkKind; source: string; target: string }[];
  skus: SkuRow[];
  licenseAssignments: LicenseAssignmentsTable[];
  usageRights: UsageRightsTable[];
  apps: AppRow[];
  credentials: CredentialRow[];
  consents: ConsentsTable[];
  directoryRoles: DirectoryRolesTable[];
  directoryRoleMembers: DirectoryRoleMembersTable[];
  /** The stored Adaxes configuration text, when one was ever saved. */
  adaxesConfig: string | null;
}

export async function readTenantState(db: Db | Tx): Promise<TenantState> {
  const [objects, links, skus, licenseAssignments, usageRights, apps, credentials, adaxes, consents, directoryRoles, directoryRoleMembers] = await Promise.all([
    db.selectFrom('objects').selectAll().orderBy('id').execute(),
    db.selectFrom('links').select(['kind', 'source_id', 'target_id']).orderBy('source_id').orderBy('kind').orderBy('target_id').execute(),
    db.selectFrom('skus').selectAll().orderBy('sku_part_number').orderBy('sku_id').execute(),
    db.selectFrom('license_assignments').selectAll().orderBy('user_id').orderBy('sku_id').execute(),
    db.selectFrom('usage_rights').selectAll().orderBy('device_id').orderBy('id').execute(),
    db.selectFrom('apps').selectAll().orderBy('client_id').execute(),
    db.selectFrom('credentials').select(['user_id', 'password_hash']).orderBy('user_id').execute(),
    db.selectFrom('meta').select('value').where('key', '=', ADAXES_CONFIG_KEY).executeTakeFirst(),
    db.selectFrom('consents').selectAll().orderBy('user_id').orderBy('client_id').execute(),
    db.selectFrom('directory_roles').selectAll().orderBy('id').execute(),
    db.selectFrom('directory_role_members').selectAll().orderBy('role_id').orderBy('member_id').execute(),
  ]);
  return {
    objects: objects.map((r) => toObject(r)),
    links: links.map((l) => ({ kind: l.kind as LinkKind, source: l.source_id, target: l.target_id })),
    skus: skus.map((s) => ({ ...s, consumed_units: Number(s.consumed_units), prepaid_enabled: Number(s.prepaid_enabled), prepaid_suspended: Number(s.prepaid_suspended), prepaid_warning: Number(s.prepaid_warning), prepaid_locked_out: Number(s.prepaid_locked_out) })),
    licenseAssignments,
    usageRights,
    apps: apps.map((a) => ({ ...a, public_client: Number(a.public_client) })),
    credentials,
    adaxesConfig: adaxes?.value ?? null,
    consents,
    directoryRoles,
    directoryRoleMembers,
  };
}

/** Whether the store holds any directory object at all. */
export async function holdsObjects(db: Db): Promise<boolean> {
  return !!(await db.selectFrom('objects').select('id').limit(1).executeTakeFirst());
}

/** Removes every object (each deletion reaches delta) and every row of the tenant's other tables, keys excepted. */
export async function clearTenant(w: Writer): Promise<void> {
  await w.deleteAll();
  for (const t of ['skus', 'apps', 'tokens', 'consents', 'directory_role_members', 'directory_roles'] as const) await w.tx.deleteFrom(t).execute();
  // With no object left, SIDs start again where a fresh store starts them: a rebuilt tenant gets the same ones.
  await w.tx.deleteFrom('meta').where('key', '=', RID_KEY).execute();
}
