// Concurrent writers through HTTP: memberships stay a consistent graph (transitive answers equal the closure of the
// direct ones), and delta rounds taken while writers run lose no committed change and repeat none.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES } from '../support/stores.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { allPages, fetchWithin, pool } from './support.js';

/** A small deterministic generator, so that a failing interleaving of operations can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe.each(ENGINES)('concurrency (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let users: string[];
  let groups: { id: string; displayName: string }[];
  const auth = () => ({ authorization: `Bearer ${token}` });
  const members = async (g: string) => (await allPages(`${s.graph}/groups/${g}/members?$select=id&$top=999`, token)).map((m) => m.id as string);
  const add = (g: string, m: string) =>
    fetchWithin(`${s.graph}/groups/${g}/members/$ref`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ '@odata.id': `${s.graph}/directoryObjects/${m}` }) });
  const remove = (g: string, m: string) => fetchWithin(`${s.graph}/groups/${g}/members/${m}/$ref`, { method: 'DELETE', headers: auth() });

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
    users = (await allPages(`${s.graph}/users?$select=id&$top=999`, token)).map((u) => u.id);
    groups = await allPages(`${s.graph}/groups?$select=id,displayName&$top=999`, token);
  });
  afterAll(() => s?.close());

  test('concurrent membership adds and removes leave transitiveMemberOf equal to the closure of /members', async () => {
    const pick = groups.filter((g) => !/FHS|CMS|NWP/.test(g.displayName)).slice(0, 10).map((g) => g.id);
    const rand = rng(engine === 'sqlite' ? 7 : 11);
    const ops = Array.from({ length: 240 }, () => {
      const g = pick[Math.floor(rand() * pick.length)];
      const nest = rand() < 0.3;
      const m = nest ? pick[Math.floor(rand() * pick.length)] : users[Math.floor(rand() * 24)];
      return { g, m, remove: rand() < 0.4 };
    });
    let applied = 0;
    await pool(ops, 8, async (op) => {
      const r = op.remove ? await remove(op.g, op.m) : await add(op.g, op.m);
      if (r.status === 204) applied++;
      // 204 done; 400 already a member or self-membership; 404 not a member: all legitimate outcomes of a race.
      expect([204, 400, 404], `${r.status} ${r.text}`).toContain(r.status);
    });
    expect(applied).toBeGreaterThan(60);

    const parents = new Map<string, Set<string>>();
    for (const g of groups) for (const m of await members(g.id)) (parents.get(m) ?? parents.set(m, new Set()).get(m)!).add(g.id);
    const closure = (x: string) => {
      const seen = new Set<string>();
      const stack = [...(parents.get(x) ?? [])];
      while (stack.length) {
        const g = stack.pop()!;
        if (seen.has(g)) continue;
        seen.add(g);
        stack.push(...(parents.get(g) ?? []));
      }
      seen.delete(x);
      return [...seen].sort();
    };
    const subjects = [...pick, ...users.slice(0, 24)];
    await pool(subjects, 4, async (x) => {
      const kind = pick.includes(x) ? 'groups' : 'users';
      const got = (await allPages(`${s.graph}/${kind}/${x}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999`, token)).map((g) => g.id as string).filter((id) => id !== x);
      expect(got.sort(), `transitiveMemberOf of ${kind}/${x}`).toEqual(closure(x));
    });
  });

  test('delta rounds taken during concurrent writes report every committed change exactly once', async () => {
    const sync = async (url: string) => {
      const ids: string[] = [];
      let next = url;
      for (;;) {
        const r = await fetchWithin(next, { headers: auth() });
        expect(r.status, r.text).toBe(200);
        ids.push(...r.body.value.map((v: { id: string }) => v.id));
        if (r.body['@odata.deltaLink']) return { ids, deltaLink: r.body['@odata.deltaLink'] as string };
        next = r.body['@odata.nextLink'];
      }
    };
    let { deltaLink } = await sync(`${s.graph}/users/delta?$select=id,displayName`);
    let { deltaLink: groupLink } = await sync(`${s.graph}/groups/delta?$select=id`);

    // Each user takes part in exactly one write, so each must show up in exactly one later round.
    const target = groups.find((g) => g.displayName === 'All Staff')!.id;
    const current = new Set(await members(target));
    const writes = users.map((u) => ({ u, remove: current.has(u) }));
    const committed = new Set<string>();
    let writing = true;
    const rounds: string[][] = [];
    const reader = (async () => {
      while (writing) {
        const r = await sync(deltaLink);
        rounds.push(r.ids);
        deltaLink = r.deltaLink;
      }
    })();
    await pool(writes, 6, async (w) => {
      const r = w.remove ? await remove(target, w.u) : await add(target, w.u);
      expect(r.status, r.text).toBe(204);
      committed.add(w.u);
    });
    writing = false;
    await reader;
    rounds.push((await sync(deltaLink)).ids);

    expect(rounds.length).toBeGreaterThan(2);
    const seen = new Map<string, number>();
    for (const round of rounds) for (const id of new Set(round)) seen.set(id, (seen.get(id) ?? 0) + 1);
    for (const u of committed) expect(seen.get(u), `user ${u}`).toBe(1);
    expect([...seen.keys()].filter((id) => !committed.has(id))).toEqual([]);
    const groupIds = (await sync(groupLink)).ids;
    expect(groupIds).toContain(target);
    console.log(`delta (${engine}): ${committed.size} writes, ${rounds.length} rounds taken while writing`);
  });
});
