// GET /devices/{id}/usageRights: beta-only in Graph (graph-notes §1.1, §10.1), served under v1.0 because the
// permission data lists it for Device.Read(Write).All. A device holds a handful of rights, so $filter runs in memory
// through the OData reference evaluator; pages are keyset on id like every other collection.
import type { GraphContext, GraphRouter } from './router.js';
import { badRequest } from './errors.js';
import { contextUrl, project, selectFragment } from './shape.js';
import { decodeSkiptoken, encodeSkiptoken, matches } from '../odata/index.js';
import { usageRightsOf } from '../directory/devices.js';
import type { DirObject, Props } from '../directory/model.js';

const DEFAULT_PAGE = 100;

/** `Prefer: odata.maxpagesize=n`, which the beta doc lists for this collection; $top wins when both are given. */
function pageSize(ctx: GraphContext, top: number | undefined): number {
  if (top !== undefined) return top;
  const m = /odata\.maxpagesize=(\d+)/i.exec(ctx.headers.prefer ?? '');
  return m ? Math.min(Math.max(Number(m[1]), 1), 999) : DEFAULT_PAGE;
}

export function usageRightRoutes(g: GraphRouter, base: string, load: (ctx: GraphContext) => Promise<DirObject>) {
  g.get(`${base}/usageRights`, async (ctx) => {
    const { kit } = ctx;
    const device = await load(ctx);
    const q = kit.query(ctx, 'usageRight');
    if (q.skip !== undefined) throw badRequest("'$skip' is not supported by the service.");
    const fingerprint = `usageRights|${device.id}|${ctx.query.$filter ?? ''}`;
    const after = q.skiptoken ? (decodeSkiptoken(q.skiptoken, kit.signingKey, fingerprint) as { id: string }).id : undefined;
    const size = pageSize(ctx, q.top);
    const all = (await usageRightsOf(kit.dir.db, device.id)).filter((r) => matches(q, r) && (after === undefined || String(r.id) > after));
    const page = all.slice(0, size);
    const body: Props = {
      '@odata.context': contextUrl(ctx.origin, selectFragment(`devices('${device.id}')/usageRights`, q.select)),
      value: page.map((r) => project('usageRight', r, q.select)),
    };
    if (all.length > size) body['@odata.nextLink'] = kit.nextLink(ctx, encodeSkiptoken({ id: page[page.length - 1].id }, kit.signingKey, fingerprint));
    return { body };
  });
}
