// Security roles as Adaxes documents them (help: SecurityRoles.SRPermissions, SecurityRoles.SROverview; SDK:
// IAdmRoleAssignment, ADM_SCOPEBASEOBJECTTYPE_ENUM, ADS_SCOPEENUM): every permission kind over every scope kind,
// deny over allow, trustees through (nested) group membership, and the view filter of search and group members.
// Each refused call answers 403 in Adaxes' Error shape and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Right, ScopeItem } from '../../src/directory/adaxes-config.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { q, signIn } from './client.js';
import { DOMAIN_USER, LAB, LAB_GROUP, Lab, OTHER, PASSWORD, TRUSTEES, type Outcome, outcomeOf, prop, unique } from './roles-support.js';

type ScopeKind = 'all' | 'container' | 'group' | 'self';

interface Target {
  dn: string;
  upn?: string;
  /** For group rights: a group inside or outside the scope. */
  group?: string;
  /** For create: where the new object goes. */
  container: string;
}

/** One operation per permission kind; `t` is the object it acts on. */
const OPERATIONS: Record<Right, (lab: Lab, token: string, t: Target) => Promise<Outcome>> = {
  read: async (lab, token, t) => outcomeOf(await lab.api('GET', `/api/directoryObjects${q({ directoryObject: t.dn })}`, undefined, token)),
  write: async (lab, token, t) => outcomeOf(await lab.api('PATCH', '/api/directoryObjects', { directoryObject: t.dn, properties: [prop('title', 'Tester')] }, token)),
  writeProperty: async (lab, token, t) => outcomeOf(await lab.api('PATCH', '/api/directoryObjects', { directoryObject: t.dn, properties: [prop('department', 'QA')] }, token)),
  create: async (lab, token, t) =>
    outcomeOf(await lab.api('POST', '/api/directoryObjects', { createIn: t.container, objectType: 'user', properties: [prop('cn', unique('New')), prop('userPrincipalName', `${unique('new').replace(/\W+/g, '.')}@example.local`)] }, token)),
  delete: async (lab, token, t) => outcomeOf(await lab.api('DELETE', `/api/directoryObjects${q({ directoryObject: t.dn })}`, undefined, token)),
  resetPassword: async (lab, token, t) => outcomeOf(await lab.api('POST', '/api/directoryObjects/resetPassword', { directoryObject: t.dn, password: 'Reset!Pass77' }, token)),
  changePassword: async (lab, token, t) => outcomeOf(await lab.api('POST', '/api/directoryObjects/changePassword', { directoryObject: t.dn, oldPassword: PASSWORD, newPassword: 'Changed!Pass88' }, token)),
  enableDisableAccount: async (lab, token, t) => outcomeOf(await lab.api('POST', '/api/directoryObjects/account/disable', { directoryObject: t.dn }, token)),
  unlockAccount: async (lab, token, t) => outcomeOf(await lab.api('POST', '/api/directoryObjects/account/unlock', { directoryObject: t.dn }, token)),
  modifyMembership: async (lab, token, t) => outcomeOf(await lab.api('POST', '/api/directoryObjects/groupMembers', { group: t.group, newMember: 'CN=John Smith,CN=Users,DC=example,DC=com' }, token)),
  manageM365Account: async (lab, token, t) => outcomeOf(await lab.api('PATCH', '/api/directoryObjects', { directoryObject: t.dn, m365: { locationName: 'DE', signInBlocked: true } }, token)),
  manageM365Licenses: async (lab, token, t) =>
    outcomeOf(await lab.api('PATCH', '/api/directoryObjects', { directoryObject: t.dn, m365: { licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] } }, token)),
  fullControl: async (lab, token, t) => outcomeOf(await lab.api('DELETE', `/api/directoryObjects${q({ directoryObject: t.dn })}`, undefined, token)),
};

/** What each permission kind's check reads back through the administrator, to prove a refusal changed nothing. */
async function unchanged(lab: Lab, right: Right, t: Target): Promise<void> {
  const obj = await lab.read(t.dn, 'title,department');
  if (right === 'delete' || right === 'fullControl') expect(obj.status).toBe(200);
  if (right === 'write') expect(obj.body.properties.title).toEqual([]);
  if (right === 'writeProperty') expect(obj.body.properties.department).toEqual([]);
  if (right === 'enableDisableAccount') expect(obj.body.accountStatus.isDisabled).toBe(false);
  if (right === 'manageM365Account' || right === 'manageM365Licenses') {
    const m = (await lab.api('GET', `/api/directoryObjects/o365Account/properties${q({ directoryObject: t.dn })}`)).body;
    expect(m.locationName).toBe('US');
    expect(m.licenses.find((l: any) => l.sku.skuPartNumber === 'FLOW_FREE').assigned).toBe(false);
  }
}

const SCOPES: Record<Exclude<ScopeKind, 'self'>, ScopeItem> = {
  all: { type: 'all' },
  container: { type: 'container', dn: LAB },
  group: { type: 'group', dn: LAB_GROUP },
};

const RIGHTS = Object.keys(OPERATIONS) as Right[];

describe.each(ENGINES)('Adaxes security roles (%s)', (engine) => {
  let s: TestServer;
  let lab: Lab;
  beforeAll(async () => {
    s = await startTestServer(engine);
    lab = new Lab(s.base, (await signIn(s.base)).token);
    const r = await lab.api('POST', '/api/directoryObjects', { createIn: 'OU=Groups,DC=example,DC=com', objectType: 'group', properties: [prop('cn', 'Lab Group')] });
    expect(r.body.resultType).toBe(0);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A fresh caller, a target in the scope and one outside it (the caller itself is the target of Self). */
  async function fixture(kind: ScopeKind, right: Right) {
    const caller = await lab.user(TRUSTEES, 'Caller');
    const inside = await lab.user(LAB, 'Inside');
    const outside = await lab.user(OTHER, 'Outside');
    await lab.addMember(LAB_GROUP, inside.dn);
    const groupIn = await lab.group(LAB, 'In Team');
    const groupOut = await lab.group(OTHER, 'Out Team');
    await lab.addMember(LAB_GROUP, groupIn);
    const permission = { access: 'allow', rights: [right], ...(right === 'writeProperty' ? { properties: ['department'] } : {}) };
    const roles: unknown[] = [
      { name: 'Under test', permissions: [permission], assignments: [{ trustee: kind === 'self' ? 'Self' : caller.dn, scope: [kind === 'self' ? { type: 'all' } : SCOPES[kind]] }] },
    ];
    // Everyone views everything (the built-in Domain User role), so that refusals of other rights show as 403.
    if (right !== 'read') roles.push(DOMAIN_USER);
    await lab.configureRoles(roles);
    const token = await lab.tokenOf(caller.upn);
    const mine = kind === 'self' ? caller : inside;
    return {
      token,
      inside: { dn: mine.dn, upn: mine.upn, group: groupIn, container: LAB } as Target,
      outside: { dn: kind === 'self' ? inside.dn : outside.dn, group: groupOut, container: kind === 'self' ? TRUSTEES : OTHER } as Target,
    };
  }

  for (const kind of ['all', 'container', 'group', 'self'] as const) {
    for (const right of RIGHTS) {
      // A new object is nobody's own account and no group's member yet; Self is never a group.
      const insideExpected: Outcome = (right === 'create' && (kind === 'group' || kind === 'self')) || (right === 'modifyMembership' && kind === 'self') ? 'refused' : 'done';
      it(`${right} over ${kind === 'self' ? 'Self (the own account)' : `${kind} scope`}: granted inside, refused outside`, async () => {
        const f = await fixture(kind, right);
        const op = OPERATIONS[right];
        // Outside first: on Self, the granted call may delete or disable the caller's own account.
        if (kind !== 'all') {
          expect(await op(lab, f.token, f.outside)).toBe(right === 'read' ? 'hidden' : 'refused');
          await unchanged(lab, right, f.outside);
        }
        expect(await op(lab, f.token, f.inside)).toBe(insideExpected);
      });
    }
  }

  it('without any role nothing is granted: the object is hidden and every write refused', async () => {
    const caller = await lab.user(TRUSTEES, 'Nobody');
    const target = await lab.user(LAB, 'Target');
    await lab.configureRoles([]);
    const token = await lab.tokenOf(caller.upn);
    expect(await OPERATIONS.read(lab, token, { dn: target.dn, container: LAB })).toBe('hidden');
    const r = await lab.api('POST', '/api/directoryObjects', { createIn: LAB, objectType: 'group', properties: [prop('cn', unique('Nope'))] }, token);
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ message: expect.stringMatching(/^Access is denied\./), code: 'forbidden' });
  });

  it('deny wins over allow, whichever role carries it; other rights of the allowing role stay', async () => {
    const caller = await lab.user(TRUSTEES, 'Denied');
    const inside = await lab.user(LAB, 'Guarded');
    const outside = await lab.user(OTHER, 'Open');
    await lab.configureRoles([
      DOMAIN_USER,
      { name: 'Editors', permissions: [{ access: 'allow', rights: ['write'] }], assignments: [{ trustee: caller.dn, scope: [{ type: 'all' }] }] },
      { name: 'Lab guard', permissions: [{ access: 'deny', rights: ['writeProperty'], properties: ['department'] }], assignments: [{ trustee: caller.upn, scope: [{ type: 'container', dn: LAB }] }] },
    ]);
    const token = await lab.tokenOf(caller.upn);
    expect(await OPERATIONS.writeProperty(lab, token, { dn: inside.dn, container: LAB })).toBe('refused');
    expect(await OPERATIONS.write(lab, token, { dn: inside.dn, container: LAB })).toBe('done');
    expect(await OPERATIONS.writeProperty(lab, token, { dn: outside.dn, container: OTHER })).toBe('done');
    // One refused property refuses the whole request: title is not written either.
    const both = await lab.api('PATCH', '/api/directoryObjects', { directoryObject: inside.dn, properties: [prop('description', 'x'), prop('department', 'QA')] }, token);
    expect(both.status).toBe(403);
    expect((await lab.read(inside.dn, 'description,department')).body.properties).toEqual({ description: [], department: [] });

    // A deny of Full Control over one object hides nothing else but refuses everything on it, reading included.
    await lab.configureRoles([
      DOMAIN_USER,
      { name: 'Editors', permissions: [{ access: 'allow', rights: ['fullControl'] }], assignments: [{ trustee: caller.dn, scope: [{ type: 'all' }] }] },
      { name: 'Blind', permissions: [{ access: 'deny', rights: ['fullControl'] }], assignments: [{ trustee: caller.dn, scope: [{ type: 'object', dn: inside.dn }] }] },
    ]);
    expect(await OPERATIONS.read(lab, token, { dn: inside.dn, container: LAB })).toBe('hidden');
    expect(await OPERATIONS.delete(lab, token, { dn: inside.dn, container: LAB })).toBe('hidden');
    expect((await lab.read(inside.dn)).status).toBe(200);
    expect(await OPERATIONS.write(lab, token, { dn: outside.dn, container: OTHER })).toBe('done');
  });

  it('an excluded scope item takes objects out of the assignment scope', async () => {
    const caller = await lab.user(TRUSTEES, 'Excl');
    const kept = await lab.user(LAB, 'Kept');
    const excluded = await lab.user(LAB, 'Excluded');
    await lab.configureRoles([
      DOMAIN_USER,
      { name: 'Lab editors', permissions: [{ access: 'allow', rights: ['write'] }], assignments: [{ trustee: caller.dn, scope: [{ type: 'container', dn: LAB }, { type: 'object', dn: excluded.dn, exclude: true }] }] },
    ]);
    const token = await lab.tokenOf(caller.upn);
    expect(await OPERATIONS.write(lab, token, { dn: kept.dn, container: LAB })).toBe('done');
    expect(await OPERATIONS.write(lab, token, { dn: excluded.dn, container: LAB })).toBe('refused');
  });

  it('a role assigned to a group reaches members of nested groups, and stops when the membership ends', async () => {
    const caller = await lab.user(TRUSTEES, 'Member');
    const target = await lab.user(LAB, 'Managed');
    const outer = await lab.group(TRUSTEES, 'Role Holders');
    const inner = await lab.group(TRUSTEES, 'Inner Holders');
    await lab.addMember(outer, inner);
    await lab.addMember(inner, caller.dn);
    await lab.configureRoles([DOMAIN_USER, { name: 'Resetters', permissions: [{ access: 'allow', rights: ['resetPassword'] }], assignments: [{ trustee: outer, scope: [{ type: 'all' }] }] }]);
    const token = await lab.tokenOf(caller.upn);
    expect(await OPERATIONS.resetPassword(lab, token, { dn: target.dn, container: LAB })).toBe('done');
    const removed = await lab.api('DELETE', `/api/directoryObjects/groupMembers${q({ group: inner, member: caller.dn })}`);
    expect(removed.body.resultType).toBe(0);
    expect(await OPERATIONS.resetPassword(lab, token, { dn: target.dn, container: LAB })).toBe('refused');
    // A trustee named by SID works the same way.
    const sid = (await lab.read(outer, 'objectSid')).body.properties.objectSid[0];
    await lab.addMember(outer, caller.dn);
    await lab.configureRoles([DOMAIN_USER, { name: 'Resetters', permissions: [{ access: 'allow', rights: ['resetPassword'] }], assignments: [{ trustee: sid, scope: [{ type: 'all' }] }] }]);
    expect(await OPERATIONS.resetPassword(lab, token, { dn: target.dn, container: LAB })).toBe('done');
  });

  it('search and group members return only what the caller may view (REST_GetGroupMembers)', async () => {
    const caller = await lab.user(TRUSTEES, 'Viewer');
    const seen = await lab.user(LAB, 'Seen');
    const unseen = await lab.user(OTHER, 'Unseen');
    const team = await lab.group(LAB, 'Mixed Team');
    await lab.addMember(team, seen.dn);
    await lab.addMember(team, unseen.dn);
    await lab.configureRoles([{ name: 'Lab viewers', permissions: [{ access: 'allow', rights: ['read'] }], assignments: [{ trustee: caller.dn, scope: [{ type: 'container', dn: LAB }] }] }]);
    const token = await lab.tokenOf(caller.upn);

    const found = await lab.api('POST', '/api/directoryObjects/search', { baseObject: 'DC=example,DC=com', criteria: { objectTypes: [{ type: 'user' }] } }, token);
    expect(found.status).toBe(200);
    const dns: string[] = found.body.map((o: any) => o.dn);
    expect(dns).toContain(seen.dn);
    expect(dns).not.toContain(unseen.dn);
    expect(dns.every((d) => d.endsWith(`,${LAB}`))).toBe(true);
    // The administrator sees both.
    const all = await lab.api('POST', '/api/directoryObjects/search', { baseObject: 'DC=example,DC=com', criteria: { objectTypes: [{ type: 'user' }] } });
    expect(all.body.map((o: any) => o.dn)).toEqual(expect.arrayContaining([seen.dn, unseen.dn]));

    const members = await lab.api('GET', `/api/directoryObjects/groupMembers${q({ group: team })}`, undefined, token);
    expect(members.status).toBe(200);
    expect(members.body.map((o: any) => o.dn)).toEqual([seen.dn]);
    expect((await lab.api('GET', `/api/directoryObjects/groupMembers${q({ group: team })}`)).body).toHaveLength(2);
    // A group the caller cannot view does not exist for the caller.
    const hidden = await lab.api('GET', `/api/directoryObjects/groupMembers${q({ group: LAB_GROUP })}`, undefined, token);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('notFound');
  });
});
