// Reporting lines: a user's one manager, a user or an organisational contact (Learn: user-post-manager.md, "the
// read URL of the directoryObject, user, or organizational contact object"), stored as a `manager` link from the
// user to the manager; directReports are the same links read backwards.
import type { Directory } from './directory.js';
import { DirectoryError } from './model.js';

/** Object types that may be a user's manager. */
export const MANAGER_TYPES = ['user', 'orgContact'] as const;

/** Subquery: the id of `userId`'s manager (none or one). */
export const managerOf = (dir: Directory, userId: string) => dir.targetsOf('manager', userId.toLowerCase());

/** Subquery: the ids of the users whose manager is `id`. */
export const directReportsOf = (dir: Directory, id: string) => dir.sourcesOf('manager', id.toLowerCase());

/**
 * Makes `managerId` the manager of `userId`, replacing any manager they had (PUT replaces: there is one manager).
 * Learn documents no rule against a chain that loops back, so only a user managing themselves is refused.
 */
export async function setManager(dir: Directory, userId: string, managerId: string): Promise<void> {
  await dir.write(async (w) => {
    const user = await w.load(userId.toLowerCase());
    if (!user || user.type !== 'user') throw new DirectoryError('notFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
    const manager = await w.load(managerId.toLowerCase());
    if (!manager || !(MANAGER_TYPES as readonly string[]).includes(manager.type))
      throw new DirectoryError('notFound', `Resource '${managerId}' does not exist or one of its queried reference-property objects are not present.`);
    if (manager.id === user.id) throw new DirectoryError('invalid', 'A user cannot be their own manager.');
    const current = await w.tx.selectFrom('links').select('target_id').where('kind', '=', 'manager').where('source_id', '=', user.id).execute();
    for (const c of current) if (c.target_id !== manager.id) await w.removeLink('manager', user.id, c.target_id);
    await w.addLink('manager', user.id, manager.id);
  });
}

/** Removes `userId`'s manager; false when they had none. */
export async function removeManager(dir: Directory, userId: string): Promise<boolean> {
  return dir.write(async (w) => {
    const current = await w.tx.selectFrom('links').select('target_id').where('kind', '=', 'manager').where('source_id', '=', userId.toLowerCase()).execute();
    for (const c of current) await w.removeLink('manager', userId.toLowerCase(), c.target_id);
    return current.length > 0;
  });
}
