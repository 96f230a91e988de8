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

/**
 * Picks the properties Graph would return: `select` when given, else the resource's default set. Missing → null.
 * An entity's `@odata.context`, when given, comes first.
 */
export function project(resourceName: string, doc: Props, select?: readonly string[], context?: string): Props {
  const chosen = !!select?.length;
  const names = chosen ? select! : defaultSelect(resourceName);
  const out: Props = chosen ? {} : { ...defaultTemplate(resourceName, context !== undefined) };
  if (context !== undefined) out['@odata.context'] = context;
  for (const n of names) {
    if (n === 'id') out.id = doc.id;
    else {
      const v = doc[n];
      out[n] = v === undefined ? null : v;
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
