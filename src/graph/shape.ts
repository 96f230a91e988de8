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

/** Picks the properties Graph would return: `select` when given, else the resource's default set. Missing → null. */
export function project(resourceName: string, doc: Props, select?: readonly string[]): Props {
  const names = select?.length ? select : defaultSelect(resourceName);
  const out: Props = {};
  for (const n of names) {
    if (n === 'id') out.id = doc.id;
    else out[n] = doc[n] === undefined ? null : doc[n];
  }
  if (!('id' in out) && !select?.length) out.id = doc.id;
  return out;
}

export const contextUrl = (origin: string, fragment: string) => `${origin}/v1.0/$metadata#${fragment}`;

/** `devices(id,displayName)` — Graph's context fragment for a $select. */
export function selectFragment(base: string, select?: readonly string[]): string {
  return select?.length ? `${base}(${select.join(',')})` : base;
}
