// Microsoft Entra directory roles: the built-in templates (generated from Learn's role list), the roles activated in
// the tenant, and their members (users and service principals). A role is activated from its template the first time
// it is needed, as Graph's POST /directoryRoles does; its id is derived from the template so every machine agrees.
import type { Db, Store, Tx } from '../store/open.js';
import { nameGuid } from './ids.js';
import { DirectoryError } from './model.js';
import data from './role-templates.generated.json' with { type: 'json' };

export interface RoleTemplate {
  id: string;
  displayName: string;
  description: string;
}

export interface DirectoryRole extends RoleTemplate {
  /** The activated role's object id (not the template id). */
  objectId: string;
}

export const ROLE_TEMPLATES: readonly RoleTemplate[] = (data as { roles: RoleTemplate[] }).roles;
const byId = new Map(ROLE_TEMPLATES.map((t) => [t.id, t]));
const byName = new Map(ROLE_TEMPLATES.map((t) => [t.displayName.toLowerCase(), t]));

/** The template id Entra puts in `wids` for every member user: the default "User" role, not listed among the built-in roles. */
export const DEFAULT_USER_ROLE_TEMPLATE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

export function roleTemplate(idOrName: string): RoleTemplate | undefined {
  return byId.get(idOrName.toLowerCase()) ?? byName.get(idOrName.toLowerCase());
}

export function roleTemplateId(displayName: string): string {
  const t = byName.get(displayName.toLowerCase());
  if (!t) throw new Error(`no built-in role named ${displayName}`);
  return t.id;
}

const roleObjectId = (templateId: string) => nameGuid(`directoryRole:${templateId}`);

function toRole(row: { id: string; template_id: string }): DirectoryRole {
  const t = byId.get(row.template_id)!;
  return { ...t, objectId: row.id };
}

export async function activatedRoles(db: Db): Promise<DirectoryRole[]> {
  const rows = await db.selectFrom('directory_roles').selectAll().orderBy('id').execute();
  return rows.filter((r) => byId.has(r.template_id)).map(toRole);
}

/** An activated role by its object id or its template id (Graph's `roleTemplateId=` key). */
export async function findRole(db: Db | Tx, key: { id?: string; templateId?: string }): Promise<DirectoryRole | undefined> {
  let q = db.selectFrom('directory_roles').selectAll();
  if (key.id !== undefined) q = q.where('id', '=', key.id.toLowerCase());
  if (key.templateId !== undefined) q = q.where('template_id', '=', key.templateId.toLowerCase());
  const row = await q.executeTakeFirst();
  return row && byId.has(row.template_id) ? toRole(row) : undefined;
}

/** Activates a role from its template inside an open write; activating twice is a conflict, as in Graph. */
export async function activateRole(tx: Tx, templateId: string, opts: { existingOk?: boolean } = {}): Promise<DirectoryRole> {
  const t = byId.get(templateId.toLowerCase());
  if (!t) throw new DirectoryError('invalid', `Invalid value specified for property 'roleTemplateId' of resource 'DirectoryRole'.`);
  const existing = await findRole(tx, { templateId: t.id });
  if (existing) {
    if (opts.existingOk) return existing;
    throw new DirectoryError('conflict', 'A conflicting object with one or more of the specified property values is present in the directory.');
  }
  const id = roleObjectId(t.id);
  await tx.insertInto('directory_roles').values({ id, template_id: t.id }).execute();
  return { ...t, objectId: id };
}

export async function roleMemberIds(db: Db, roleId: string): Promise<string[]> {
  const rows = await db.selectFrom('directory_role_members').select('member_id').where('role_id', '=', roleId.toLowerCase()).orderBy('member_id').execute();
  return rows.map((r) => r.member_id);
}

/** Adds a user or service principal to a role inside an open write. */
export async function addRoleMemberTx(tx: Tx, roleId: string, memberId: string): Promise<void> {
  const member = await tx.selectFrom('objects').select(['id', 'type']).where('id', '=', memberId.toLowerCase()).executeTakeFirst();
  if (!member) throw new DirectoryError('notFound', `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`);
  if (member.type !== 'user' && member.type !== 'servicePrincipal')
    throw new DirectoryError('invalid', 'Directory roles can only be assigned to users, service principals and role-assignable groups.');
  const have = await tx.selectFrom('directory_role_members').select('member_id').where('role_id', '=', roleId).where('member_id', '=', member.id).executeTakeFirst();
  if (have) throw new DirectoryError('invalid', "One or more added object references already exist for the following modified properties: 'members'.");
  await tx.insertInto('directory_role_members').values({ role_id: roleId, member_id: member.id }).execute();
}

export async function addRoleMember(store: Store, roleId: string, memberId: string): Promise<void> {
  await store.write((tx) => addRoleMemberTx(tx, roleId.toLowerCase(), memberId));
}

export async function removeRoleMember(store: Store, roleId: string, memberId: string): Promise<void> {
  await store.write(async (tx) => {
    const r = await tx.deleteFrom('directory_role_members').where('role_id', '=', roleId.toLowerCase()).where('member_id', '=', memberId.toLowerCase()).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0)
      throw new DirectoryError('notFound', `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`);
  });
}

/** The template ids of the roles a user or service principal holds. */
export async function roleTemplatesOf(db: Db, memberId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_role_members')
    .innerJoin('directory_roles', 'directory_roles.id', 'directory_role_members.role_id')
    .select('directory_roles.template_id')
    .where('directory_role_members.member_id', '=', memberId.toLowerCase())
    .orderBy('directory_roles.template_id')
    .execute();
  return rows.map((r) => r.template_id);
}

/** The activated roles a user or service principal belongs to (getMemberObjects and friends). */
export async function roleMemberships(db: Db, memberId: string): Promise<{ roleId: string; templateId: string }[]> {
  const rows = await db
    .selectFrom('directory_role_members')
    .innerJoin('directory_roles', 'directory_roles.id', 'directory_role_members.role_id')
    .select(['directory_roles.id', 'directory_roles.template_id'])
    .where('directory_role_members.member_id', '=', memberId.toLowerCase())
    .orderBy('directory_roles.id')
    .execute();
  return rows.map((r) => ({ roleId: r.id, templateId: r.template_id }));
}

/** The members of a role as a select of one column `id`, for listing through the query engine. */
export function roleMembersSelect(db: Db, roleId: string) {
  return db.selectFrom('directory_role_members').select('member_id as id').where('role_id', '=', roleId.toLowerCase());
}
