// User.ReadBasic.All reads only the basic profile of other users (its consent text: "display name, first and last
// name, email address, photo, id and security identifier … Also allows the app to read the full profile of the
// signed-in user"). A caller whose only user-reading permission is that one gets the other properties left out,
// also when it $selects them.
import { allowedPermissions, heldPermissions, schemeOf } from '../auth/permissions.js';
import { USER_BASIC_PROPERTIES } from '../directory/field-rules.js';
import type { Props } from '../directory/model.js';
import type { GraphContext, GraphReply } from './router.js';
import { itemObject } from './rendered-item.js';

const BASIC = new Set([...USER_BASIC_PROPERTIES, '@odata.type', '@odata.id', '@odata.context', '@odata.etag']);

/** True when the caller may read only basic user profiles on `route`. */
export function basicUserReadOnly(ctx: GraphContext, route: string): boolean {
  const held = heldPermissions(ctx.principal);
  if (!held.includes('User.ReadBasic.All')) return false;
  const fuller = allowedPermissions('GET', route, schemeOf(ctx.principal)).filter((p) => p !== 'User.ReadBasic.All' && p !== 'User.Read' && p !== 'User.ReadWrite');
  return !fuller.some((p) => held.includes(p));
}

const basicOf = (doc: Props): Props => Object.fromEntries(Object.entries(doc).filter(([k]) => BASIC.has(k)));

/** Strips a user reply (entity or collection) to the basic profile, except the signed-in user's own object. */
export function limitUserReply(ctx: GraphContext, route: string, reply: GraphReply, entityId?: string): GraphReply {
  if (!basicUserReadOnly(ctx, route) || !reply.body || typeof reply.body !== 'object') return reply;
  const self = ctx.principal.userId;
  const body = itemObject(reply.body);
  const keep = (item: unknown) => (self !== undefined && (item as Props).id === self ? item : basicOf(itemObject(item)));
  if (Array.isArray(body.value)) return { ...reply, body: { ...body, value: body.value.map(keep) } };
  // A $select may leave the id out of an entity: the caller names whose it is.
  return { ...reply, body: entityId !== undefined && entityId === self ? body : basicOf(body) };
}
