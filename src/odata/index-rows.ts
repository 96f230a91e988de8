// The object_index rows of one document: every property the capability table marks filterable, sortable or
// searchable, encoded by encode.ts. Index property names:
//   `p`                      scalar p (one row, '' when null) or one row per element of a primitive collection
//   `p/m`                    member m of complex p, or of each element of a complex collection p
//   `p/$count`               element count of collection p (always present, so `/$count eq 0` works)
//   `p/$search`              $search tokens of p          `p/$reverse`  reversed text of p, for endsWith
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

function primitiveMembers(type: string): MemberMeta[] {
  const ct = complexType(type);
  return ct ? Object.values(ct.properties).filter((m) => m.kind !== 'complex' && !m.collection) : [];
}

function isIndexed(p: PropertyMeta) {
  return p.filter.length > 0 || p.orderby || p.search;
}

/** Index property → encoded values, for one document of a resource. */
export function indexEntries(resource: string, doc: Doc): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of Object.values(resourceMeta(resource).properties)) {
    if (!isIndexed(p)) continue;
    const raw = p.name === 'id' && typeof doc.id === 'string' ? doc.id : doc[p.name];
    const wantsReverse = p.filter.includes('endsWith');
    if (p.collection) {
      const items = Array.isArray(raw) ? raw.filter((x) => x !== null && x !== undefined) : [];
      add(out, `${p.name}/$count`, MARK + encodeNumber(items.length));
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
      for (const m of primitiveMembers(p.type)) add(out, `${p.name}/${m.name}`, encodeValue(m.type, obj[m.name]));
      continue;
    }
    add(out, p.name, encodeValue(p.type, raw));
    if (typeof raw === 'string') {
      if (wantsReverse) add(out, `${p.name}/$reverse`, MARK + reverseText(normalizeText(raw)));
      if (p.search) for (const tok of searchTokens(raw, true)) add(out, `${p.name}/$search`, MARK + tok);
    }
  }
  return out;
}

/**
 * The object_index rows for a document `{ id, ...props }` of `resource`. The caller writes them with
 * `resource` and the object's id; an education user is indexed under both `user` and `educationUser`.
 */
export function indexRows(resource: string, doc: Doc): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const [prop, values] of indexEntries(resource, doc)) for (const value of values) rows.push({ prop, value });
  return rows;
}
