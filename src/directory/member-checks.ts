// The four directoryObject membership actions (graph-notes §1.8), all transitive through nested groups.
// The closure comes from Directory.transitiveSourcesOf, a recursive CTE that stops at objects already seen,
// so membership cycles terminate; an object is never reported as a member of itself, even inside a cycle.
import type { Directory } from './directory.js';
import { isGuid } from './ids.js';
import { type DirObject, DirectoryError } from './model.js';
import { roleMemberships } from './directory-roles.js';

/** "You can check up to a maximum of 20 groups per request." (checkMemberGroups, checkMemberObjects) */
export const MAX_CHECK_IDS = 20;
/** getMemberGroups "returns up to 11,000 ids"; more is Directory_ResultSizeLimitExceeded. */
export const MAX_MEMBER_GROUPS = 11_000;

/** The security-enabled groups `id` belongs to, directly or transitively, in id order: only these need documents. */
async function securityGroupsOf(dir: Directory, id: string): Promise<string[]> {
  const rows = await dir.containersOf(id, ['type', 'props']);
  return rows.filter((r) => r.type === 'group' && (JSON.parse(r.props) as { securityEnabled?: unknown }).securityEnabled === true).map((r) => r.id);
}

/** Validates a list of ids to check: at most 20 GUIDs. Returns them lower-cased, in the order given, without repeats. */
export function checkIdList(ids: readonly string[], parameter: string): string[] {
  if (ids.length > MAX_CHECK_IDS)
    throw new DirectoryError('invalid', `The number of ids in '${parameter}' is ${ids.length}; at most ${MAX_CHECK_IDS} may be checked per request.`, { parameter });
  for (const id of ids) if (!isGuid(id)) throw new DirectoryError('invalid', `Invalid object identifier '${id}'.`, { parameter });
  return [...new Set(ids.map((i) => i.toLowerCase()))];
}

/** The subset of `groupIds` that `obj` is a member of, directly or transitively. */
export async function checkMemberGroups(dir: Directory, obj: Pick<DirObject, 'id'>, groupIds: readonly string[]): Promise<string[]> {
  const wanted = checkIdList(groupIds, 'groupIds');
  const groups = new Set((await dir.containersOf(obj.id, ['type'])).filter((c) => c.type === 'group').map((c) => c.id));
  return wanted.filter((g) => groups.has(g));
}

/**
 * As checkMemberGroups, over groups, administrative units and directory roles; a role may be named by its object id
 * or its roleTemplateId (Learn: directoryobject-checkmemberobjects.md).
 */
export async function checkMemberObjects(dir: Directory, obj: Pick<DirObject, 'id'>, ids: readonly string[]): Promise<string[]> {
  const wanted = checkIdList(ids, 'ids');
  const all = new Set((await dir.containersOf(obj.id, ['type'])).map((c) => c.id));
  for (const r of await roleMemberships(dir.db, obj.id)) {
    all.add(r.roleId);
    all.add(r.templateId);
  }
  return wanted.filter((g) => all.has(g));
}

function limited(ids: string[], limit: number): string[] {
  if (ids.length > limit)
    throw new DirectoryError('limit', `The results could not be returned because more than ${limit} groups were found.`, { code: 'Directory_ResultSizeLimitExceeded' });
  return ids;
}

/**
 * Every group `obj` is a member of; `securityEnabledOnly` keeps only security-enabled groups, and without it the
 * directory roles held are included too (Learn: directoryobject-getmembergroups.md).
 */
export async function getMemberGroups(dir: Directory, obj: Pick<DirObject, 'id'>, securityEnabledOnly: boolean, limit = MAX_MEMBER_GROUPS): Promise<string[]> {
  if (securityEnabledOnly) return limited(await securityGroupsOf(dir, obj.id), limit);
  const groups = (await dir.containersOf(obj.id, ['type'])).filter((c) => c.type === 'group');
  const roles = (await roleMemberships(dir.db, obj.id)).map((r) => r.roleId);
  return limited([...groups.map((g) => g.id), ...roles], limit);
}

/**
 * Every group, administrative unit and directory role `obj` is a member of; with `securityEnabledOnly`, security
 * groups only (Learn: directoryobject-getmemberobjects.md).
 */
export async function getMemberObjects(dir: Directory, obj: Pick<DirObject, 'id'>, securityEnabledOnly: boolean, limit = MAX_MEMBER_GROUPS): Promise<string[]> {
  if (securityEnabledOnly) return limited(await securityGroupsOf(dir, obj.id), limit);
  const all = await dir.containersOf(obj.id, ['type']);
  const roles = (await roleMemberships(dir.db, obj.id)).map((r) => r.roleId);
  return limited([...all.map((c) => c.id), ...roles], limit);
}
