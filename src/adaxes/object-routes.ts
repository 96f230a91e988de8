// /api/directoryObjects: get, create, modify (with the Microsoft 365 account), delete, move. Each checks that the
// REST API allows the operation and that the caller's security roles grant it, before anything is written.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { classifyIdentifier, makeDn } from '../directory/ids.js';
import { type M365Modification, modifyM365Account } from '../directory/m365-account.js';
import type { Props } from '../directory/model.js';
import { type ProvisionOutcome, provisionCreatedUser } from '../directory/directory-sync.js';
import { createOnPrem, moveOnPrem, rdnOf, setPasswordHash } from '../directory/on-prem.js';
import { dirOf } from '../tenants/request-tenant.js';
import { requireModifyRights } from './modify-rights.js';
import { requireOperation, requireRight, visibleObject } from './access.js';
import { badRequest, invalidModel } from './errors.js';
import { STORE_TYPE, directoryObjectJson, propertyList } from './directory-object.js';
import { parseM365 } from './m365-body.js';
import { completeProps, initialProps } from './new-object.js';
import { OperationFailure, asOperation, succeeded } from './operation-result.js';
import { type PropertyItem, applyToProps, modifyProperties, nameOf, parsePropertyItems, passwordHashOf } from './property-writes.js';
import { resolveContainer } from './resolve.js';
import { jsonBody, queryParam, requireQuery, validated } from './wire.js';

type ModifyBody = { directoryObject: string; properties?: unknown[]; m365?: Props; o365?: Props };
type CreateBody = { createIn: string; objectType: string; properties?: unknown[]; m365?: Props; o365?: Props };

const rawBody = (req: FastifyRequest): Props => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Props) : {});
/** `m365` in current clients, `o365` in older ones. */
const m365Of = (raw: Props) => {
  const v = raw.m365 ?? raw.o365;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : undefined;
};

export async function objectRoutes(app: FastifyInstance) {
  app.get('/api/directoryObjects', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'View');
    const obj = await visibleObject(dir, req, requireQuery(req, 'directoryObject'), 'directoryObject');
    return directoryObjectJson(dir, obj, propertyList(queryParam(req, 'properties')));
  });

  app.patch('/api/directoryObjects', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'Edit');
    const raw = rawBody(req);
    const [body, items, m365] = validated<[ModifyBody, PropertyItem[], M365Modification | undefined]>(
      () =>
        jsonBody<ModifyBody>(req, {
          directoryObject: { kind: 'string', required: true },
          properties: { kind: 'array' },
          m365: { kind: 'object' },
          o365: { kind: 'object' },
        }),
      () => parsePropertyItems(Array.isArray(raw.properties) ? raw.properties : undefined),
      () => parseM365(m365Of(raw), raw.m365 ? 'm365' : 'o365'),
    );
    const obj = await visibleObject(dir, req, body.directoryObject, 'directoryObject');
    if (m365 && obj.type !== 'user') throw badRequest('Microsoft 365 properties can be modified for user objects only.');
    await requireModifyRights(req, obj, items, m365);
    return asOperation(obj.dn, async () => {
      const passwordHash = await passwordHashOf(items);
      const after = await dir.write(async (w) => {
        const current = await w.load(obj.id);
        if (!current) throw new OperationFailure('The object was deleted while the request was being processed.');
        const changed = await modifyProperties(w, current, items, passwordHash);
        if (m365) await modifyM365Account(w, changed, m365);
        return (await w.load(obj.id))!;
      });
      return succeeded(after.dn);
    });
  });

  app.post('/api/directoryObjects', async (req) => {
    const dir = dirOf(req);
    const domain = dir.tenant.domain;
    requireOperation(req, 'Create');
    const raw = rawBody(req);
    const [body, items, m365] = validated<[CreateBody, PropertyItem[], M365Modification | undefined]>(
      () =>
        jsonBody<CreateBody>(req, {
          createIn: { kind: 'string', required: true },
          objectType: { kind: 'string', required: true },
          properties: { kind: 'array' },
          m365: { kind: 'object' },
          o365: { kind: 'object' },
        }),
      () => parsePropertyItems(Array.isArray(raw.properties) ? raw.properties : undefined),
      () => parseM365(m365Of(raw), raw.m365 ? 'm365' : 'o365'),
    );
    const type = STORE_TYPE[body.objectType.toLowerCase()];
    if (!type || type === 'administrativeUnit')
      throw badRequest(
        `Objects of type '${body.objectType}' cannot be created here: supported types are user, group, contact and computer (containers exist only as part of distinguished names).`,
      );
    if (m365 && type !== 'user') throw badRequest('Microsoft 365 properties can be set for user objects only.');
    const cn = nameOf(items) ?? items.find((i) => i.name.toLowerCase() === 'displayname')?.values.map(String)[0];
    if (!cn) throw invalidModel({ properties: ['The name of the new object is required: set the cn (or name) property.'] });
    const container = await resolveContainer(dir, body.createIn, 'createIn');
    const target = { type, dn: makeDn(cn, container) };
    await requireRight(req, 'create', target, `create objects of type '${body.objectType}' in`);
    if (m365 && (m365.locationName != null || m365.signInBlocked != null)) await requireRight(req, 'manageM365Account', target, 'manage the Microsoft 365 account of');
    if (m365?.licenseModifications?.length) await requireRight(req, 'manageM365Licenses', target, 'manage the Microsoft 365 licenses of');
    return asOperation(null, async () => {
      const passwordHash = await passwordHashOf(items);
      const now = new Date().toISOString();
      let outcome: ProvisionOutcome | undefined;
      const created = await dir.write(async (w) => {
        const props = completeProps({ type }, applyToProps(initialProps(type, cn, domain, now), { id: '', type, facet: null, dn: null, objectGuid: null, sid: null, props: {}, version: 0 }, items));
        const obj = await createOnPrem(w, { type, container, cn, props }, domain);
        if (passwordHash !== undefined) {
          if (type !== 'user') throw new OperationFailure('Only user accounts have a password here.');
          await setPasswordHash(w, obj.id, passwordHash);
        }
        if (type === 'user') outcome = await provisionCreatedUser(w, obj, m365, domain);
        return obj;
      });
      if (outcome !== 'awaitingSync') return succeeded(created.dn);
      return {
        ...succeeded(created.dn),
        innerMessages: [
          {
            source: 'Microsoft 365',
            text: 'The Microsoft 365 account will be created by the next directory synchronization; the Microsoft 365 properties of this request will be applied then.',
            messageType: 2,
            innerMessages: [],
          },
        ],
      };
    });
  });

  app.delete('/api/directoryObjects', async (req) => {
    const dir = dirOf(req);
    requireOperation(req, 'Delete');
    const obj = await visibleObject(dir, req, requireQuery(req, 'directoryObject'), 'directoryObject');
    await requireRight(req, 'delete', obj, 'delete');
    return asOperation(obj.dn, async () => {
      await dir.write(async (w) => {
        const current = await w.load(obj.id);
        if (current) await w.delete(current);
      });
      return succeeded(obj.dn);
    });
  });

  app.post('/api/directoryObjects/move', async (req) => {
    const dir = dirOf(req);
    const body = jsonBody<{ directoryObject: string; targetContainer: string }>(req, {
      directoryObject: { kind: 'string', required: true },
      targetContainer: { kind: 'string', required: true },
    });
    requireOperation(req, 'Move');
    const obj = await visibleObject(dir, req, body.directoryObject, 'directoryObject');
    if (!classifyIdentifier(body.targetContainer)) throw badRequest(`'${body.targetContainer}' is not a valid distinguished name or GUID of a container.`);
    const container = await resolveContainer(dir, body.targetContainer, 'targetContainer');
    // A move deletes the object from its container and creates it in the target one.
    await requireRight(req, 'delete', obj, 'move');
    await requireRight(req, 'create', { type: obj.type, dn: makeDn(rdnOf(obj.dn!)?.value ?? 'x', container) }, `create objects of this type in`);
    return asOperation(obj.dn, async () => {
      const moved = await dir.write(async (w) => moveOnPrem(w, (await w.load(obj.id)) ?? obj, container, dir.tenant.domain));
      return succeeded(moved.dn);
    });
  });
}

