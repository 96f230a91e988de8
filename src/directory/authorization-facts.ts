// The facts about a target object the authorization check needs: who a user key names, and who owns a group or
// device (default user permissions let owners manage them).
import type { AuthorizationLookups } from '../auth/role-authorization.js';
import type { Directory } from './directory.js';

export function authorizationLookups(dir: Directory): AuthorizationLookups {
  return {
    async userIdOf(key) {
      return (await dir.user(key))?.id;
    },
    async isOwner(kind, key, userId) {
      const target = kind === 'device' ? ((await dir.get(key, ['device'])) ?? (await dir.byAltKey('device', key))) : await dir.get(key, ['group']);
      if (!target) return false;
      const link = await dir.db
        .selectFrom('links')
        .select('target_id')
        .where('kind', '=', kind === 'device' ? 'registeredOwner' : 'owner')
        .where('source_id', '=', target.id)
        .where('target_id', '=', userId.toLowerCase())
        .executeTakeFirst();
      return link !== undefined;
    },
  };
}
