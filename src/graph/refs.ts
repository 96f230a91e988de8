// Reference bodies of $ref writes: {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"} (any
// path ending in the object's id).
import { badRequest } from './errors.js';
import { requireBody } from './kit.js';
import type { GraphContext } from './router.js';

/** The id an @odata.id reference names. */
export function refTarget(ctx: GraphContext): string {
  const ref = requireBody(ctx)['@odata.id'];
  const id = typeof ref === 'string' ? /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})['")]*\/?$/i.exec(ref)?.[1] : undefined;
  if (!id) throw badRequest("The request body must contain an '@odata.id' reference to a directory object.");
  return id.toLowerCase();
}

/** Graph's answer to adding a reference that is already there. */
export const alreadyReferenced = (nav: string) => badRequest(`One or more added object references already exist for the following modified properties: '${nav}'.`);
