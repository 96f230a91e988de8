// Resources Graph serves with $select as the only query option (subscribedSkus, licenseDetails, directoryRoles,
// applications here): the selected names in their declared spelling, or Graph's 400 for anything else.
import type { GraphContext } from './router.js';
import { badRequest, unsupportedQuery } from './errors.js';

export function selectOnly(ctx: GraphContext, type: string, allowed: readonly string[]): string[] | undefined {
  let select: string[] | undefined;
  for (const [k, v] of Object.entries(ctx.query)) {
    const key = k.toLowerCase();
    if (key === '$select') {
      select = String(v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const found = allowed.find((a) => a.toLowerCase() === s.toLowerCase());
          if (!found) throw badRequest(`Could not find a property named '${s}' on type 'microsoft.graph.${type}'.`);
          return found;
        });
    } else if (key.startsWith('$')) throw unsupportedQuery(`Query option '${k}' is not supported for this resource; only $select is.`);
  }
  return select;
}
