// Transitive membership against a brute-force reference: random membership graphs with cycles and chains deeper
// than ten levels are written through the core, their closures computed in plain JS, and transitiveMemberOf,
// checkMemberGroups, checkMemberObjects, getMemberGroups and getMemberObjects compared with them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ObjectType } from '../../src/directory/model.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';

/** mulberry32: a small seeded generator, so a failing graph can be rebuilt from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Node {
  id: string;
  type: ObjectType;
  securityEnabled: boolean;
}

interface Graph {
  nodes: Node[];
  /** container id → member ids */
  edges: [string, string][];
}

function randomGraph(seed: number): Graph {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const make = (type: ObjectType, n: number, security = () => true): Node[] => Array.from({ length: n }, () => ({ id: crypto.randomUUID(), type, securityEnabled: type === 'group' && security() }));
  const groups = make('group', 28, () => r() < 0.75);
  const units = make('administrativeUnit', 4);
  const devices = make('device', 8);
  const users = make('user', 4);
  const edges = new Set<string>();
  const add = (c: Node, m: Node) => c.id !== m.id && edges.add(`${c.id} ${m.id}`);
  // A chain twelve groups deep with two back edges, so every graph has depth > 10 and cycles.
  for (let i = 0; i < 11; i++) add(groups[i], groups[i + 1]);
  add(groups[11], groups[4]);
  add(groups[7], groups[1]);
  for (let i = 0; i < 30; i++) add(pick(groups), pick(groups));
  for (const leaf of [...devices, ...users]) for (let k = Math.floor(r() * 4); k > 0; k--) add(pick(groups), leaf);
  for (let i = 0; i < 6; i++) add(pick(units), pick([...groups, ...devices, ...users]));
  add(groups[11], devices[0]);
  return { nodes: [...groups, ...units, ...devices, ...users], edges: [...edges].map((e) => e.split(' ') as [string, string]) };
}

/** Every container reachable upwards from `id` through one or more memberships, never `id` itself. */
function closure(g: Graph, id: string): Set<string> {
  const parents = new Map<string, string[]>();
  for (const [c, m] of g.edges) parents.set(m, [...(parents.get(m) ?? []), c]);
  const seen = new Set<string>();
  const queue = [...(parents.get(id) ?? [])];
  while (queue.length) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(parents.get(next) ?? []));
  }
  seen.delete(id);
  return seen;
}

const SEEDS = [1, 7, 42];

describe.each(ENGINES)('transitive membership vs brute force (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  const graphs = new Map<number, Graph>();
  const post = async (path: string, body: unknown) => {
    const r = await graphFetch(`${s.graph}${path}`, token, { method: 'POST', body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.value as string[];
  };

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
    for (const seed of SEEDS) {
      const g = randomGraph(seed);
      graphs.set(seed, g);
      await s.tb.dir.write(async (w) => {
        for (const n of g.nodes) {
          const name = `ref-${seed}-${n.type}-${n.id.slice(0, 8)}`;
          const props: Record<string, unknown> =
            n.type === 'group'
              ? { displayName: name, securityEnabled: n.securityEnabled, mailEnabled: !n.securityEnabled, groupTypes: n.securityEnabled ? [] : ['Unified'] }
              : n.type === 'device'
                ? { displayName: name, deviceId: crypto.randomUUID(), operatingSystem: 'Windows', operatingSystemVersion: '10', accountEnabled: true }
                : n.type === 'user'
                  ? { displayName: name, userPrincipalName: `${name}@example.com`, accountEnabled: true }
                  : { displayName: name };
          await w.create({ id: n.id, type: n.type, props });
        }
        for (const [c, m] of g.edges) await w.addLink('member', c, m);
      });
    }
  });
  afterAll(() => s.close());

  test.each(SEEDS)('seed %i: transitiveMemberOf of every device equals the closure', async (seed) => {
    const g = graphs.get(seed)!;
    const devices = g.nodes.filter((n) => n.type === 'device');
    expect(closure(g, devices[0].id).size).toBeGreaterThanOrEqual(12);
    for (const d of devices) {
      const r = await graphFetch(`${s.graph}/devices/${d.id}/transitiveMemberOf?$top=999`, token);
      expect(r.status).toBe(200);
      expect(r.body.value.map((o: { id: string }) => o.id).sort()).toEqual([...closure(g, d.id)].sort());
      const groups = await graphFetch(`${s.graph}/devices/${d.id}/transitiveMemberOf/microsoft.graph.group?$top=999&$select=id`, token);
      const expectedGroups = [...closure(g, d.id)].filter((id) => g.nodes.find((n) => n.id === id)!.type === 'group');
      expect(groups.body.value.map((o: { id: string }) => o.id).sort()).toEqual(expectedGroups.sort());
    }
  });

  test.each(SEEDS)('seed %i: the four actions agree with the closure for devices, users and groups', async (seed) => {
    const g = graphs.get(seed)!;
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const r = rng(seed * 31);
    const containers = g.nodes.filter((n) => n.type === 'group' || n.type === 'administrativeUnit');
    const base: Record<string, string> = { device: '/devices', user: '/users', group: '/groups' };
    for (const n of g.nodes.filter((x) => x.type in base)) {
      const up = closure(g, n.id);
      const groups = [...up].filter((id) => byId.get(id)!.type === 'group');
      const path = `${base[n.type]}/${n.id}`;
      expect((await post(`${path}/getMemberGroups`, { securityEnabledOnly: false })).sort()).toEqual([...groups].sort());
      expect((await post(`/directoryObjects/${n.id}/getMemberGroups`, { securityEnabledOnly: true })).sort()).toEqual(groups.filter((id) => byId.get(id)!.securityEnabled).sort());
      expect((await post(`${path}/getMemberObjects`, { securityEnabledOnly: false })).sort()).toEqual([...up].sort());
      const probe = Array.from({ length: 20 }, () => containers[Math.floor(r() * containers.length)].id);
      const unique = [...new Set(probe)];
      expect(await post(`${path}/checkMemberGroups`, { groupIds: probe })).toEqual(unique.filter((id) => up.has(id) && byId.get(id)!.type === 'group'));
      expect(await post(`/directoryObjects/${n.id}/checkMemberObjects`, { ids: probe })).toEqual(unique.filter((id) => up.has(id)));
    }
  });
});
