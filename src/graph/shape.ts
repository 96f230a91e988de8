// Shaping core documents into Graph JSON: the default property set or $select, @odata.type on derived types.
import { defaultSelect, hasResource, resource } from '../schema/resources.js';
import type { Props } from '../directory/model.js';

/** The Graph resource an object is served as in a directoryObject collection. */
export function resourceOfObject(type: string): string {
  return type === 'orgContact' ? 'orgContact' : type;
}

export function odataType(resourceName: string): string {
  return hasResource(resourceName) ? resource(resourceName).odataType : `#microsoft.graph.${resourceName}`;
}

// V8 turns an object into a slow dictionary once a dozen properties have been added to it by computed name, and a
// default projection has thirty or more: serialising such objects, and building them, costs several times what it
// does for a copy of a template object that already has every key in order. Templates stay private and unfrozen
// (copying a frozen object takes V8's slow path).
const templates = new Map<string, Props>();

function defaultTemplate(resourceName: string, withContext: boolean): Props {
  const key = `${withContext ? '@' : ''}${resourceName}`;
  let t = templates.get(key);
  if (!t) {
    const names = defaultSelect(resourceName);
    const keys = [...(withContext ? ['@odata.context'] : []), ...names, ...(names.includes('id') ? [] : ['id'])];
    t = Object.fromEntries(keys.map((k) => [k, null])) as Props;
    templates.set(key, t);
  }
  return t;
}

// What Graph answers for a property the CSDL declares non-nullable when the object holds no value: the empty
// collection, and for a timestamp .NET's DateTime.MinValue (users' unset birthday and hireDate read
// "0001-01-01T00:00:00Z"); other types their zero. Everything else absent reads null.
const ZERO: Record<string, unknown> = { 'Edm.DateTimeOffset': '0001-01-01T00:00:00Z', 'Edm.Boolean': false, 'Edm.Int32': 0, 'Edm.Int64': 0, 'Edm.Double': 0, 'Edm.String': '' };
const absents = new Map<string, Map<string, unknown>>();

function absentValues(resourceName: string): Map<string, unknown> {
  let m = absents.get(resourceName);
  if (!m) {
    m = new Map();
    if (hasResource(resourceName))
      for (const p of Object.values(resource(resourceName).properties)) if (!p.nullable && p.name !== 'id') m.set(p.name, p.collection ? [] : ZERO[p.type] ?? null);
    absents.set(resourceName, m);
  }
  return m;
}

/**
 * Picks the properties Graph would return: `select` when given, else the resource's default set. Missing → null.
 * An entity's `@odata.context`, when given, comes first.
 */
export function project(resourceName: string, doc: Props, select?: readonly string[], context?: string): Props {
  const chosen = !!select?.length;
  const names = chosen ? select! : defaultSelect(resourceName);
  const out: Props = chosen ? {} : { ...defaultTemplate(resourceName, context !== undefined) };
  if (context !== undefined) out['@odata.context'] = context;
  let zero: Map<string, unknown> | undefined;
  for (const n of names) {
    if (n === 'id') out.id = doc.id;
    else {
      const v = doc[n];
      if (v !== undefined) out[n] = v;
      else {
        zero ??= absentValues(resourceName);
        const z = zero.get(n);
        out[n] = z === undefined ? null : Array.isArray(z) ? [] : z;
      }
    }
  }
  if (!chosen) out.id = doc.id;
  return out;
}

export const contextUrl = (origin: string, fragment: string) => `${origin}/v1.0/$metadata#${fragment}`;

/** `devices(id,displayName)` — Graph's context fragment for a $select. */
export function selectFragment(base: string, select?: readonly string[]): string {
  return select?.length ? `${base}(${select.join(',')})` : base;
}
