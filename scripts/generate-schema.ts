// Generates src/schema/resources.generated.json, the capability table behind the OData engine.
//
// Sources (all under reference/ in this repository):
// - reference/v1.0-Prod.csdl: which properties exist, their Edm/complex/enum type, collection flag, nullability.
// - seeds/002_*.txt and seeds/003_*.txt ("Resources" sections): per property, the $filter operators it supports,
//   $search, $orderby, and "Returned only on $select".
// - reference/graph-notes.md §2, the device filter table: which uses need advanced query parameters.
// The CSDL decides what exists, the seeds decide capabilities. The few facts neither holds are in OVERRIDES below,
// each naming its source.
//
// Run: npx tsx scripts/generate-schema.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const reference = resolve(here, '../reference');
const outFile = resolve(here, '../src/schema/resources.generated.json');

type Op = 'eq' | 'ne' | 'not' | 'gt' | 'ge' | 'lt' | 'le' | 'in' | 'startsWith' | 'endsWith' | 'eqNull' | 'count';
const OP_ORDER: Op[] = ['eq', 'ne', 'not', 'gt', 'ge', 'lt', 'le', 'in', 'startsWith', 'endsWith', 'eqNull', 'count'];

/** Resource name → CSDL entity type, and (for resources the v1.0 CSDL lacks) where its properties come from. */
const RESOURCES: Record<string, { entity: string }> = {
  directoryObject: { entity: 'directoryObject' },
  user: { entity: 'user' },
  group: { entity: 'group' },
  device: { entity: 'device' },
  administrativeUnit: { entity: 'administrativeUnit' },
  orgContact: { entity: 'orgContact' },
  servicePrincipal: { entity: 'servicePrincipal' },
  educationUser: { entity: 'educationUser' },
  educationClass: { entity: 'educationClass' },
  educationSchool: { entity: 'educationSchool' },
  usageRight: { entity: 'usageRight' },
};

const OVERRIDES = {
  // graph-notes §1.1: usageRight is beta-only, absent from the v1.0 CSDL; its shape is the seed table plus the
  // state enum listed there (active|inactive|warning|suspended|unknownFutureValue).
  betaEntities: {
    usageRight: {
      baseType: 'entity',
      properties: [
        { name: 'catalogId', type: 'Edm.String' },
        { name: 'serviceIdentifier', type: 'Edm.String' },
        { name: 'state', type: 'graph.usageRightState' },
      ],
    },
  } as Record<string, { baseType: string; properties: { name: string; type: string }[] }>,
  betaEnums: { usageRightState: ['active', 'inactive', 'warning', 'suspended', 'unknownFutureValue'] } as Record<string, string[]>,
  // graph-notes §1.1: the beta usageRights doc lists `state eq`, `serviceIdentifier eq` and `in`.
  filters: {
    usageRight: { state: ['eq', 'in'], serviceIdentifier: ['eq', 'in'] },
  } as Record<string, Record<string, Op[]>>,
  // graph-notes §1.1: extensionAttributes is not declared on v1.0 device (open type) but the seed lists it.
  openProperties: { device: [{ name: 'extensionAttributes', type: 'graph.onPremisesExtensionAttributes' }] } as Record<
    string,
    { name: string; type: string }[]
  >,
  // graph-notes §2 ("in works by default wherever eq does"); the seeds list ge/le only, §2 lists lt/gt as operators
  // with the same support.
  impliedOps: { in: 'eq', gt: 'ge', lt: 'le' } as Record<string, Op>,
  // graph-notes §2 directory rules: ne, not, endsWith, /$count and eq-null need advanced query parameters.
  advancedOperators: ['ne', 'not', 'endsWith', 'count', 'eqNull'] as Op[],
  // graph-notes §2, "$orderby on devices": approximateLastSignInDateTime, createdDateTime, deletedDateTime,
  // displayName are all Adv.
  orderbyAdvanced: { device: ['approximateLastSignInDateTime', 'createdDateTime', 'deletedDateTime', 'displayName'] } as Record<string, string[]>,
  // graph-notes §4 ("Filter only by id: $filter=id eq '…'"): every entity can be filtered by id; the education seed
  // tables say nothing about it.
  idFilter: ['eq', 'in'] as Op[],
  // The educationUser seed says a bare "Supports $filter." The property is the same directory attribute as on
  // user (graph-notes §1.9: "education-specific variant of the user with the same id"), so it takes user's operators.
  bareFilterFrom: { educationUser: 'user' } as Record<string, string>,
  // Resources served from the objects table (ARCHITECTURE: store model); others (usageRight) are small in-memory
  // collections where $skip is meaningful.
  directoryBacked: ['directoryObject', 'user', 'group', 'device', 'administrativeUnit', 'orgContact', 'servicePrincipal', 'educationUser', 'educationClass', 'educationSchool'],
};

// ---------- CSDL ----------
interface CsdlProp { name: string; type: string; nullable: boolean }
interface CsdlType { name: string; baseType?: string; openType: boolean; abstract: boolean; props: CsdlProp[]; nav: CsdlProp[] }

function parseCsdl(text: string) {
  const start = text.indexOf('<Schema Namespace="microsoft.graph"');
  const end = text.indexOf('</Schema>', start);
  const schema = text.slice(start, end);
  const entities = new Map<string, CsdlType>();
  const complexes = new Map<string, CsdlType>();
  const enums = new Map<string, { members: string[]; flags: boolean }>();
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  const typeRe = /<(EntityType|ComplexType)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (let m; (m = typeRe.exec(schema)); ) {
    const head = m[2];
    const body = m[4] ?? '';
    const t: CsdlType = {
      name: attr(head, 'Name')!,
      baseType: attr(head, 'BaseType')?.replace(/^graph\./, ''),
      openType: attr(head, 'OpenType') === 'true',
      abstract: attr(head, 'Abstract') === 'true',
      props: [],
      nav: [],
    };
    for (const p of body.matchAll(/<(Property|NavigationProperty)\b([^>]*?)\/?>/g)) {
      const entry = { name: attr(p[2], 'Name')!, type: attr(p[2], 'Type')!, nullable: attr(p[2], 'Nullable') !== 'false' };
      (p[1] === 'Property' ? t.props : t.nav).push(entry);
    }
    (m[1] === 'EntityType' ? entities : complexes).set(t.name, t);
  }
  for (const m of schema.matchAll(/<EnumType\b([^>]*?)>([\s\S]*?)<\/EnumType>/g)) {
    enums.set(attr(m[1], 'Name')!, {
      members: [...m[2].matchAll(/<Member Name="([^"]*)"/g)].map((x) => x[1]),
      flags: attr(m[1], 'IsFlags') === 'true',
    });
  }
  return { entities, complexes, enums };
}

// ---------- Seeds ----------
interface SeedRow { resource: string; name: string; seedType: string; text: string }

function parseSeed(text: string, knownProps: (resource: string) => Set<string> | undefined): SeedRow[] {
  const lines = text.split(/\r?\n/);
  const rows: SeedRow[] = [];
  const from = lines.findIndex((l) => l.trim() === 'Resources');
  let resource: string | undefined;
  let current: SeedRow | undefined;
  for (let i = from + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^[A-Za-z]\w*$/.test(line.trim()) && lines[i + 1]?.trim() === '' && lines[i + 2]?.trim() === 'Property Type Description') {
      resource = line.trim();
      current = undefined;
      i += 2;
      continue;
    }
    if (!resource) continue;
    const m = /^\s*([a-z][A-Za-z0-9]*) (\S+(?: collection)?)(?: (.*))?$/.exec(line);
    const known = knownProps(resource);
    if (m && known?.has(m[1])) {
      current = { resource, name: m[1], seedType: m[2], text: m[3] ?? '' };
      rows.push(current);
    } else if (current) {
      current.text += '\n' + line;
    }
  }
  return rows;
}

interface Caps { filter: Set<Op>; bareFilter: boolean; search: boolean; orderby: boolean; selectOnly: boolean; neverReturned: boolean }

function capabilities(text: string): Caps {
  const caps: Caps = { filter: new Set(), bareFilter: false, search: false, orderby: false, selectOnly: false, neverReturned: false };
  const flat = text.replace(/\s+/g, ' ');
  const filterAt = flat.search(/Supports \$filter/i);
  if (filterAt >= 0) {
    const rest = flat.slice(filterAt + 'Supports $filter'.length);
    const paren = /^\s*\(([^)]*)\)(.*)$/.exec(rest);
    if (paren) {
      const inner = paren[1];
      const tail = paren[2].split(/\.\s/)[0];
      for (const part of inner.split(/,|\band\b/i)) {
        const p = part.trim().toLowerCase();
        if (/^\/\$count/.test(p)) caps.filter.add('count');
        else if (/^eq\b/.test(p)) {
          caps.filter.add('eq');
          if (/null/.test(p)) caps.filter.add('eqNull');
        } else if (p === 'ne') caps.filter.add('ne');
        else if (/^not\b/.test(p)) caps.filter.add('not');
        else if (p === 'ge') caps.filter.add('ge');
        else if (p === 'le') caps.filter.add('le');
        else if (p === 'gt') caps.filter.add('gt');
        else if (p === 'lt') caps.filter.add('lt');
        else if (p === 'in') caps.filter.add('in');
        else if (p === 'startswith') caps.filter.add('startsWith');
        else if (p === 'endswith') caps.filter.add('endsWith');
      }
      if (/including on null values/i.test(tail)) caps.filter.add('eqNull');
      if (/\/\$count/.test(tail)) caps.filter.add('count');
    } else {
      caps.bareFilter = true;
    }
  }
  caps.search = /\$search/i.test(flat);
  caps.orderby = /\$orderby/i.test(flat);
  caps.selectOnly = /Returned only on \$select/i.test(flat);
  caps.neverReturned = /never returned on a GET/i.test(flat);
  return caps;
}

/** graph-notes §2 device table: per property path, the operators it supports (Default or Adv) and those marked Adv. */
function deviceTable(notes: string): { supported: Map<string, Set<Op>>; advanced: Map<string, Set<Op>> } {
  const out = new Map<string, Set<Op>>();
  const supported = new Map<string, Set<Op>>();
  const at = notes.indexOf('| Property | eq | startsWith | ge/le | eq null |');
  const table = notes.slice(at).split('\n').slice(2);
  const columns: Op[][] = [['eq', 'in'], ['startsWith'], ['ge', 'le', 'gt', 'lt'], ['eqNull']];
  for (const line of table) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    let path = cells[0];
    const lambda = /^(\w+)\/any\(\w+:\w+(?:\/(\w+))?\)$/.exec(path);
    if (lambda) path = lambda[2] ? `${lambda[1]}/${lambda[2]}` : lambda[1];
    path = path.replace(/^extensionAttributes\/extensionAttribute.*$/, 'extensionAttributes');
    const set = out.get(path) ?? new Set<Op>();
    const ok = supported.get(path) ?? new Set<Op>();
    cells.slice(1).forEach((c, i) => {
      if (c === 'Adv') for (const op of columns[i]) set.add(op);
      if (c === 'Adv' || c === 'Default') for (const op of columns[i]) ok.add(op);
    });
    if (set.size) out.set(path, set);
    supported.set(path, ok);
  }
  return { supported, advanced: out };
}

// ---------- Assembly ----------
function main() {
  const csdl = parseCsdl(readFileSync(join(reference, 'v1.0-Prod.csdl'), 'utf8'));
  for (const [name, e] of Object.entries(OVERRIDES.betaEntities)) {
    csdl.entities.set(name, { name, baseType: e.baseType, openType: false, abstract: false, nav: [], props: e.properties.map((p) => ({ ...p, nullable: true })) });
  }
  for (const [name, members] of Object.entries(OVERRIDES.betaEnums)) csdl.enums.set(name, { members, flags: false });

  const chain = (entity: string): CsdlType[] => {
    const out: CsdlType[] = [];
    for (let t = csdl.entities.get(entity); t; t = t.baseType ? csdl.entities.get(t.baseType) : undefined) out.unshift(t);
    return out;
  };
  const declared = (resource: string) => {
    const props = new Map<string, CsdlProp & { open?: boolean }>();
    for (const t of chain(RESOURCES[resource].entity)) for (const p of t.props) props.set(p.name, p);
    for (const p of OVERRIDES.openProperties[resource] ?? []) props.set(p.name, { ...p, nullable: true, open: true });
    return props;
  };

  const seedFiles = readdirSync(join(reference, 'seeds')).filter((f) => /^00[23]_.*\.txt$/.test(f)).sort();
  const seedRows: SeedRow[] = [];
  for (const f of seedFiles) {
    seedRows.push(...parseSeed(readFileSync(join(reference, 'seeds', f), 'utf8'), (r) => (RESOURCES[r] ? new Set(declared(r).keys()) : undefined)));
  }
  const capsFor = new Map<string, Caps>();
  for (const row of seedRows) {
    const key = `${row.resource}.${row.name}`;
    const c = capabilities(row.text);
    const prev = capsFor.get(key);
    if (!prev) capsFor.set(key, c);
    else {
      // Two seed pages of different ages: a capability either page documents is taken.
      for (const op of c.filter) prev.filter.add(op);
      prev.bareFilter ||= c.bareFilter;
      prev.search ||= c.search;
      prev.orderby ||= c.orderby;
      prev.selectOnly ||= c.selectOnly;
      prev.neverReturned ||= c.neverReturned;
    }
  }
  const devTable = deviceTable(readFileSync(join(reference, 'graph-notes.md'), 'utf8'));

  const complexUsed = new Set<string>();
  const enumUsed = new Set<string>();
  const describeType = (raw: string) => {
    const collection = raw.startsWith('Collection(');
    const inner = collection ? raw.slice('Collection('.length, -1) : raw;
    const name = inner.replace(/^graph\./, '');
    const kind = inner.startsWith('Edm.') ? 'primitive' : csdl.enums.has(name) ? 'enum' : 'complex';
    if (kind === 'complex') collectComplex(name);
    if (kind === 'enum') enumUsed.add(name);
    return { type: name, kind, collection };
  };
  function collectComplex(name: string) {
    if (complexUsed.has(name)) return;
    complexUsed.add(name);
    const t = csdl.complexes.get(name);
    if (!t) throw new Error(`complex type ${name} not in CSDL`);
    for (const p of complexProps(name)) describeType(p.type);
  }
  function complexProps(name: string): CsdlProp[] {
    const t = csdl.complexes.get(name);
    if (!t) return [];
    return [...(t.baseType ? complexProps(t.baseType) : []), ...t.props];
  }

  const resources: Record<string, unknown> = {};
  for (const [resource, { entity }] of Object.entries(RESOURCES)) {
    const types = chain(entity);
    const leaf = types[types.length - 1];
    const properties: Record<string, unknown> = {};
    for (const p of declared(resource).values()) {
      const t = describeType(p.type);
      const caps = capsFor.get(`${resource}.${p.name}`);
      let filter = new Set<Op>(caps?.filter ?? []);
      if (caps?.bareFilter && filter.size === 0) {
        const from = OVERRIDES.bareFilterFrom[resource];
        filter = new Set<Op>(from ? capsFor.get(`${from}.${p.name}`)?.filter ?? ['eq'] : ['eq']);
      }
      for (const op of OVERRIDES.filters[resource]?.[p.name] ?? []) filter.add(op);
      // The device table of graph-notes §2 is a second, newer capability source for device.
      if (resource === 'device') {
        for (const [path, ops] of devTable.supported) if (path.split('/')[0] === p.name) for (const op of ops) filter.add(op);
      }
      if (p.name === 'id' && !filter.has('eq')) for (const op of OVERRIDES.idFilter) filter.add(op);
      for (const [implied, by] of Object.entries(OVERRIDES.impliedOps)) if (filter.has(by)) filter.add(implied as Op);
      const advanced = new Set<Op>(resource === 'device' ? devTable.advanced.get(p.name) ?? [] : []);
      const memberAdvanced: Record<string, Op[]> = {};
      if (resource === 'device') {
        for (const [path, ops] of devTable.advanced) {
          const [head, member] = path.split('/');
          if (head === p.name && member) memberAdvanced[member] = OP_ORDER.filter((o) => ops.has(o));
        }
      }
      properties[p.name] = {
        name: p.name,
        type: t.type,
        kind: t.kind,
        collection: t.collection,
        nullable: p.nullable,
        ...((p as { open?: boolean }).open ? { open: true } : {}),
        filter: OP_ORDER.filter((o) => filter.has(o)),
        search: caps?.search ?? false,
        orderby: caps?.orderby ?? false,
        orderbyAdvanced: (OVERRIDES.orderbyAdvanced[resource] ?? []).includes(p.name),
        defaultSelect: !(caps?.selectOnly || caps?.neverReturned),
        selectable: !caps?.neverReturned,
        advanced: OP_ORDER.filter((o) => advanced.has(o)),
        ...(Object.keys(memberAdvanced).length ? { memberAdvanced } : {}),
        documented: Boolean(caps),
      };
    }
    const navigation: Record<string, unknown> = {};
    for (const t of types) for (const n of t.nav) {
      const collection = n.type.startsWith('Collection(');
      navigation[n.name] = { name: n.name, type: (collection ? n.type.slice(11, -1) : n.type).replace(/^graph\./, ''), collection };
    }
    resources[resource] = {
      name: resource,
      entityType: leaf.name,
      odataType: `#microsoft.graph.${leaf.name}`,
      baseTypes: types.slice(0, -1).map((t) => t.name),
      openType: types.some((t) => t.openType),
      directoryBacked: OVERRIDES.directoryBacked.includes(resource),
      properties,
      navigation,
    };
  }

  const complexTypes: Record<string, unknown> = {};
  for (const name of [...complexUsed].sort()) {
    const t = csdl.complexes.get(name)!;
    const properties: Record<string, unknown> = {};
    for (const p of complexProps(name)) {
      const d = describeType(p.type);
      properties[p.name] = { name: p.name, type: d.type, kind: d.kind, collection: d.collection, nullable: p.nullable };
    }
    complexTypes[name] = { name, openType: t.openType, properties };
  }
  const enumTypes: Record<string, unknown> = {};
  for (const name of [...enumUsed].sort()) enumTypes[name] = { name, ...csdl.enums.get(name)! };

  const out = {
    $comment: 'Generated by scripts/generate-schema.ts from reference/v1.0-Prod.csdl, reference/seeds/002_*.txt and 003_*.txt, and graph-notes.md §2. Do not edit; rerun the script.',
    advancedOperators: OVERRIDES.advancedOperators,
    resources,
    complexTypes,
    enumTypes,
  };
  writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
  const documented = Object.values(resources).map((r) => {
    const props = Object.values((r as { properties: Record<string, { documented: boolean }> }).properties);
    return `${(r as { name: string }).name}: ${props.filter((p) => p.documented).length}/${props.length}`;
  });
  console.log(`wrote ${outFile}\nseed rows: ${seedRows.length}; documented properties per resource: ${documented.join(', ')}`);
  console.log(`complex types: ${complexUsed.size}, enum types: ${enumUsed.size}`);
}

main();
