// Education delta over the change log: a full initial round in pages, then exactly what changed — class
// properties and class membership both count as class changes — on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/stores.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { demoRoster, walk, type DemoRoster } from './helpers.js';
import { encodeSkiptoken } from '../../src/odata/index.js';

describe.each(ENGINES)('education delta on %s', (engine) => {
  let s: TestServer;
  let token: string;
  let demo: DemoRoster;

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Roster Reader');
    demo = await demoRoster(s);
  });
  afterAll(() => s?.close());

  const page4 = { prefer: 'odata.maxpagesize=4' };

  it('walks classes: initial round in pages, then only the changed classes', async () => {
    const initial = await walk(`${s.graph}/education/classes/delta`, token, page4);
    expect(initial.pages).toBe(3);
    expect(initial.items).toHaveLength(9);
    expect(initial.items.every((i) => i['@odata.type'] === '#microsoft.graph.educationClass')).toBe(true);
    expect(initial.deltaLink).toContain('$deltatoken=');

    // Nothing changed yet: an empty round.
    const quiet = await walk(initial.deltaLink!, token);
    expect(quiet.items).toEqual([]);

    // Three changes through the core: a class's properties, a new student in a second class, an enrollment removed from a third.
    const classes = (await graphFetch(`${s.graph}/education/classes?$select=id`, token)).body.value.map((c: { id: string }) => c.id) as string[];
    const [renamed, joined, left] = [demo.classId, ...classes.filter((c) => c !== demo.classId).slice(0, 2)];
    const members = async (id: string) => (await graphFetch(`${s.graph}/education/classes/${id}/members?$select=id`, token)).body.value.map((m: { id: string }) => m.id) as string[];
    const users = (await graphFetch(`${s.graph}/education/users?$select=id,primaryRole&$top=100`, token)).body.value as { id: string; primaryRole: string }[];
    const joinedBefore = await members(joined);
    const newcomer = users.find((u) => u.primaryRole === 'student' && !joinedBefore.includes(u.id))!;
    const leaver = (await members(left)).find((id) => users.find((u) => u.id === id)?.primaryRole === 'student')!;
    expect(newcomer && leaver).toBeTruthy();

    const dir = s.tb.dir;
    await dir.write(async (w) => {
      const obj = (await w.load(renamed))!;
      await w.replaceProps(obj, { ...obj.props, displayName: 'Renamed class', description: 'changed' });
    });
    await dir.write((w) => w.addLink('member', joined, newcomer.id));
    await dir.write((w) => w.removeLink('member', left, leaver));

    const round = await walk(quiet.deltaLink!, token);
    expect(round.items.map((i) => i.id).sort()).toEqual([renamed, joined, left].sort());
    expect(round.items.find((i) => i.id === renamed)).toMatchObject({ '@odata.type': '#microsoft.graph.educationClass', displayName: 'Renamed class', description: 'changed' });
    expect(await members(joined)).toContain(newcomer.id);
    expect(await members(left)).not.toContain(leaver);

    // And the round after is empty again.
    expect((await walk(round.deltaLink!, token)).items).toEqual([]);
  });

  it('reports membership changes to user delta and school delta separately', async () => {
    const users0 = await walk(`${s.graph}/education/users/delta?$select=displayName`, token, { prefer: 'odata.maxpagesize=10' });
    expect(users0.items).toHaveLength(30);
    expect(users0.pages).toBe(3);
    expect(Object.keys(users0.items[0]).sort()).toEqual(['@odata.type', 'displayName', 'id']);
    const schools0 = await walk(`${s.graph}/education/schools/delta`, token);
    expect(schools0.items).toHaveLength(3);
    expect(schools0.items[0]['@odata.type']).toBe('#microsoft.graph.educationSchool');

    await s.tb.dir.write((w) => w.removeLink('member', demo.classId, demo.student.id));
    const users1 = await walk(users0.deltaLink!, token);
    expect(users1.items.map((i) => i.id)).toEqual([demo.student.id]);
    // $select of the first request is carried by the links.
    expect(Object.keys(users1.items[0]).sort()).toEqual(['@odata.type', 'displayName', 'id']);
    expect((await walk(schools0.deltaLink!, token)).items).toEqual([]);

    await s.tb.dir.write(async (w) => {
      const school = (await w.load(demo.schoolId))!;
      await w.replaceProps(school, { ...school.props, phone: '+1 425 555 0000' });
    });
    const schools1 = await walk(schools0.deltaLink!, token);
    expect(schools1.items).toHaveLength(1);
    expect(schools1.items[0]).toMatchObject({ id: demo.schoolId, phone: '+1 425 555 0000' });
  });

  it('rejects tampered tokens with 400 and expired ones with 410 syncStateNotFound', async () => {
    const initial = await walk(`${s.graph}/education/schools/delta`, token);
    const url = new URL(initial.deltaLink!);
    const tok = url.searchParams.get('$deltatoken')!;
    const tampered = tok.slice(0, -2) + (tok.endsWith('A') ? 'BB' : 'AA');
    const bad = await graphFetch(`${s.graph}/education/schools/delta?$deltatoken=${tampered}`, token);
    expect(bad.status).toBe(400);
    const expired = encodeSkiptoken({ ph: 'd', from: 0, iat: Date.now() - 8 * 24 * 3600 * 1000 }, await signingKey(s), 'delta:educationSchool');
    const gone = await graphFetch(`${s.graph}/education/schools/delta?$deltatoken=${expired}`, token);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('syncStateNotFound');
    // A token of one collection is no good for another.
    const foreign = await graphFetch(`${s.graph}/education/classes/delta?$deltatoken=${tok}`, token);
    expect(foreign.status).toBe(400);
  });
});

async function signingKey(s: TestServer): Promise<Buffer> {
  const { hmacKey } = await import('../../src/auth/keys.js');
  return hmacKey(s.tb.store);
}
