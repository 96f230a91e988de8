// The directoryObject actions checkMemberGroups, checkMemberObjects, getMemberGroups and getMemberObjects on every
// path Graph binds them to (graph-notes §1.8), plus GET /directoryObjects/{id} and POST /directoryObjects/getByIds.
import type { GraphContext, GraphRouter, RouteOptions } from './router.js';
import { type GraphKit, requireBody } from './kit.js';
import { GraphError, badRequest, notFound } from './errors.js';
import { contextUrl, odataType, project, resourceOfObject, selectFragment } from './shape.js';
import { checkMemberGroups, checkMemberObjects, getMemberGroups, getMemberObjects } from '../directory/member-checks.js';
import { DirectoryError, OBJECT_TYPES, type ObjectType, type Props } from '../directory/model.js';
import { isGuid } from '../directory/ids.js';

/** getByIds accepts up to 1,000 ids per request. */
const MAX_BY_IDS = 1000;

/** The object an action is asked of; only its id is used, so a head (kept until the store next changes) serves. */
type Loader = (ctx: GraphContext) => Promise<{ id: string }>;

interface Binding {
  base: string;
  load: Loader;
  opts?: RouteOptions;
}

function parameters(ctx: GraphContext, action: string, allowed: readonly string[]): Props {
  const body = requireBody(ctx);
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw badRequest(`The parameter '${k}' in the request payload is not a valid parameter for the operation '${action}'.`);
  }
  return body;
}

function stringList(body: Props, name: string): string[] {
  const v = body[name];
  if (v === undefined || v === null) throw badRequest(`The parameter '${name}' is required and cannot be null.`);
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`Invalid value for the parameter '${name}': expected a collection of strings.`);
  return v as string[];
}

/** securityEnabledOnly is nullable in the CSDL; left out or null it means false. */
function flag(body: Props, name: string): boolean {
  const v = body[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for the parameter '${name}': expected true or false.`);
  return v;
}

function strings(ctx: GraphContext, value: string[]) {
  return { body: { '@odata.context': contextUrl(ctx.origin, 'Collection(Edm.String)'), value } };
}

/** The core's result-size refusal carries Graph's own error code. */
async function mapLimit<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DirectoryError && e.kind === 'limit' && typeof e.detail.code === 'string') throw new GraphError(400, e.detail.code, e.message);
    throw e;
  }
}

const ACTIONS: Record<string, (kit: GraphKit, ctx: GraphContext, obj: Loader) => Promise<{ body: Props }>> = {
  checkMemberGroups: async (kit, ctx, load) => {
    const ids = stringList(parameters(ctx, 'checkMemberGroups', ['groupIds']), 'groupIds');
    return strings(ctx, await checkMemberGroups(kit.dir, await load(ctx), ids));
  },
  checkMemberObjects: async (kit, ctx, load) => {
    const ids = stringList(parameters(ctx, 'checkMemberObjects', ['ids']), 'ids');
    return strings(ctx, await checkMemberObjects(kit.dir, await load(ctx), ids));
  },
  getMemberGroups: async (kit, ctx, load) => {
    const only = flag(parameters(ctx, 'getMemberGroups', ['securityEnabledOnly']), 'securityEnabledOnly');
    const obj = await load(ctx);
    return strings(ctx, await mapLimit(() => getMemberGroups(kit.dir, obj, only)));
  },
  getMemberObjects: async (kit, ctx, load) => {
    const only = flag(parameters(ctx, 'getMemberObjects', ['securityEnabledOnly']), 'securityEnabledOnly');
    const obj = await load(ctx);
    return strings(ctx, await mapLimit(() => getMemberObjects(kit.dir, obj, only)));
  },
};

export function directoryObjectActionRoutes(g: GraphRouter) {
  const ofType =
    (types: readonly ObjectType[] = OBJECT_TYPES): Loader =>
    async ({ kit, params }) =>
      (await kit.dir.head(params.id, types)) ?? Promise.reject(notFound(params.id));
  const bindings: Binding[] = [
    { base: '/directoryObjects/{id}', load: ofType() },
    { base: '/users/{id}', load: async (ctx) => (await ctx.kit.dir.userHead(ctx.params.id)) ?? Promise.reject(notFound(ctx.params.id)) },
    { base: '/groups/{id}', load: ofType(['group']) },
    { base: '/devices/{id}', load: ofType(['device']) },
    { base: '/servicePrincipals/{id}', load: ofType(['servicePrincipal']) },
    { base: '/contacts/{id}', load: ofType(['orgContact']) },
    { base: '/me', load: async (ctx) => (await ctx.kit.dir.head(ctx.principal.userId!, ['user'])) ?? Promise.reject(notFound(ctx.principal.userId!)), opts: { delegatedOnly: true } },
  ];
  for (const { base, load, opts } of bindings) {
    for (const [name, run] of Object.entries(ACTIONS)) {
      const handler = (ctx: GraphContext) => run(ctx.kit, ctx, load);
      g.post(`${base}/${name}`, handler, opts);
      // The namespace-qualified form is the same action; the permission data lists only the short one.
      g.post(`${base}/microsoft.graph.${name}`, handler, { ...opts, permissionAs: ['POST', `${base}/${name}`] });
    }
  }

  g.get('/directoryObjects/{id}', async (ctx) => {
    const { kit } = ctx;
    const obj = await kit.dir.get(ctx.params.id);
    if (!obj) throw notFound(ctx.params.id);
    const res = resourceOfObject(obj.type);
    const q = kit.query(ctx, res, { collection: false });
    const [doc] = await kit.dir.documents([obj]);
    return {
      body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('directoryObjects', q.select)}/$entity`), '@odata.type': odataType(res), ...project(res, doc, q.select) },
    };
  });

  const getByIds = async (ctx: GraphContext) => {
    const { kit } = ctx;
    const body = parameters(ctx, 'getByIds', ['ids', 'types']);
    const ids = stringList(body, 'ids');
    if (ids.length > MAX_BY_IDS) throw badRequest(`The number of ids in 'ids' is ${ids.length}; at most ${MAX_BY_IDS} may be requested.`);
    for (const id of ids) if (!isGuid(id)) throw badRequest(`Invalid object identifier '${id}'.`);
    const types = body.types === undefined || body.types === null ? undefined : stringList(body, 'types').map(typeOfName);
    const objs = (await kit.dir.getMany([...new Set(ids.map((i) => i.toLowerCase()))])).filter((o) => !types || types.includes(o.type));
    const docs = await kit.dir.documents(objs);
    const value = objs.map((o, i) => {
      const res = resourceOfObject(o.type);
      return kit.canRead(ctx, o.type) ? { '@odata.type': odataType(res), ...project(res, docs[i]) } : { '@odata.type': odataType(res), id: o.id };
    });
    return { body: { '@odata.context': contextUrl(ctx.origin, 'directoryObjects'), value } };
  };
  g.post('/directoryObjects/getByIds', getByIds);
  // The Kiota users package binds the same action to the users collection (msgraph-sdk-users: users/getByIds).
  g.post('/users/getByIds', getByIds, { permissionAs: ['POST', '/directoryObjects/getByIds'] });
}

/** 'user', 'microsoft.graph.user' or '#microsoft.graph.User' → 'user'. */
function typeOfName(name: string): ObjectType {
  const bare = name.replace(/^#?microsoft\.graph\./i, '').toLowerCase();
  const hit = OBJECT_TYPES.find((t) => t.toLowerCase() === bare);
  if (!hit) throw badRequest(`Invalid value '${name}' in the parameter 'types'.`);
  return hit;
}
