// The directory core over both real stores: CRUD, identities, memberships, transitive closure, change log.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Directory } from '../../src/directory/directory.js';
import { DEMO_TENANT } from '../../src/directory/demo-data.js';
import { DirectoryError } from '../../src/directory/model.js';
import { currentSeq, changesBetween } from '../../src/directory/changes.js';
import { ENGINES, freshStore } from '../support/stores.js';

describe.each(ENGINES)('directory core on %s', (engine) => {
  let dir: Directory;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const f = await freshStore(engine);
    dir = new Directory(f.store, DEMO_TENANT);
    cleanup = f.cleanup;
  });
  afterAll(() => cleanup());

  test('creates, reads, updates and deletes every object type, logging each write', async () => {
    const start = await currentSeq(dir.db);
    const types = ['user', 'group', 'device', 'administrativeUnit', 'orgContact', 'servicePrincipal'] as const;
    const created = await dir.write(async (w) => {
      const out = [];
      for (const [i, type] of types.entries()) {
        const props: Record<string, unknown> = { displayName: `Object ${i}` };
        if (type === 'user') props.userPrincipalName = 'ada@example.com';
        if (type === 'device') props.deviceId = '0b4a5d3e-0000-4000-8000-00000000000a';
        if (type === 'servicePrincipal') props.appId = '0b4a5d3e-0000-4000-8000-00000000000b';
        out.push(await w.create({ type, props, dn: `CN=Object ${i},OU=Test,DC=example,DC=com`, objectGuid: `0b4a5d3e-0000-4000-8000-00000000010${i}`, sid: `S-1-5-21-1-2-3-${500 + i}` }));
      }
      return out;
    });
    expect(await currentSeq(dir.db)).toBe(start + 1);
    for (const o of created) expect((await dir.get(o.id))?.props.displayName).toBe(o.props.displayName);

    const user = created[0];
    await dir.write(async (w) => w.replaceProps((await w.load(user.id))!, { ...user.props, displayName: 'Ada Lovelace' }));
    expect((await dir.get(user.id))?.props.displayName).toBe('Ada Lovelace');
    const changes = await changesBetween(dir.db, { type: 'user' }, start, await currentSeq(dir.db), undefined, 10);
    expect(changes.map((c) => [c.objectId, c.op])).toEqual([[user.id, 'updated']]);

    const device = created[2];
    await dir.write(async (w) => w.delete((await w.load(device.id))!));
    expect(await dir.get(device.id)).toBeUndefined();
    const deletions = await changesBetween(dir.db, { type: 'device' }, start, await currentSeq(dir.db), undefined, 10);
    expect(deletions).toEqual([expect.objectContaining({ objectId: device.id, op: 'deleted' })]);
  });

  test('identity lookup by id, DN (any case and spacing), GUID (braced too), SID, UPN and deviceId', async () => {
    const u = await dir.write((w) =>
      w.create({ type: 'user', props: { displayName: 'Grace Hopper', userPrincipalName: 'Grace.Hopper@example.com' }, dn: 'CN=Grace Hopper,CN=Users,DC=example,DC=com', objectGuid: '7A4267CE-D354-44E7-8BD6-C681F1284A41', sid: 'S-1-5-21-3635565734-1729062999-1822655016-1627' }),
    );
    const d = await dir.write((w) => w.create({ type: 'device', props: { displayName: 'PC-1', deviceId: 'ABCDEF00-0000-4000-8000-000000000001' } }));
    expect((await dir.resolveIdentifier('cn=grace hopper, cn=users, dc=EXAMPLE, dc=com'))?.id).toBe(u.id);
    expect((await dir.resolveIdentifier('{7a4267ce-d354-44e7-8bd6-c681f1284a41}'))?.id).toBe(u.id);
    expect((await dir.resolveIdentifier('S-1-5-21-3635565734-1729062999-1822655016-1627'))?.id).toBe(u.id);
    expect((await dir.user('grace.hopper@EXAMPLE.com'))?.id).toBe(u.id);
    expect((await dir.byAltKey('device', 'abcdef00-0000-4000-8000-000000000001'))?.id).toBe(d.id);
    expect(await dir.resolveIdentifier('CN=Nobody,DC=example,DC=com')).toBeUndefined();
    await expect(dir.resolveIdentifier('CN=,,bad')).rejects.toBeInstanceOf(DirectoryError);
    await expect(dir.resolveIdentifier('S-1-x')).rejects.toBeInstanceOf(DirectoryError);
  });

  test('objects created without an on-premises identity get a unique DN, an objectGUID and the next SID', async () => {
    const [a, b] = await dir.write((w) =>
      w.createMany([
        { type: 'user', props: { displayName: 'Sam Namesake', userPrincipalName: 'sam1@example.com' } },
        { type: 'user', props: { displayName: 'Sam Namesake', userPrincipalName: 'sam2@example.com' } },
      ]),
    );
    const c = await dir.write((w) => w.create({ type: 'group', props: { displayName: 'Sam Namesake' } }));
    const [oa, ob] = await dir.getMany([a, b]);
    expect(oa.dn).toBe('CN=Sam Namesake,CN=Users,DC=example,DC=com');
    expect(ob.dn).toBe(`CN=Sam Namesake ${b.slice(0, 8)},CN=Users,DC=example,DC=com`);
    expect(c.dn).toBe('CN=Sam Namesake,OU=Groups,DC=example,DC=com');
    const sids = [oa.sid, ob.sid, c.sid];
    expect(new Set(sids).size).toBe(3);
    for (const sid of sids) expect(sid).toMatch(new RegExp(`^${DEMO_TENANT.domainSid}-\\d+$`));
    expect((await dir.resolveIdentifier(ob.sid!))?.id).toBe(b);
    expect((await dir.resolveIdentifier(ob.objectGuid!))?.id).toBe(b);
    expect((await dir.resolveIdentifier(ob.dn!))?.id).toBe(b);
  });

  test('uniqueness: a second user with the same UPN or DN is refused and nothing is written', async () => {
    const before = await currentSeq(dir.db);
    await expect(
      dir.write(async (w) => {
        await w.create({ type: 'user', props: { displayName: 'Other', userPrincipalName: 'x1@example.com' } });
        await w.create({ type: 'user', props: { displayName: 'Dup', userPrincipalName: 'GRACE.HOPPER@example.com' } });
      }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    expect(await dir.user('x1@example.com')).toBeUndefined();
    expect(await currentSeq(dir.db)).toBe(before);
  });

  test('memberships: nested groups with a cycle give a finite, correct transitive closure', async () => {
    const ids = await dir.write(async (w) => {
      const gs = [];
      for (let i = 0; i < 6; i++) gs.push((await w.create({ type: 'group', props: { displayName: `G${i}`, securityEnabled: true } })).id);
      const member = (await w.create({ type: 'device', props: { displayName: 'Member', deviceId: '00000000-0000-4000-8000-0000000000ff' } })).id;
      // G0 ⊃ G1 ⊃ G2 ⊃ G3 ⊃ G1 (cycle), member ∈ G3; G5 stands apart.
      for (const [a, b] of [[0, 1], [1, 2], [2, 3], [3, 1]]) await w.addLink('member', gs[a], gs[b]);
      await w.addLink('member', gs[3], member);
      return { gs, member };
    });
    const closure = new Set(await dir.transitiveMemberOfIds(ids.member));
    expect(closure).toEqual(new Set([ids.gs[0], ids.gs[1], ids.gs[2], ids.gs[3]]));
    const members = (await dir.transitiveTargetsOf(ids.gs[0]).execute()).map((r) => r.id);
    expect(new Set(members)).toEqual(new Set([ids.gs[1], ids.gs[2], ids.gs[3], ids.member]));
    expect(await dir.addMember(ids.gs[5], ids.member)).toBe(true);
    expect(await dir.addMember(ids.gs[5], ids.member)).toBe(false);
    expect(await dir.removeMember(ids.gs[5], ids.member)).toBe(true);
    await expect(dir.addMember(ids.gs[5], ids.gs[5])).rejects.toMatchObject({ kind: 'invalid' });
  });
});
