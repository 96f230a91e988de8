// Education JSON exactly as Graph writes it: every declared property present, complex values (term, course,
// createdBy, addresses, student/teacher blocks, relatedContacts…) written member by member from the CSDL, so a
// stored value with extra or missing members still reaches the client in the declared shape.
import type { DirObject, Props } from '../directory/model.js';
import { complexType, defaultSelect, resource, type MemberMeta } from '../schema/resources.js';

export type EducationResource = 'educationUser' | 'educationClass' | 'educationSchool';

/** Never returned on reads, whatever is stored (Graph answers passwordProfile with null). */
const WRITE_ONLY = new Set(['passwordProfile']);

function complexValue(typeName: string, raw: unknown): Props | null {
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const ct = complexType(typeName);
  if (!ct) return raw as Props;
  const src = raw as Props;
  const out: Props = {};
  for (const m of Object.values(ct.properties)) out[m.name] = memberValue(m, src[m.name]);
  return out;
}

function memberValue(m: MemberMeta, raw: unknown): unknown {
  if (m.collection) {
    const items = Array.isArray(raw) ? raw : [];
    return m.kind === 'complex' ? items.map((x) => complexValue(m.type, x)).filter((x) => x !== null) : items;
  }
  if (m.kind === 'complex') return complexValue(m.type, raw);
  return raw === undefined ? null : raw;
}

/** An education document in Graph's shape: the default property set (or $select), complex types in full. */
export function shapeEducation(res: EducationResource, doc: Props, select?: readonly string[]): Props {
  const props = resource(res).properties;
  const names = select?.length ? select : defaultSelect(res);
  const out: Props = {};
  if (!select?.length) out.id = doc.id;
  for (const n of names) {
    if (n === 'id') out.id = doc.id;
    else if (WRITE_ONLY.has(n)) out[n] = null;
    else out[n] = props[n] ? memberValue(props[n], doc[n]) : (doc[n] ?? null);
  }
  // primaryRole is non-nullable: a directory user with no education data is in no role.
  if (res === 'educationUser' && 'primaryRole' in out && out.primaryRole === null) out.primaryRole = 'none';
  return out;
}

export const shaper = (res: EducationResource) => (_obj: DirObject, doc: Props, select?: readonly string[]) => shapeEducation(res, doc, select);
