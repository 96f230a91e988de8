// /directoryRoles and /directoryRoleTemplates: the built-in roles, those activated in the tenant, and their members
// (Graph v1.0 directoryRole, directoryRoleTemplate; activation from a template with POST /directoryRoles).
import type { Props } from '../directory/model.js';
import { ROLE_TEMPLATES, activateRole, activatedRoles, addRoleMember, findRole, removeRoleMember, roleMembersSelect, roleTemplate, type DirectoryRole } from '../directory/directory-roles.js';
import type { GraphContext, GraphRouter } from './router.js';
import { selectOnly } from './select-only.js';
import { requireBody } from './kit.js';
import { badRequest, notFound } from './errors.js';
import { contextUrl, selectFragment } from './shape.js';

const ROLE_PROPS = ['id', 'deletedDateTime', 'description', 'displayName', 'roleTemplateId'];
const TEMPLATE_PROPS = ['id', 'deletedDateTime', 'description', 'displayName'];

const pick = (doc: Props, select?: readonly string[]) => (select?.length ? Object.fromEntries(['id', ...select.filter((s) => s !== 'id')].map((s) => [s, doc[s] ?? null])) : doc);

const roleDoc = (r: DirectoryRole): Props => ({ id: r.objectId, deletedDateTime: null, description: r.description, displayName: r.displayName, roleTemplateId: r.id });
const templateDoc = (t: { id: string; description: string; displayName: string }): Props => ({ id: t.id, deletedDateTime: null, description: t.description, displayName: t.displayName });

export function directoryRoleRoutes(g: GraphRouter) {
  const byId = async ({ kit }: GraphContext, id: string) => (await findRole(kit.dir.db, { id })) ?? Promise.reject(notFound(id));
  const byTemplate = async ({ kit }: GraphContext, templateId: string) => (await findRole(kit.dir.db, { templateId })) ?? Promise.reject(notFound(templateId));

  g.get('/directoryRoles', async (ctx) => {
    const select = selectOnly(ctx, 'directoryRole', ROLE_PROPS);
    const value = (await activatedRoles(ctx.kit.dir.db)).map((r) => pick(roleDoc(r), select));
    return { body: { '@odata.context': contextUrl(ctx.origin, selectFragment('directoryRoles', select)), value } };
  });
  g.post('/directoryRoles', async (ctx) => {
    const body = requireBody(ctx);
    const templateId = body.roleTemplateId;
    if (typeof templateId !== 'string' || !roleTemplate(templateId)) throw badRequest("Invalid value specified for property 'roleTemplateId' of resource 'DirectoryRole'.");
    const role = await ctx.kit.dir.store.write((tx) => activateRole(tx, templateId));
    return { status: 201, body: { '@odata.context': contextUrl(ctx.origin, 'directoryRoles/$entity'), ...roleDoc(role) } };
  });
  const entity = (load: (ctx: GraphContext) => Promise<DirectoryRole>) => async (ctx: GraphContext) => {
    const select = selectOnly(ctx, 'directoryRole', ROLE_PROPS);
    return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('directoryRoles', select)}/$entity`), ...pick(roleDoc(await load(ctx)), select) } };
  };
  const fromId = (ctx: GraphContext) => byId(ctx, ctx.params.id);
  const fromTemplate = (ctx: GraphContext) => byTemplate(ctx, ctx.params.roleTemplateId);
  g.get('/directoryRoles/{id}', entity(fromId));
  g.get("/directoryRoles(roleTemplateId='{roleTemplateId}')", entity(fromTemplate));

  for (const [base, load] of [['/directoryRoles/{id}', fromId], ["/directoryRoles(roleTemplateId='{roleTemplateId}')", fromTemplate]] as const) {
    g.get(
      `${base}/members`,
      async (ctx) => {
        const { kit } = ctx;
        const role = await load(ctx);
        return kit.list(ctx, { resource: 'directoryObject', scope: { kind: 'ids', ids: () => roleMembersSelect(kit.dir.db, role.objectId), key: `roleMembers:${role.objectId}` }, context: 'directoryObjects', typed: true });
      },
      { casts: ['user', 'servicePrincipal'], count: true },
    );
    g.post(`${base}/members/$ref`, async (ctx) => {
      const role = await load(ctx);
      const ref = requireBody(ctx)['@odata.id'];
      const memberId = typeof ref === 'string' ? /([0-9a-f-]{36})\/?$/i.exec(ref)?.[1] : undefined;
      if (!memberId) throw badRequest("The request body must contain an '@odata.id' reference to a directory object.");
      await addRoleMember(ctx.kit.dir.store, role.objectId, memberId);
      return { status: 204 };
      // The permission data spells the roleTemplateId form of this path oddly; both forms need the same permission.
    }, { permissionAs: ['POST', '/directoryRoles/{id}/members/$ref'] });
    g.delete(`${base}/members/{memberId}/$ref`, async (ctx) => {
      const role = await load(ctx);
      await removeRoleMember(ctx.kit.dir.store, role.objectId, ctx.params.memberId);
      return { status: 204 };
    });
  }

  g.get('/directoryRoleTemplates', async (ctx) => {
    const select = selectOnly(ctx, 'directoryRoleTemplate', TEMPLATE_PROPS);
    return { body: { '@odata.context': contextUrl(ctx.origin, selectFragment('directoryRoleTemplates', select)), value: ROLE_TEMPLATES.map((t) => pick(templateDoc(t), select)) } };
  });
  g.get('/directoryRoleTemplates/{id}', async (ctx) => {
    const select = selectOnly(ctx, 'directoryRoleTemplate', TEMPLATE_PROPS);
    const t = roleTemplate(ctx.params.id);
    if (!t || t.id !== ctx.params.id.toLowerCase()) throw notFound(ctx.params.id);
    return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('directoryRoleTemplates', select)}/$entity`), ...pick(templateDoc(t), select) } };
  });
}
