// The object_index rows of one document: every property the capability table marks filterable, sortable or
// searchable, encoded by encode.ts. Index property names:
//   `p`                      scalar p (at most one row) or one row per element of a primitive collection
//   `p/m`                    member m of complex p (at most one row), or of each element of a complex collection p
//   `p/$count`               element count of collection p (at most one row)
//   `p/$search`              $search tokens of p          `p/$reverse`  reversed text of p, for endsWith
// A single-valued index property has no row when its value is the absent value: null, or a count of 0. Most
// properties of most objects are null, and those rows were half of the index. Sortable scalars are the exception:
// they keep their null rows, because an $orderby walks one row per object.
import { encodeNumber, encodeValue, MARK, normalizeText, NULL_VALUE, reverseText, searchTokens } from './encode.js';
import { complexType, resource as resourceMeta, type MemberMeta, type PropertyMeta } from '../schema/resources.js';

export interface IndexRow {
  prop: string;
  value: string;
}

type Doc = Record<string, unknown>;

function add(map: Map<string, string[]>, prop: string, value: string) {
  const list = map.get(prop);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(prop, [value]);
}

// Both lists are read for every document written; the capability table never changes in a process.
function memo<T>(compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    let v = known.get(key);
    if (v === undefined) known.set(key, (v = compute(key)));
    return v;
  };
}

const primitiveMembers = memo((type: string): MemberMeta[] => {
  const ct = complexType(type);
  return ct ? Object.values(ct.properties).filter((m) => m.kind !== 'complex' && !m.collection) : [];
});

const indexedProperties = memo((resource: string): PropertyMeta[] => Object.values(resourceMeta(resource).properties).filter(isIndexed));

const ZERO_COUNT = MARK + encodeNumber(0);

/** The value a single-valued index property has when it has no row: null, or 0 for a `/$count`. */
export function absentValue(prop: string): string {
  return prop.endsWith('/$count') ? ZERO_COUNT : NULL_VALUE;
}

/** Does every object of `resource` have a row for `prop`, absent value included? True for sortable scalars. */
export function rowForEveryObject(resource: string, prop: string): boolean {
  const p = resourceMeta(resource).properties[prop];
  return !!p && p.orderby && !p.collection && p.kind !== 'complex';
}

function isIndexed(p: PropertyMeta) {
  return p.filter.length > 0 || p.orderby || p.search;
}

/** Index property → encoded values, for one document of a resource. */
export function indexEntries(resource: string, doc: Doc): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of indexedProperties(resource)) {
    const raw = p.name === 'id' && typeof doc.id === 'string' ? doc.id : doc[p.name];
    const wantsReverse = p.filter.includes('endsWith');
    if (p.collection) {
      const items = Array.isArray(raw) ? raw.filter((x) => x !== null && x !== undefined) : [];
      if (items.length) add(out, `${p.name}/$count`, MARK + encodeNumber(items.length));
      for (const item of items) {
        if (p.kind === 'complex') {
          if (typeof item !== 'object' || Array.isArray(item)) continue;
          for (const m of primitiveMembers(p.type)) add(out, `${p.name}/${m.name}`, encodeValue(m.type, (item as Doc)[m.name]));
        } else {
          const v = encodeValue(p.type, item);
          if (v === NULL_VALUE) continue;
          add(out, p.name, v);
          if (wantsReverse && typeof item === 'string') add(out, `${p.name}/$reverse`, MARK + reverseText(normalizeText(item)));
        }
      }
      if (!out.has(p.name) && p.kind !== 'complex') out.set(p.name, []);
      continue;
    }
    if (p.kind === 'complex') {
      const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Doc) : {};
      for (const m of primitiveMembers(p.type)) {
        const v = encodeValue(m.type, obj[m.name]);
        if (v !== NULL_VALUE) add(out, `${p.name}/${m.name}`, v);
      }
      continue;
    }
    const v = encodeValue(p.type, raw);
    if (v !== NULL_VALUE || p.orderby) add(out, p.name, v);
    if (typeof raw === 'string') {
      if (wantsReverse) add(out, `${p.name}/$reverse`, MARK + reverseText(normalizeText(raw)));
      if (p.search) for (const tok of searchTokens(raw, true)) add(out, `${p.name}/$search`, MARK + tok);
    }
  }
  return out;
}

/**
 * The object_index rows for a document `{ id, ...props }` of `resource`. The caller writes them with the key of
 * (resource, prop) and the object's row key; an education user is indexed under both `user` and `educationUser`.
 */
export function indexRows(resource: string, doc: Doc): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const [prop, values] of indexEntries(resource, doc)) for (const value of values) rows.push({ prop, value });
  return rows;
}
