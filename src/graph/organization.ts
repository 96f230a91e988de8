// /organization and /domains: the tenant and its verified domains (read-only here). Both are a handful of entities,
// so options run in memory through the OData reference evaluator.
import type { GraphContext, GraphRouter, GraphReply } from './router.js';
import type { GraphKit } from './kit.js';
import { badRequest, notFound } from './errors.js';
import { contextUrl, project, selectFragment } from './shape.js';
import { matches } from '../odata/index.js';
import { domainsOf, organizationOf } from '../directory/organization.js';
import type { Props } from '../directory/model.js';

function listOf(kit: GraphKit, ctx: GraphContext, resource: string, set: string, all: Props[]): GraphReply {
  const q = kit.query(ctx, resource);
  if (q.skip !== undefined) throw badRequest("'$skip' is not supported by the service.");
  const hits = all.filter((d) => matches(q, d));
  const body: Props = { '@odata.context': contextUrl(ctx.origin, selectFragment(set, q.select)) };
  if (q.count) body['@odata.count'] = hits.length;
  body.value = hits.slice(0, q.top ?? hits.length).map((d) => project(resource, d, q.select));
  return ctx.countOnly ? { body: hits.length, text: true } : { body };
}

function entityOf(kit: GraphKit, ctx: GraphContext, resource: string, set: string, doc: Props | undefined, key: string): GraphReply {
  if (!doc) throw notFound(key);
  const q = kit.query(ctx, resource, { collection: false });
  return { body: project(resource, doc, q.select, contextUrl(ctx.origin, `${selectFragment(set, q.select)}/$entity`)) };
}

export function organizationRoutes(g: GraphRouter) {
  const org = ({ kit }: GraphContext) => organizationOf(kit.dir.tenant);
  g.get('/organization', async (ctx) => listOf(ctx.kit, ctx, 'organization', 'organization', [org(ctx)]), { count: true });
  g.get('/organization/{id}', async (ctx) => {
    const o = org(ctx);
    return entityOf(ctx.kit, ctx, 'organization', 'organization', ctx.params.id.toLowerCase() === o.id ? o : undefined, ctx.params.id);
    // organization-get.md documents GET /organization/{id} with the permissions of the collection (Organization.Read.All
    // and up); the permission data's entry for the keyed path lacks the Organization.* permissions.
  }, { permissionAs: ['GET', '/organization'] });
}

export function domainRoutes(g: GraphRouter) {
  // permissions.json lists /domains for Domain.Read.All, Domain.ReadWrite.All and Directory.Read.All.
  g.get('/domains', async (ctx) => listOf(ctx.kit, ctx, 'domain', 'domains', domainsOf(ctx.kit.dir.tenant)));
  g.get('/domains/{id}', async (ctx) => {
    const { kit } = ctx;
    const hit = domainsOf(kit.dir.tenant).find((d) => String(d.id).toLowerCase() === ctx.params.id.toLowerCase());
    return entityOf(kit, ctx, 'domain', 'domains', hit, ctx.params.id);
  });
}
