// $expand on directory relationships, with Graph's limits (graph-notes §2): one level, at most 20 related objects
// (100 for a user's registeredDevices), no nextLink inside the expansion, and members shaped like any
// directoryObject collection item (@odata.type, limited information when the caller may not read the type).
import type { Expression } from 'kysely';
import type { Directory } from '../directory/directory.js';
import type { DirObject, LinkKind, Props } from '../directory/model.js';
import type { ExpandItem } from '../odata/index.js';
import { badRequest } from './errors.js';

/** A select of one column `id` (Directory.sourcesOf and its kin). */
type Related = (dir: Directory, id: string) => Expression<unknown>;

const up = (kind: LinkKind): Related => (dir, id) => dir.sourcesOf(kind, id);
const down = (kind: LinkKind): Related => (dir, id) => dir.targetsOf(kind, id);

/** The relationships the store holds, by navigation name. */
const NAVIGATIONS: Record<string, Related> = {
  memberOf: up('member'),
  transitiveMemberOf: (dir, id) => dir.transitiveSourcesOf(id),
  members: down('member'),
  transitiveMembers: (dir, id) => dir.transitiveTargetsOf(id),
  owners: down('owner'),
  registeredOwners: down('registeredOwner'),
  registeredUsers: down('registeredUser'),
  ownedDevices: up('registeredOwner'),
  registeredDevices: up('registeredUser'),
  manager: down('manager'),
  directReports: up('manager'),
};

/** Single-valued navigations: the related object itself, left out when there is none (user: manager). */
const SINGLE = new Set(['manager']);

const limitOf = (resource: string, nav: string) => (resource === 'user' && nav === 'registeredDevices' ? 100 : 20);

/** Refuses navigations that exist on the type but that Tenantbox keeps no data for. */
export function assertExpandable(items: readonly ExpandItem[] | undefined) {
  for (const item of items ?? []) if (!NAVIGATIONS[item.name]) throw badRequest(`Expanding '${item.name}' is not supported.`);
}

/** Adds each expanded navigation to the shaped items, in place. */
export async function expandInto(
  dir: Directory,
  resource: string,
  items: readonly { obj: DirObject; body: Props }[],
  expand: readonly ExpandItem[] | undefined,
  shapeRelated: (obj: DirObject, doc: Props) => Props,
): Promise<void> {
  if (!expand?.length) return;
  assertExpandable(expand);
  for (const { name } of expand) {
    const limit = limitOf(resource, name);
    for (const item of items) {
      const ids = await dir.idsOf(NAVIGATIONS[name](dir, item.obj.id), limit);
      const related = await dir.getMany(ids);
      const docs = await dir.documents(related);
      const shaped = related.map((o, i) => shapeRelated(o, docs[i]));
      if (!SINGLE.has(name)) item.body[name] = shaped;
      else if (shaped.length) item.body[name] = shaped[0];
    }
  }
}
