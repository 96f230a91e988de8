// License management on Graph: /subscribedSkus, /users/{id}/assignLicense and /users/{id}/licenseDetails, over the
// same license state the Adaxes face changes (directory/licensing.ts).
import type { Props } from '../directory/model.js';
import { type Sku, assignLicense, assignmentsOf, findSku, listSkus, skuCatalog } from '../directory/licensing.js';
import { isGuid } from '../directory/ids.js';
import type { GraphContext, GraphRouter } from './router.js';
import { selectOnly } from './select-only.js';
import { requireBody } from './kit.js';
import { badRequest, notFound } from './errors.js';
import { contextUrl, project, selectFragment } from './shape.js';

const pick = (doc: Props, select?: readonly string[]) => (select?.length ? Object.fromEntries(select.map((s) => [s, doc[s] ?? null])) : doc);

const SKU_PROPS = ['accountId', 'accountName', 'appliesTo', 'capabilityStatus', 'consumedUnits', 'id', 'prepaidUnits', 'servicePlans', 'skuId', 'skuPartNumber', 'subscriptionIds'];
const DETAIL_PROPS = ['id', 'skuId', 'skuPartNumber', 'servicePlans'];

function skuDoc(tenantId: string, s: Sku): Props {
  return {
    accountId: s.accountId,
    accountName: s.accountName,
    appliesTo: s.appliesTo,
    capabilityStatus: s.capabilityStatus,
    consumedUnits: s.consumedUnits,
    id: `${tenantId}_${s.skuId}`,
    prepaidUnits: s.prepaidUnits,
    servicePlans: s.servicePlans.map((p) => ({ servicePlanId: p.servicePlanId, servicePlanName: p.servicePlanName, provisioningStatus: p.provisioningStatus, appliesTo: p.appliesTo })),
    skuId: s.skuId,
    skuPartNumber: s.skuPartNumber,
    subscriptionIds: s.subscriptionIds,
  };
}

/** licenseDetails ids are opaque on Graph; here they encode the user and the SKU so they stay stable. */
const detailId = (userId: string, skuId: string) => Buffer.from((skuId + userId).replace(/-/g, ''), 'hex').toString('base64url');

export function licensingRoutes(g: GraphRouter) {
  g.get('/subscribedSkus', async (ctx) => {
    const { kit } = ctx;
    const tenantId = kit.dir.tenant.id;
    const select = selectOnly(ctx, 'subscribedSku', SKU_PROPS);
    const skus = await listSkus(kit.dir.db);
    return { body: { '@odata.context': contextUrl(ctx.origin, selectFragment('subscribedSkus', select)), value: skus.map((s) => pick(skuDoc(tenantId, s), select)) } };
  });

  g.get('/subscribedSkus/{id}', async (ctx) => {
    const { kit } = ctx;
    const tenantId = kit.dir.tenant.id;
    const select = selectOnly(ctx, 'subscribedSku', SKU_PROPS);
    const key = ctx.params.id;
    const [tenant, skuId] = key.includes('_') ? key.split('_', 2) : [tenantId, key];
    const sku = tenant.toLowerCase() === tenantId.toLowerCase() ? await findSku(kit.dir.db, skuId) : undefined;
    if (!sku) throw notFound(key);
    return { body: { '@odata.context': contextUrl(ctx.origin, `${selectFragment('subscribedSkus', select)}/$entity`), ...pick(skuDoc(tenantId, sku), select) } };
  });

  g.post('/users/{id}/assignLicense', async (ctx) => {
    const { kit } = ctx;
    const body = requireBody(ctx);
    const missing = ['addLicenses', 'removeLicenses'].filter((k) => !Array.isArray(body[k]));
    if (missing.length)
      throw badRequest(`One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: ${missing.join(', ')}.`);
    const add = (body.addLicenses as unknown[]).map((a) => {
      const item = (a ?? {}) as Props;
      if (typeof item.skuId !== 'string' || !isGuid(item.skuId)) throw badRequest(`Invalid value '${String(item.skuId)}' for skuId: a license is named by its skuId (a GUID).`);
      if (item.disabledPlans !== undefined && item.disabledPlans !== null && !Array.isArray(item.disabledPlans)) throw badRequest('disabledPlans must be an array of service plan ids.');
      return { skuId: item.skuId, disabledPlans: ((item.disabledPlans as unknown[] | null) ?? []).map(String) };
    });
    const remove = (body.removeLicenses as unknown[]).map((r) => {
      if (typeof r !== 'string' || !isGuid(r)) throw badRequest(`Invalid value '${String(r)}' in removeLicenses: a license is named by its skuId (a GUID).`);
      return r;
    });
    const user = await kit.dir.user(ctx.params.id);
    if (!user) throw notFound(ctx.params.id);
    const after = await assignLicense(kit.dir, user.id, { add, remove });
    const [doc] = await kit.dir.documents([after]);
    return { body: { '@odata.context': contextUrl(ctx.origin, 'users/$entity'), ...project('user', doc), assignedLicenses: doc.assignedLicenses } };
  });

  const details = async (ctx: GraphContext, userKey: string) => {
    const { kit } = ctx;
    const select = selectOnly(ctx, 'licenseDetails', DETAIL_PROPS);
    const user = await kit.dir.user(userKey);
    if (!user) throw notFound(userKey);
    const skus = new Map((await skuCatalog(kit.dir.store)).map((s) => [s.skuId, s]));
    const value = (await assignmentsOf(kit.dir.store, user.id)).flatMap((a) => {
      const sku = skus.get(a.skuId);
      if (!sku) return [];
      const disabled = new Set(a.disabledPlans.map((d) => d.toLowerCase()));
      const doc: Props = {
        id: detailId(user.id, sku.skuId),
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        servicePlans: sku.servicePlans.map((p) => ({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          provisioningStatus: disabled.has(p.servicePlanId.toLowerCase()) ? 'Disabled' : p.provisioningStatus,
          appliesTo: p.appliesTo,
        })),
      };
      return [pick(doc, select)];
    });
    return { body: { '@odata.context': contextUrl(ctx.origin, selectFragment(`users('${user.id}')/licenseDetails`, select)), value } };
  };
  g.get('/users/{id}/licenseDetails', (ctx) => details(ctx, ctx.params.id));
  g.get('/me/licenseDetails', (ctx) => details(ctx, ctx.principal.userId!), { delegatedOnly: true });
}
