// The device JSON Tenantbox emits, held against Microsoft's v1.0 CSDL (EntityType device, its base types
// directoryObject and entity): a property added, dropped or retyped on either side fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { demoDevices, deviceAdminUserToken } from './helpers.js';

const REFERENCE = join(import.meta.dirname, '../../reference');

interface CsdlProperty {
  name: string;
  type: string;
}

/** The properties an EntityType declares itself, and its BaseType, read from CSDL text. */
function entityType(csdl: string, name: string): { base?: string; properties: CsdlProperty[] } {
  const m = new RegExp(`<EntityType Name="${name}"([^>]*)>([\\s\\S]*?)</EntityType>`).exec(csdl);
  if (!m) throw new Error(`EntityType ${name} not in the CSDL`);
  const base = /BaseType="graph\.(\w+)"/.exec(m[1])?.[1];
  const properties = [...m[2].matchAll(/<Property Name="(\w+)" Type="([^"]+)"/g)].map((p) => ({ name: p[1], type: p[2] }));
  return { base, properties };
}

/** device's own properties plus those inherited through directoryObject and entity. */
function deviceProperties(csdl: string): CsdlProperty[] {
  const out: CsdlProperty[] = [];
  for (let name: string | undefined = 'device'; name; ) {
    const t = entityType(csdl, name);
    out.push(...t.properties);
    name = t.base;
  }
  return out;
}

/** extensionAttributes is not declared on v1.0 device; the type is open and the docs return it (graph-notes §1.1). */
const DOCUMENTED_OPEN = ['extensionAttributes'];

function checkType(type: string, value: unknown, name: string) {
  if (value === null) return;
  const collection = /^Collection\((.*)\)$/.exec(type);
  if (collection) {
    expect(Array.isArray(value), name).toBe(true);
    for (const v of value as unknown[]) checkType(collection[1], v, name);
    return;
  }
  if (type === 'Edm.Boolean') expect(typeof value, name).toBe('boolean');
  else if (type === 'Edm.Int32') expect(Number.isInteger(value), name).toBe(true);
  else if (type === 'Edm.DateTimeOffset') expect(value, name).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  else if (type === 'Edm.String') expect(typeof value, name).toBe('string');
  else expect(typeof value, name).toBe('object');
}

describe('device properties match the v1.0 CSDL', () => {
  let s: TestServer;
  let token: string;
  const csdl = readFileSync(join(REFERENCE, 'v1.0-Prod.csdl'), 'utf8');
  const expected = deviceProperties(csdl);
  const expectedNames = [...expected.map((p) => p.name), ...DOCUMENTED_OPEN].sort();

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    token = await s.appToken('Tenant Admin');
  });
  afterAll(() => s.close());

  test('the CSDL excerpt in reference/ says the same as the full CSDL', () => {
    const excerpt = readFileSync(join(REFERENCE, 'csdl-excerpt-v1.0.xml'), 'utf8');
    const fromExcerpt = [...entityType(excerpt, 'device').properties, ...entityType(excerpt, 'directoryObject').properties].map((p) => p.name).sort();
    expect(fromExcerpt).toEqual(expected.filter((p) => p.name !== 'id').map((p) => p.name).sort());
  });

  test('GET /devices, GET /devices/{id}, delta and POST /devices emit exactly the CSDL properties, typed as declared', async () => {
    const [d] = await demoDevices(s);
    const bodies: Record<string, unknown>[] = [];
    bodies.push((await graphFetch(`${s.graph}/devices?$top=3`, token)).body.value[0]);
    const one = (await graphFetch(`${s.graph}/devices/${d.id}`, token)).body;
    delete one['@odata.context'];
    bodies.push(one);
    bodies.push((await graphFetch(`${s.graph}/devices/delta`, token)).body.value[0]);
    const user = await deviceAdminUserToken(s);
    const created = await graphFetch(`${s.graph}/devices`, user, {
      method: 'POST',
      body: { accountEnabled: true, alternativeSecurityIds: [], deviceId: crypto.randomUUID(), displayName: 'CSDL', operatingSystem: 'Linux', operatingSystemVersion: '6.8' },
    });
    expect(created.status).toBe(201);
    delete created.body['@odata.context'];
    bodies.push(created.body);
    for (const body of bodies) {
      expect(Object.keys(body).sort()).toEqual(expectedNames);
      for (const p of expected) checkType(p.type, body[p.name], p.name);
    }
  });

  test('devices in directoryObject collections carry @odata.type and the same property set', async () => {
    const group = (await graphFetch(`${s.graph}/groups?$filter=displayName eq 'Device Administrators'`, token)).body.value[0];
    const members = (await graphFetch(`${s.graph}/groups/${group.id}/members/microsoft.graph.device?$top=1`, token)).body.value;
    expect(Object.keys(members[0]).sort()).toEqual(expectedNames);
    const typed = (await graphFetch(`${s.graph}/groups/${group.id}/members?$top=999`, token)).body.value.find((m: Record<string, unknown>) => m['@odata.type'] === '#microsoft.graph.device');
    expect(Object.keys(typed).sort()).toEqual(['@odata.type', ...expectedNames].sort());
  });
});
