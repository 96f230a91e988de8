// POST /api/directoryObjects/search: objects under a base (subtree or one level) that fit the criteria, as a bare
// JSON array of DirectoryObject. sizeLimit caps the result; without it every match is returned. Only Active
// Directory objects the caller may view are candidates.
import type { FastifyInstance } from 'fastify';
import { objectPagesUnder } from '../directory/on-prem.js';
import { dirOf } from '../tenants/request-tenant.js';
import { isVisible, requireOperation } from './access.js';
import { readAttribute } from './attributes.js';
import { adaxesTypeOf, directoryObjectJson, propertyList } from './directory-object.js';
import { invalidModel } from './errors.js';
import { resolveContainer } from './resolve.js';
import { type Criteria, criteriaProperties, matchesCriteria } from './search-criteria.js';
import { jsonBody } from './wire.js';

export async function searchRoutes(app: FastifyInstance) {
  app.post('/api/directoryObjects/search', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'View');
    const body = jsonBody<{ baseObject?: string; oneLevel?: boolean; criteria?: Criteria; select?: { properties?: string | string[] }; sizeLimit?: number }>(req, {
      baseObject: { kind: 'string' },
      oneLevel: { kind: 'boolean' },
      criteria: { kind: 'object' },
      select: { kind: 'object' },
      sizeLimit: { kind: 'number' },
    });
    if (body.sizeLimit !== undefined && (!Number.isInteger(body.sizeLimit) || body.sizeLimit < 0)) throw invalidModel({ sizeLimit: ['The sizeLimit must be a non-negative integer.'] });
    // Business units are an Adaxes-only concept; Tenantbox has none.
    if (body.baseObject?.toLowerCase() === 'wkobj:businessunitscontainer') return [];
    const base = body.baseObject ? await resolveContainer(dir, body.baseObject, 'baseObject') : undefined;
    const needsLinks = criteriaProperties(body.criteria).some((p) => p === 'memberof' || p === 'member');
    const selected = Array.isArray(body.select?.properties) ? body.select.properties.map(String) : propertyList(body.select?.properties);
    const out: Record<string, unknown>[] = [];
    const full = () => !!body.sizeLimit && out.length >= body.sizeLimit;
    for await (const candidates of objectPagesUnder(dir, base, !!base && !!body.oneLevel)) {
      const docs = await dir.documents(candidates);
      for (let i = 0; i < candidates.length && !full(); i++) {
        const obj = candidates[i];
        if (!(await isVisible(req, obj))) continue;
        let linked = {};
        if (needsLinks) {
          const probe = await directoryObjectJson(dir, obj, ['memberOf', 'member'], docs[i]);
          const p = probe.properties as Record<string, string[]>;
          linked = { memberOf: p.memberOf, member: p.member };
        }
        if (!matchesCriteria(body.criteria, adaxesTypeOf(obj), (name) => readAttribute(name, obj, docs[i], linked))) continue;
        out.push(await directoryObjectJson(dir, obj, selected, docs[i]));
      }
      if (full()) break;
    }
    return out;
  });
}
