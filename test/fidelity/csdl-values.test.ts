// Every value served has its CSDL type (reference/v1.0-Prod.csdl, parsed here on its own so that a mistake in the
// generated tables cannot hide one in the data): every object of the demo tenant and of a generated tenant, every
// property Graph lets $select name, read back through the Graph face on both stores.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateTenant } from '../../src/directory/generate.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';

interface CsdlType {
  base?: string;
  open: boolean;
  props: Map<string, { type: string; nullable: boolean }>;
}

function parseCsdl() {
  const text = readFileSync(new URL('../../reference/v1.0-Prod.csdl', import.meta.url), 'utf8');
  const start = text.indexOf('<Schema Namespace="microsoft.graph"');
  const schema = text.slice(start, text.indexOf('</Schema>', start));
  const types = new Map<string, CsdlType>();
  const enums = new Map<string, { members: Set<string>; flags: boolean }>();
  for (const m of schema.matchAll(/<(EntityType|ComplexType) Name="(\w+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/g)) {
    const props = new Map<string, { type: string; nullable: boolean }>();
    for (const p of (m[4] ?? '').matchAll(/<Property Name="(\w+)" Type="([^"]+)"([^>]*?)\/?>/g)) props.set(p[1], { type: p[2], nullable: !/Nullable="false"/.test(p[3]) });
    types.set(m[2], { base: /BaseType="graph\.(\w+)"/.exec(m[3])?.[1], open: /OpenType="true"/.test(m[3]), props });
  }
  for (const m of schema.matchAll(/<EnumType Name="(\w+)"([^>]*)>([\s\S]*?)<\/EnumType>/g))
    enums.set(m[1], { members: new Set([...m[3].matchAll(/<Member Name="(\w+)"/g)].map((x) => x[1])), flags: /IsFlags="true"/.test(m[2]) });
  return { types, enums };
}

const csdl = parseCsdl();

function propertiesOf(type: string): Map<string, { type: string; nullable: boolean }> {
  const t = csdl.types.get(type);
  if (!t) throw new Error(`no CSDL type ${type}`);
  return new Map([...(t.base ? propertiesOf(t.base) : []), ...t.props]);
}

const PRIMITIVE: Record<string, (v: unknown) => boolean> = {
  'Edm.String': (v) => typeof v === 'string',
  'Edm.Boolean': (v) => typeof v === 'boolean',
  'Edm.Int32': (v) => Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31,
  'Edm.Int64': (v) => Number.isInteger(v),
  'Edm.Double': (v) => typeof v === 'number',
  'Edm.Guid': (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  'Edm.DateTimeOffset': (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  'Edm.Date': (v) => typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(v),
  'Edm.Binary': (v) => typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v),
  'Edm.Duration': (v) => typeof v === 'string' && /^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v),
};

/** Problems with `value` as a `type` (a CSDL type reference), each as `path: reason`. */
function check(value: unknown, type: string, nullable: boolean, path: string, out: string[]) {
  if (value === null) {
    if (!nullable && !type.startsWith('Collection(')) out.push(`${path}: null but not nullable (${type})`);
    return;
  }
  if (type.startsWith('Collection(')) {
    if (!Array.isArray(value)) return void out.push(`${path}: not an array (${type})`);
    value.forEach((v, i) => check(v, type.slice(11, -1), false, `${path}[${i}]`, out));
    return;
  }
  if (type.startsWith('Edm.')) {
    const ok = PRIMITIVE[type];
    if (!ok) return void out.push(`${path}: no check for ${type}`);
    if (!ok(value)) out.push(`${path}: ${JSON.stringify(value)} is not ${type}`);
    return;
  }
  const name = type.replace(/^graph\./, '');
  const e = csdl.enums.get(name);
  if (e) {
    const parts = typeof value === 'string' ? (e.flags ? value.split(',').map((x) => x.trim()) : [value]) : [];
    if (!parts.length || parts.some((p) => !e.members.has(p))) out.push(`${path}: ${JSON.stringify(value)} is not a ${name}`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return void out.push(`${path}: not an object (${name})`);
  const props = propertiesOf(name);
  const open = csdl.types.get(name)!.open;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('@')) continue;
    const p = props.get(k);
    if (!p) {
      if (!open) out.push(`${path}.${k}: not a property of ${name}`);
      continue;
    }
    check(v, p.type, p.nullable, `${path}.${k}`, out);
  }
}

/** Collections walked, with their CSDL entity type. extensionAttributes is the seed's open property on device. */
const COLLECTIONS: [path: string, type: string][] = [
  ['/users', 'user'],
  ['/groups', 'group'],
  ['/devices', 'device'],
  ['/contacts', 'orgContact'],
  ['/servicePrincipals', 'servicePrincipal'],
  ['/directory/administrativeUnits', 'administrativeUnit'],
  ['/education/users', 'educationUser'],
  ['/education/classes', 'educationClass'],
  ['/education/schools', 'educationSchool'],
  ['/organization', 'organization'],
  ['/domains', 'domain'],
  ['/subscribedSkus', 'subscribedSku'],
];
const OPEN_PROPERTIES: Record<string, Record<string, string>> = { device: { extensionAttributes: 'graph.onPremisesExtensionAttributes' } };

describe.each(ENGINES)('every served value has its CSDL type (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let reader: string;

  beforeAll(async () => {
    s = await startTestServer(engine);
    token = await s.appToken('Tenant Admin');
    // permissions.json grants GET /domains to Directory.Read.All (and Domain.*), not to Directory.ReadWrite.All.
    reader = await s.appToken('Directory Reader');
    await generateTenant(s.tb.dir, { users: 120, devices: 40, groups: 20, schools: 2, classesPerSchool: 3, nestingDepth: 4, seed: 7 });
  }, 120_000);
  afterAll(() => s.close());

  test.each(COLLECTIONS)('%s: every object, every selectable property, is a %s', async (path, type) => {
    const declared = [...propertiesOf(type).keys(), ...Object.keys(OPEN_PROPERTIES[type] ?? {})];
    // Properties the service refuses in $select (never returned on a GET) are left out, as Graph's docs say.
    const as = path === '/domains' ? reader : token;
    const probe = await graphFetch(`${s.graph}${path}?$top=1&$select=${declared.join(',')}`, as);
    let select = declared;
    if (probe.status === 400) {
      select = [];
      for (const name of declared) if ((await graphFetch(`${s.graph}${path}?$top=1&$select=${name}`, as)).status === 200) select.push(name);
    }
    const problems: string[] = [];
    let seen = 0;
    let url: string | undefined = `${s.graph}${path}?$select=${select.join(',')}${path.startsWith('/organization') || path.startsWith('/domains') || path.startsWith('/subscribedSkus') ? '' : '&$top=999'}`;
    while (url) {
      const page = await graphFetch(url, as);
      expect(page.status, `${url}: ${JSON.stringify(page.body).slice(0, 300)}`).toBe(200);
      for (const item of page.body.value) {
        seen++;
        const extra = OPEN_PROPERTIES[type] ?? {};
        const { ...rest } = item;
        for (const [k, t] of Object.entries(extra)) {
          check(rest[k], t, true, `${type}(${item.id}).${k}`, problems);
          delete rest[k];
        }
        check(rest, `graph.${type}`, false, `${type}(${item.id})`, problems);
      }
      url = page.body['@odata.nextLink'];
    }
    expect(seen).toBeGreaterThan(0);
    expect(problems.slice(0, 20)).toEqual([]);
  }, 120_000);
});
