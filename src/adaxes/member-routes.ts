// /api/directoryObjects/groupMembers: list, add and remove members of a group. The list holds only the members the
// caller may view (REST_GetGroupMembers); adding and removing need the right to modify the group's membership.
import type { FastifyInstance } from 'fastify';
import { dirOf } from '../tenants/request-tenant.js';
import { isVisible, requireOperation, requireRight, visibleObject } from './access.js';
import { badRequest } from './errors.js';
import { directoryObjectJson, propertyList } from './directory-object.js';
import { asOperation, failed, succeeded } from './operation-result.js';
import { boolParam, intParam, jsonBody, queryParam, requireQuery } from './wire.js';

export async function memberRoutes(app: FastifyInstance) {
  app.get('/api/directoryObjects/groupMembers', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'View');
    const group = await visibleObject(dir, req, requireQuery(req, 'group'), 'group');
    if (group.type !== 'group') throw badRequest(`The object '${queryParam(req, 'group')}' is not a group.`);
    const indirect = boolParam(req, 'includeIndirect');
    const sizeLimit = intParam(req, 'sizeLimit');
    const ids = (await (indirect ? dir.transitiveTargetsOf(group.id) : dir.targetsOf('member', group.id)).execute()).map((r) => r.id);
    const all = (await dir.getMany(ids, { onPremisesOnly: true })).filter((m) => m.id !== group.id);
    let members = [];
    for (const m of all) if (await isVisible(req, m)) members.push(m);
    members.sort((a, b) => String(a.dn ?? a.id).localeCompare(String(b.dn ?? b.id)));
    if (sizeLimit) members = members.slice(0, sizeLimit);
    const properties = propertyList(queryParam(req, 'properties'));
    const docs = await dir.documents(members);
    return Promise.all(members.map((m, i) => directoryObjectJson(dir, m, properties, docs[i])));
  });

  app.post('/api/directoryObjects/groupMembers', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'AddMembers');
    const body = jsonBody<{ group: string; newMember: string }>(req, { group: { kind: 'string', required: true }, newMember: { kind: 'string', required: true } });
    const group = await visibleObject(dir, req, body.group, 'group');
    const member = await visibleObject(dir, req, body.newMember, 'newMember');
    if (group.type !== 'group') throw badRequest(`The object '${body.group}' is not a group.`);
    await requireRight(req, 'modifyMembership', group, 'modify the members of');
    return asOperation(group.dn, async () => {
      const added = await dir.addMember(group.id, member.id);
      return added ? succeeded(group.dn) : failed(group.dn, 'The specified account name is already a member of the group.');
    });
  });

  // Removing is the same change of the member property as adding; OperationType has no operation of its own for it.
  app.delete('/api/directoryObjects/groupMembers', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'AddMembers');
    const group = await visibleObject(dir, req, requireQuery(req, 'group'), 'group');
    const member = await visibleObject(dir, req, requireQuery(req, 'member'), 'member');
    if (group.type !== 'group') throw badRequest(`The object '${queryParam(req, 'group')}' is not a group.`);
    await requireRight(req, 'modifyMembership', group, 'modify the members of');
    return asOperation(group.dn, async () => {
      const removed = await dir.removeMember(group.id, member.id);
      return removed ? succeeded(group.dn) : failed(group.dn, 'The specified account name is not a member of the group.');
    });
  });
}
